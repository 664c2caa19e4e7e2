import ArgumentParser
import EgretCodegen
import EgretFuzz
import EgretHarness
import Foundation

/// `egret bench`: throughput figures of a release build.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure parse + verify throughput, interpreter speed and compile speed (use a release build).")

    @Option(name: .long, parsing: .unconditional, help: "Runs per figure (1 to 1000); the median is reported.",
            transform: OptionValues.integer(in: OptionValues.runs))
    var runs: Int = 5

    @Option(name: .long, parsing: .unconditional,
            help: "Instructions in the function that is parsed and verified (at most 10^7).",
            transform: OptionValues.integer(in: OptionValues.benchInstructions))
    var instructions: Int = 200_000

    @Option(name: .long, parsing: .unconditional, help: "Iterations of the interpreter's counting loop (at most 10^9).",
            transform: OptionValues.integer(in: OptionValues.benchIterations))
    var iterations: Int = 2_000_000

    @Option(name: .long, parsing: .unconditional, help: "Cases per run of the fuzzing figure (at most 10^6).",
            transform: OptionValues.integer(in: OptionValues.benchFuzzCases))
    var fuzzCases: Int = 2000

    @Flag(name: .long, help: "Measure fuzzing throughput only.")
    var fuzzOnly = false

    @Flag(name: .long, help: "Measure compile speed only.")
    var compileOnly = false

    @Option(name: .long, help: ArgumentHelp(
        "Measure the speed of generated code instead: each run line of these .clif files on the JIT only.",
        discussion: "Every run is checked against the line's expectation; the median time per line is printed.",
        valueName: "file"))
    var code: [String] = []

    @Option(name: .long, parsing: .unconditional, help: "Runs per run line with --code (1 to 1000).",
            transform: OptionValues.integer(in: OptionValues.runs))
    var `repeat`: Int = 5

    func run() throws {
        #if DEBUG
        print("note: this is a debug build; figures of a release build (swift build -c release) are the ones that count")
        #endif
        if !code.isEmpty {
            throw ExitCode(measureCode())
        }
        if compileOnly {
            try printCompileFigures(compileOnly: true)
            return
        }
        if !fuzzOnly { try printCompileFigures(compileOnly: false) }
        printFuzzFigure()
    }

    /// `--code`: the median time of each run line; the exit status of the first file
    /// that could not be measured (2 bad input, 3 unsupported, 1 a wrong result).
    private func measureCode() -> Int32 {
        var status: Int32 = 0
        for path in code {
            let text: String
            do {
                text = try InputFile.read(path)
            } catch {
                printError("\(error)")
                status = status == 0 ? 2 : status
                continue
            }
            do {
                let timings = try CodeBenchmark.measure(fileName: path, text: text, repeats: self.repeat)
                for timing in timings {
                    let sorted = timing.seconds.sorted()
                    print(String(format: "%@ %@: median %.1f ms (%d runs, %.1f … %.1f ms)", timing.place, timing.call,
                                 timing.median * 1e3, timing.seconds.count, (sorted.first ?? 0) * 1e3,
                                 (sorted.last ?? 0) * 1e3))
                }
            } catch let failure as CodeBenchmark.Failure {
                printError("egret: error: \(failure)")
                if status == 0 {
                    switch failure {
                    case .invalid: status = 2
                    case .unsupported: status = 3
                    case .wrong: status = 1
                    }
                }
            } catch {
                printError("egret: error: \(path): \(error)")
                status = status == 0 ? 1 : status
            }
        }
        return status
    }

    private func printCompileFigures(compileOnly: Bool) throws {
        var figures: [FoundationBenchmarks.Figure] = []
        if !compileOnly {
            figures = try FoundationBenchmarks.parseAndVerify(instructions: max(1, instructions), runs: max(1, runs))
            figures.append(try FoundationBenchmarks.interpreterLoop(iterations: max(1, iterations), runs: max(1, runs)))
        }
        for figure in figures {
            let millions = String(format: "%.2f", figure.perSecond / 1e6)
            print("\(figure.name.padding(toLength: 26, withPad: " ", startingAt: 0)) \(millions) M \(figure.unit) (median of \(figure.runs))")
        }
        for figure in [try BackendBenchmarks.largeFunction(runs: max(1, runs)),
                       try BackendBenchmarks.smallFunctions(runs: max(1, runs))] {
            let perUnit = String(format: "%.2f", figure.microsecondsPerUnit)
            let phases = figure.phaseShares.map { "\($0.0) \(Int(($0.1 * 100).rounded()))%" }.joined(separator: ", ")
            print("compile \(figure.name.padding(toLength: 18, withPad: " ", startingAt: 0)) \(perUnit) µs per \(figure.unit) (median of \(figure.runs); \(phases))")
        }
        for format in ObjectFormat.allCases {
            let object = try BackendBenchmarks.objectWriting(format: format, runs: max(1, runs))
            let label = "write a\(format == .elf ? "n ELF" : " COFF") object".padding(toLength: 26, withPad: " ",
                                                                                     startingAt: 0)
            print(label + String(format: " +%.1f%% of the compile time of 10,000 instructions (median of %d)",
                                 object * 100, max(1, runs)))
        }
    }

    private func printFuzzFigure() {
        // Fuzzing runs its cases on a thread other than the main one, as workers do.
        let box = FigureBox()
        let done = DispatchSemaphore(value: 0)
        let fuzzRuns = max(1, min(runs, 3))
        let worker = Thread {
            box.figure = FuzzBenchmarks.casesPerSecond(cases: max(1, fuzzCases), runs: fuzzRuns)
            done.signal()
        }
        worker.stackSize = 64 << 20
        worker.start()
        done.wait()
        if let fuzz = box.figure {
            print(String(format: "fuzz (one core)            %.0f cases/s, %.1f instructions and %.1f inputs per case (median of %d)",
                         fuzz.casesPerSecond, fuzz.instructionsPerCase, fuzz.inputsPerCase, fuzz.runs))
        }
    }
}

/// The fuzzing figure, handed from the thread that measures it (read after it signals).
final class FigureBox: @unchecked Sendable {
    var figure: FuzzBenchmarks.Figure?
}
