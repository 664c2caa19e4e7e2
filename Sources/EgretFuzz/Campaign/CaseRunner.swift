import EgretIR

/// Generates and judges cases of one campaign, in whatever process runs it (a worker,
/// or the test suite directly).
public struct CaseRunner {
    public let seed: UInt64
    public let generator: ModuleGenerator
    public let oracle: DifferentialOracle

    public init(seed: UInt64, configuration: GeneratorConfiguration = GeneratorConfiguration(),
                oracleOptions: DifferentialOracle.Options = DifferentialOracle.Options()) {
        self.seed = seed
        generator = ModuleGenerator(configuration: configuration)
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
    }

    /// Generates case `index`, calls `beforeRunning` with its text (the worker writes it
    /// to disk there, before compiled code can take the process down), then judges it.
    public func run(index: UInt64, beforeRunning: (String) -> Void = { _ in }) -> CaseResult {
        let generated = generator.generate(seed: seed, index: index)
        beforeRunning(generated.text)
        let verdict = oracle.check(text: generated.text, fileName: "seed\(seed)-case\(index).clif")
        return CaseResult(index: index, instructions: generated.instructionCount, inputs: verdict.inputsRun,
                          outcomes: verdict.outcomes, coverage: generated.coverage,
                          shapes: generated.shapes + verdict.shapes, finding: verdict.finding)
    }
}
