import EgretCodegen
import EgretIR
import EgretInterpreter
import Foundation

/// The speed of generated code (`egret bench --code FILE`): each run line of a file
/// executed on the JIT only, under the file's own conventions, several times; the
/// median wall-clock time per line is the figure. The interpreter does not run (a
/// benchmark loops far past its fuel), but every execution is still checked against
/// the line's expectation, so a fast wrong answer is an error, not a figure.
///
/// Requires: a file the parser and the verifier accept, whose functions the backend
/// compiles. Guarantees: one `LineTiming` per run line, in file order, or a thrown
/// error naming what went wrong (`CodeBenchmark.Failure`).
public enum CodeBenchmark {
    /// The timing of one run line.
    public struct LineTiming: Sendable {
        /// `file:line`.
        public var place: String
        /// The call, as written (`%sieve(100000)`).
        public var call: String
        /// Every run's time in seconds, in the order they ran.
        public var seconds: [Double]

        public var median: Double {
            let sorted = seconds.sorted()
            return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
        }
    }

    /// Why a file could not be measured.
    public enum Failure: Error, CustomStringConvertible {
        case invalid(String)
        case unsupported(String)
        case wrong(String)

        public var description: String {
            switch self {
            case .invalid(let why): return why
            case .unsupported(let feature): return "unsupported: \(feature)"
            case .wrong(let why): return why
            }
        }
    }

    /// Times every run line of `text` (named `fileName` in messages) `repeats` times.
    public static func measure(fileName: String, text: String, repeats: Int) throws -> [LineTiming] {
        let module: Module
        do {
            module = try CLIFParser.parse(text, fileName: fileName)
        } catch {
            throw Failure.invalid("\(error)")
        }
        if let problem = IRVerifier.verify(module).first { throw Failure.invalid("\(problem)") }
        var options = ModuleHarness.Options()
        options.variants = [.declared]
        options.checkAllocation = false
        let harness: ModuleHarness
        do {
            harness = try ModuleHarness(module: module, options: options)
        } catch {
            throw Failure.invalid("\(fileName): \(error)")
        }
        if case .failure(let failure) = harness.compiledModule(0) { throw Self.failure(failure, fileName) }
        var timings: [LineTiming] = []
        for directive in module.runDirectives {
            let place = "\(fileName):\(directive.location.line)"
            var timing = LineTiming(place: place, call: "%\(directive.function.description.drop { $0 == "%" })"
                                        + "(\(directive.argumentText))", seconds: [])
            for _ in 0 ..< max(1, repeats) {
                let start = DispatchTime.now().uptimeNanoseconds
                let result = harness.run(directive, variant: 0)
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds &- start) / 1e9
                switch result {
                case .success(let executed):
                    if let problem = Expectation.problem(executed, directive, executor: "jit") {
                        throw Failure.wrong("\(place): \(problem)")
                    }
                case .failure(let failure):
                    throw Self.failure(failure, place)
                }
                timing.seconds.append(elapsed)
            }
            timings.append(timing)
        }
        return timings
    }

    private static func failure(_ failure: ExecutorFailure, _ place: String) -> Failure {
        switch failure {
        case .unsupported(let feature): return .unsupported(feature)
        case .compileFailed(let error): return .wrong("\(place): compiling: \(error)")
        case .callFailed(let error): return .wrong("\(place): \(error)")
        }
    }
}
