import EgretIR
import Foundation

/// Generates and judges cases of one campaign, in whatever process runs it (a worker,
/// or the test suite directly).
public struct CaseRunner {
    public let seed: UInt64
    public let source: any CaseSource
    public let oracle: DifferentialOracle
    /// Every this many cases (case indices divisible by it), the case says `test aot`:
    /// its inputs also run through an object linked by the system C compiler, and so
    /// does every later check of it (reduction, the corpus). Nil: never.
    public var aheadOfTimeEvery: UInt64?

    public init(seed: UInt64, configuration: GeneratorConfiguration = GeneratorConfiguration(),
                oracleOptions: DifferentialOracle.Options = DifferentialOracle.Options()) {
        self.init(seed: seed, source: ModuleGenerator(configuration: configuration), oracleOptions: oracleOptions)
    }

    public init(seed: UInt64, source: any CaseSource,
                oracleOptions: DifferentialOracle.Options = DifferentialOracle.Options()) {
        self.seed = seed
        self.source = source
        oracle = DifferentialOracle(options: oracleOptions)
    }

    public struct CaseResult: Sendable {
        public var index: UInt64
        public var instructions: Int
        public var inputs: Int
        public var outcomes: [String: Int]
        public var coverage: [String]
        /// Control-flow, call and compile shapes (`GeneratedCase.shapes` and the
        /// oracle's `Verdict.shapes`).
        public var shapes: [String]
        public var finding: Finding?
        /// Why the case was not judged, when the source skips what the harness cannot
        /// judge (`CaseSource.skipsUnjudgeableCases`).
        public var skipReason: String?
    }

    /// Generates case `index`, calls `beforeRunning` with its text (the worker writes it
    /// to disk there, before compiled code can take the process down), then judges it.
    public func run(index: UInt64, beforeRunning: (String) -> Void = { _ in }) -> CaseResult {
        var generated = source.generate(seed: seed, index: index)
        generated.text = Self.text(generated.text, ofCase: index, aheadOfTimeEvery: aheadOfTimeEvery)
        beforeRunning(generated.text)
        let verdict = oracle.check(text: generated.text, fileName: "seed\(seed)-case\(index).clif")
        var result = CaseResult(index: index, instructions: generated.instructionCount, inputs: verdict.inputsRun,
                                outcomes: verdict.outcomes, coverage: generated.coverage,
                                shapes: generated.shapes + verdict.shapes, finding: verdict.finding)
        if source.skipsUnjudgeableCases, let finding = verdict.finding, let reason = Self.skipReason(finding) {
            result.finding = nil
            result.skipReason = reason
        }
        return result
    }

    /// The text case `index` is judged as: with `test aot` first when it is one of every
    /// `aheadOfTimeEvery` cases.
    public static func text(_ text: String, ofCase index: UInt64, aheadOfTimeEvery: UInt64?) -> String {
        guard let every = aheadOfTimeEvery, every > 0, index % every == 0 else { return text }
        return "test aot\n" + text
    }

    /// Why a finding is a case the harness cannot judge rather than a bug: a feature
    /// Egret does not support yet, or an interpreter limit; nil for a real finding.
    static func skipReason(_ finding: Finding) -> String? {
        switch finding.signature.kind {
        case .unsupported:
            return "backend: unsupported " + finding.signature.location
        case .invalidCase:
            let detail = finding.detail
            if let range = detail.range(of: "unsupported: ") {
                let feature = detail[range.upperBound...]
                return "interpreter: unsupported " + (feature.range(of: " in %").map { feature[..<$0.lowerBound] } ?? feature)
            }
            if detail.contains("fuel") { return "runs past the interpreter's fuel" }
            if detail.contains("invalid program") {
                return "interpreter: invalid at run time (a call through a signature its callee does not have, …)"
            }
            return nil
        case .trapMismatch where finding.detail.contains("trap stk_ovf"):
            // One executor ran out of the shared stack budget (StackBudget) and the
            // other did not: the interpreter's cost of a frame only estimates the
            // compiled one, so recursion near the budget's edge can end either way.
            return "recurses to the edge of the stack budget"
        case .valueMismatch, .trapMismatch, .heapMismatch, .compileError, .executionError, .crash, .timeout:
            return nil
        }
    }
}
