import ArgumentParser
import EgretIR
import Foundation

/// The range of every numeric option, each with its reason, and the transforms that
/// read them. A value outside its range (or not a number) is a usage error, exit 2,
/// whose message names the option and the range. Numeric options are declared with
/// `parsing: .unconditional`, so that `--jobs -1` reaches the range check instead of
/// being taken for a flag.
enum OptionValues {
    /// Worker processes: eight per core. More only compete for the same cores, and a
    /// million of them exhaust the process table.
    static var jobs: ClosedRange<Int> { 1 ... 8 * max(1, ProcessInfo.processInfo.activeProcessorCount) }
    /// Interpreter steps per call: 10^10 is minutes of interpreting, far beyond any
    /// test (the benchmarks need 4 × 10^9), and keeps step counts far from overflow.
    static let fuel: ClosedRange<Int> = 1 ... 10_000_000_000
    /// Functions of a generated module: the generator's call graphs are built for 1 … 8.
    static let functions: ClosedRange<Int> = 1 ... 8
    /// Mutated rounds of `--from` functions: each round is every function once more;
    /// a thousand rounds is days of fuzzing.
    static let mutations: ClosedRange<Int> = 0 ... 1000
    /// Cases of a campaign (or its shard): at least one; any count a shard can hold.
    static let cases: ClosedRange<UInt64> = 1 ... UInt64.max
    /// Seeds and case indices: every 64-bit value names a case.
    static let seed: ClosedRange<UInt64> = 0 ... UInt64.max
    /// A campaign's time budget in seconds: up to 30 days.
    static let durationSeconds: ClosedRange<Double> = 0.001 ... 30 * 86_400
    /// Benchmark runs and repeats per figure: medians of more than a thousand runs
    /// tell nothing more.
    static let runs: ClosedRange<Int> = 1 ... 1000
    /// Instructions of the parse + verify benchmark: a function of ten million
    /// instructions takes gigabytes.
    static let benchInstructions: ClosedRange<Int> = 1 ... 10_000_000
    /// Iterations of the interpreter benchmark's loop: 10^9 is about a minute.
    static let benchIterations: ClosedRange<Int> = 1 ... 1_000_000_000
    /// Cases per run of the fuzzing benchmark.
    static let benchFuzzCases: ClosedRange<Int> = 1 ... 1_000_000

    /// A transform that reads a decimal integer in `range`.
    static func integer<Value: FixedWidthInteger & Sendable>(in range: ClosedRange<Value>)
        -> @Sendable (String) throws -> Value {
        { text in
            guard let value = Value(text, radix: 10), range.contains(value) else {
                throw ValidationError("must be an integer from \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }
    }

    /// A transform that reads `--jobs` (its range depends on the machine).
    static let jobsValue: @Sendable (String) throws -> Int = { text in try integer(in: jobs)(text) }

    /// Reads a time budget: `90s`, `10m`, `2h`, or plain seconds, within `durationSeconds`.
    static let duration: @Sendable (String) throws -> Double = { text in
        guard let seconds = parseDuration(text), seconds.isFinite, durationSeconds.contains(seconds) else {
            throw ValidationError("use a time such as 90s, 10m or 2h, at most 30 days")
        }
        return seconds
    }

    /// Reads a shard `i/N`: 0 ≤ i < N, both 64-bit.
    static let shard: @Sendable (String) throws -> Shard = { text in
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = UInt64(parts[0], radix: 10), let count = UInt64(parts[1], radix: 10),
              count >= 1, index < count else {
            throw ValidationError("use i/N with 0 ≤ i < N < 2^64, e.g. 0/4")
        }
        return Shard(index: index, count: count)
    }
}

/// One shard of a split campaign: case indices ≡ `index` (mod `count`).
struct Shard: CustomStringConvertible, Sendable {
    var index: UInt64
    var count: UInt64

    var description: String { "\(index)/\(count)" }
}

/// `90s`, `10m`, `2h`, or plain seconds.
func parseDuration(_ text: String) -> Double? {
    let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
    if let last = text.last, let unit = units[last], let value = Double(text.dropLast()) { return value * unit }
    return Double(text)
}
