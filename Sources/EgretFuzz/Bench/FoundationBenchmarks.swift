import EgretIR
import EgretInterpreter
import Foundation

/// Benchmarks of the foundation: parse + verify throughput on a large function, and
/// the interpreter's speed on a tight integer loop. Figures are medians of several
/// runs, since these machines are noisy; run them from a release build.
public enum FoundationBenchmarks {
    public struct Figure: Sendable {
        public var name: String
        /// Median over the runs.
        public var perSecond: Double
        public var unit: String
        public var runs: Int
    }

    /// A straight-line function of `count` dense integer instructions over i32 and i64
    /// (arithmetic, logic, shifts, compares, selects, constants), deterministic in
    /// `seed`. Used to time the parser and the verifier.
    public static func denseIntegerFunction(instructions count: Int, seed: UInt64 = 1) -> String {
        var random = SplitMix64(seed: seed)
        var text = "function %dense(i32, i32, i64, i64) -> i32, i64 {\nblock0(v0: i32, v1: i32, v2: i64, v3: i64):\n"
        text.reserveCapacity(count * 28)
        var narrow: [Int] = [0, 1], wide: [Int] = [2, 3]
        var next = 4
        let binaries = ["iadd", "isub", "imul", "band", "bor", "bxor", "ishl", "ushr", "sshr", "rotl", "umin", "smax"]
        func pick(_ list: [Int]) -> Int { list[list.count - 1 - Int(random.next() % UInt64(min(list.count, 16)))] }
        for _ in 0 ..< count {
            let useWide = random.next() & 1 == 0
            let pool = useWide ? wide : narrow
            let type = useWide ? "i64" : "i32"
            switch random.next() % 8 {
            case 0:
                text += "    v\(next) = iconst.\(type) \(Int64(bitPattern: random.next()) >> 40)\n"
            case 1:
                let flag = next
                text += "    v\(flag) = icmp slt v\(pick(pool)), v\(pick(pool))\n"
                next += 1
                text += "    v\(next) = select v\(flag), v\(pick(pool)), v\(pick(pool))\n"
            default:
                let op = binaries[Int(random.next() % UInt64(binaries.count))]
                text += "    v\(next) = \(op) v\(pick(pool)), v\(pick(pool))\n"
            }
            if useWide { wide.append(next) } else { narrow.append(next) }
            next += 1
        }
        text += "    return v\(narrow.last ?? 0), v\(wide.last ?? 2)\n}\n"
        return text
    }

    /// A counting loop whose body is `loopBodyInstructions` simple i64 instructions;
    /// its argument is the number of iterations.
    public static let countingLoop = """
        function %loop(i64) -> i64 {
        block0(v0: i64):
            v1 = iconst.i64 0
            v2 = iconst.i64 1
            jump block1(v1, v1)
        block1(v3: i64, v4: i64):
            v5 = iadd v4, v3
            v6 = bxor v5, v3
            v7 = imul v6, v3
            v8 = ushr v7, v2
            v9 = iadd v3, v2
            v10 = icmp ult v9, v0
            brif v10, block1(v9, v8), block2(v8)
        block2(v11: i64):
            return v11
        }
        """

    static let loopBodyInstructions = 7

    /// Parse, verify, and both, on a function of `instructions` instructions.
    public static func parseAndVerify(instructions: Int = 200_000, runs: Int = 5) throws -> [Figure] {
        let text = denseIntegerFunction(instructions: instructions)
        let module = try CLIFParser.parse(text, fileName: "dense.clif")
        let count = Double(module.functions[0].instructionCount)
        var parse: [Double] = [], verify: [Double] = [], both: [Double] = []
        for _ in 0 ..< runs {
            let start = DispatchTime.now().uptimeNanoseconds
            let parsed = try CLIFParser.parse(text, fileName: "dense.clif")
            let middle = DispatchTime.now().uptimeNanoseconds
            let problems = IRVerifier.verify(parsed)
            let end = DispatchTime.now().uptimeNanoseconds
            guard problems.isEmpty else { throw Diagnostic(.error, "benchmark function did not verify: \(problems[0])") }
            parse.append(count / seconds(middle - start))
            verify.append(count / seconds(end - middle))
            both.append(count / seconds(end - start))
        }
        return [Figure(name: "parse", perSecond: median(parse), unit: "instructions/s", runs: runs),
                Figure(name: "verify", perSecond: median(verify), unit: "instructions/s", runs: runs),
                Figure(name: "parse + verify", perSecond: median(both), unit: "instructions/s", runs: runs)]
    }

    /// The interpreter on `countingLoop`.
    public static func interpreterLoop(iterations: Int = 2_000_000, runs: Int = 5) throws -> Figure {
        let module = try CLIFParser.parse(countingLoop, fileName: "loop.clif")
        var interpreter = try Interpreter(module: module)
        interpreter.fuel = Int.max / 2
        var rates: [Double] = []
        for _ in 0 ..< runs {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try interpreter.call(functionIndex: 0, arguments: [.int(Int64(iterations), .i64)])
            let end = DispatchTime.now().uptimeNanoseconds
            rates.append(Double(iterations * loopBodyInstructions) / seconds(end - start))
        }
        return Figure(name: "interpreter loop", perSecond: median(rates), unit: "instructions/s", runs: runs)
    }

    static func seconds(_ nanoseconds: UInt64) -> Double { max(Double(nanoseconds), 1) / 1e9 }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }
}

/// A small, fast, deterministic PRNG (SplitMix64).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
