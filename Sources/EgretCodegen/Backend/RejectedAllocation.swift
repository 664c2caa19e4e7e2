import EgretIR

/// A register allocation RegAllocChecker rejected, traced from the machine instruction
/// it failed at back to the IR instruction whose lowering emitted it: the form in
/// which `Compiler.compile` reports a checker failure (`CodegenError
/// .rejectedAllocation`).
///
///     checker: in %f, iadd.i32 (rule iadd) at vcode 2 (addl %v6, %v6, %v9):
///              use of %v6 reads %r0, which holds %v11
///
/// Machine instructions are what the checker sees, but a finding is about the rule
/// that emitted them; `culprit` names that rule the way mismatch findings do.
public struct RejectedAllocation: Hashable, Sendable, CustomStringConvertible {
    public var function: ExternalName
    /// What emitted the instruction the checker failed at.
    public var source: VCodeSource
    /// The IR instruction as `opcode.type` (`iadd.i32`, `Function.opcodeAndType`), or,
    /// for lowering's own glue, what it is (`block arguments`, `parameters`).
    public var instruction: String
    /// The rule that lowered the IR instruction (nil for glue).
    public var rule: String?
    public var failure: CheckerFailure

    public init(function: ExternalName, source: VCodeSource, instruction: String, rule: String?,
                failure: CheckerFailure) {
        self.function = function
        self.source = source
        self.instruction = instruction
        self.rule = rule
        self.failure = failure
    }

    /// `iadd.i32 via iadd`, or `block arguments`: what a finding's signature names.
    public var culprit: String {
        guard let rule else { return instruction }
        return "\(instruction) via \(rule)"
    }

    public var description: String {
        let rulePart = rule.map { " (rule \($0))" } ?? ""
        return "checker: in \(function), \(instruction)\(rulePart) at vcode \(failure.instruction) "
            + "(\(failure.instructionText)): \(failure.detail)"
    }
}

extension RejectedAllocation {
    /// Traces `failure`, found in `lowered` (the lowering of `function` under
    /// `options`), back to its IR instruction and rule. When the sources and rules
    /// were not recorded, the function is lowered again with recording on: lowering is
    /// deterministic, so that gives the same code, and the hot path pays nothing until
    /// a bug has been found. Nil when `failure` names no instruction of the code.
    init?(_ failure: CheckerFailure, in function: Function, lowered: LoweredFunction, options: LoweringOptions) {
        var traced = lowered
        if !options.recordSources || !options.recordRules {
            var recording = options
            recording.recordRules = true
            recording.recordSources = true
            // The same code, up to what a planted bug rewrote in place after lowering.
            guard let again = try? X64Lowering.lower(function, options: recording),
                  again.vcode.blocks == lowered.vcode.blocks else { return nil }
            traced = again
        }
        guard traced.vcodeSources.indices.contains(failure.instruction) else { return nil }
        let source = traced.source(ofVCode: failure.instruction)
        switch source {
        case .instruction(let inst):
            self.init(function: function.name, source: source, instruction: function.opcodeAndType(of: inst),
                      rule: traced.appliedRules[inst], failure: failure)
        case .blockArguments:
            self.init(function: function.name, source: source, instruction: "block arguments", rule: nil,
                      failure: failure)
        case .parameters:
            self.init(function: function.name, source: source, instruction: "parameters", rule: nil,
                      failure: failure)
        }
    }
}
