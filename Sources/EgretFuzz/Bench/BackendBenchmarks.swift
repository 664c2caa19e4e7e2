import EgretCodegen
import EgretHarness
import EgretIR
import Foundation

/// Compile-speed benchmarks of the backend on dense random integer code (the shape the
/// backend issue measures Cranelift on): cost per IR instruction on large functions,
/// and per function on 10-instruction functions, each including lowering, register
/// allocation and emission, with the per-phase split. Medians of several runs; run
/// from a release build.
public enum BackendBenchmarks {
    public struct CompileFigure: Sendable {
        public var name: String
        /// Median microseconds per unit (instruction or function).
        public var microsecondsPerUnit: Double
        public var unit: String
        /// Share of each phase in the median run, by phase name.
        public var phaseShares: [(String, Double)]
        public var runs: Int
    }

    /// Compiles one large function of `instructions` instructions, `runs` times.
    public static func largeFunction(instructions: Int = 20_000, runs: Int = 5) throws -> CompileFigure {
        let text = FoundationBenchmarks.denseIntegerFunction(instructions: instructions, seed: 7)
        let function = try CLIFParser.parse(text, fileName: "large.clif").functions[0]
        return try measure(name: "large function", functions: [function], unit: "IR instruction",
                           units: function.instructionCount, runs: runs)
    }

    /// Compiles `count` functions of 10 instructions each, `runs` times.
    public static func smallFunctions(count: Int = 500, runs: Int = 5) throws -> CompileFigure {
        var functions: [Function] = []
        for seed in 0 ..< count {
            let text = FoundationBenchmarks.denseIntegerFunction(instructions: 8, seed: UInt64(seed) &+ 100)
            functions += try CLIFParser.parse(text, fileName: "small.clif").functions
        }
        return try measure(name: "10-instruction functions", functions: functions, unit: "function",
                           units: functions.count, runs: runs)
    }

    /// What writing an object (`egret compile -o`: the object's bytes and the file)
    /// adds to compiling one function of `instructions` dense instructions, as a
    /// fraction of the compile time: the median of `runs` runs.
    public static func objectWriting(format: ObjectFormat = .elf, instructions: Int = 10_000,
                                     runs: Int = 5) throws -> Double {
        let text = FoundationBenchmarks.denseIntegerFunction(instructions: instructions, seed: 11)
        let function = try CLIFParser.parse(text, fileName: "object.clif").functions[0]
        let path = NSTemporaryDirectory() + "egret-bench-\(getpid()).o"
        defer { unlink(path) }
        var ratios: [Double] = []
        for _ in 0 ..< runs {
            let start = DispatchTime.now().uptimeNanoseconds
            let compiled = try Compiler.compile(function)
            let compiledAt = DispatchTime.now().uptimeNanoseconds
            let bytes = try format.bytes(of: [ObjectFunction(compiled)], sourceFileName: "object.clif")
            try OutputFile.write(bytes: bytes, to: path)
            let end = DispatchTime.now().uptimeNanoseconds
            ratios.append(Double(end - compiledAt) / Double(max(compiledAt - start, 1)))
        }
        return ratios.sorted()[ratios.count / 2]
    }

    static func measure(name: String, functions: [Function], unit: String, units: Int, runs: Int) throws
        -> CompileFigure {
        var samples: [(Double, PhaseTimings)] = []
        for _ in 0 ..< runs {
            var timings = PhaseTimings()
            let start = DispatchTime.now().uptimeNanoseconds
            for function in functions {
                timings.add(try Compiler.compile(function).timings)
            }
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1000
            samples.append((elapsed / Double(max(units, 1)), timings))
        }
        samples.sort { $0.0 < $1.0 }
        let (median, timings) = samples[samples.count / 2]
        let total = Double(max(timings.total, 1))
        let shares = PhaseTimings.Phase.allCases.filter { timings[$0] > 0 }
            .map { ($0.rawValue, Double(timings[$0]) / total) }
        return CompileFigure(name: name, microsecondsPerUnit: median, unit: unit, phaseShares: shares, runs: runs)
    }
}
