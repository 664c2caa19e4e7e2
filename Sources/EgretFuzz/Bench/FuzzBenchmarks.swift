import Foundation

/// Fuzzing throughput on one core: cases generated and judged per second in this
/// process (no worker round trips), with the default configuration.
public enum FuzzBenchmarks {
    public struct Figure: Sendable {
        public var casesPerSecond: Double
        public var instructionsPerCase: Double
        public var inputsPerCase: Double
        public var runs: Int
    }

    /// The median of `runs` runs of `cases` cases each (seed 1).
    public static func casesPerSecond(cases: Int = 2000, runs: Int = 3) -> Figure {
        let runner = CaseRunner(seed: 1)
        var rates: [Double] = []
        var instructions = 0, inputs = 0
        for _ in 0 ..< runs {
            instructions = 0
            inputs = 0
            let start = Date()
            for index in 0 ..< UInt64(cases) {
                let result = runner.run(index: index)
                instructions += result.instructions
                inputs += result.inputs
            }
            rates.append(Double(cases) / Date().timeIntervalSince(start))
        }
        rates.sort()
        return Figure(casesPerSecond: rates[rates.count / 2], instructionsPerCase: Double(instructions) / Double(cases),
                      inputsPerCase: Double(inputs) / Double(cases), runs: runs)
    }
}
