import EgretCodegen
import EgretIR

/// The control-flow, call and frame shapes a campaign reports beside opcode × type
/// coverage: how blocks end, which conventions call which, whether arguments reach
/// the stack, whether register allocation spilled and which registers frames saved.
/// The generator names what it writes (`GeneratedCase.shapes`), the oracle what
/// compiling produced (`DifferentialOracle.Verdict.shapes`); this is the list the
/// report checks them against, so a shape that never occurs shows as 0.
public enum ShapeCoverage {
    /// Every shape the generator and the oracle can report under `configuration`.
    public static func expected(configuration: GeneratorConfiguration) -> [String] {
        var shapes = ["branch: jump", "branch: brif", "branch: br_table", "branch: br_table, empty table", "branch: loop",
                      "call: stack arguments", "call: return area", "regalloc: spills",
                      "frame: callee-saved registers", "heap"]
        if configuration.terminatorWeights.trap > 0 { shapes.append("branch: trap") }
        let conventions = BackendSupport.conventions.filter { (configuration.conventionWeights[$0] ?? 0) > 0 }
        for caller in conventions {
            for callee in conventions { shapes.append("call: \(caller.name) → \(callee.name)") }
        }
        if conventions.contains(.tail) && configuration.returnCallPercent > 0 {
            shapes += ["call: tail call", "call: tail call, indirect", "tail call: stack arguments"]
        }
        if conventions.contains(.windowsFastcall) && configuration.supportedTypes.contains(where: \.isFloat) {
            shapes.append("frame: xmm registers saved")
        }
        if configuration.instructionWeights.atomic > 0 {
            shapes += FunctionEmitter<SeededByteSource>.atomicOperations.map { "atomic: \($0)" }
        }
        return shapes
    }
}
