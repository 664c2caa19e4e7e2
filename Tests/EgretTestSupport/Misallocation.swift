@_spi(Testing) import EgretCodegen
import EgretIR

/// One deliberately wrong register in the allocation of real code, so that the
/// allocation checker's reports (`RejectedAllocation`) can be tested end to end. It
/// reaches the compiler as an `afterAllocate` hook (`hooks`).
///
/// In the first machine instruction the rule `rule` emitted that reads a virtual
/// register through an unconstrained operand, that operand is given the first
/// register of its class (in the allocator's order) that no operand of the
/// instruction has: the instruction reads a value other than its own.
public struct Misallocation: Hashable, Sendable {
    /// The lowering rule whose code is misallocated (`iadd`).
    public var rule: String

    public init(rule: String) {
        self.rule = rule
    }

    /// The compiler hooks that plant this misallocation.
    public var hooks: CompilerHooks {
        var hooks = CompilerHooks()
        let misallocation = self
        hooks.readsLoweringRecords = true
        hooks.afterAllocate = { allocation, lowered, environment in
            allocation = misallocation.applied(to: allocation, of: lowered, environment: environment)
        }
        return hooks
    }

    /// `allocation` with one operand's register changed; unchanged when the rule
    /// emitted no instruction with such an operand. Requires `lowered.appliedRules`
    /// and its sources (`readsLoweringRecords`).
    public func applied(to allocation: RegAllocation, of lowered: LoweredFunction,
                        environment: RegisterEnvironment) -> RegAllocation {
        var allocation = allocation
        var collector = OperandCollector()
        for index in lowered.vcode.insts.indices {
            guard case .instruction(let inst) = lowered.source(ofVCode: index),
                  lowered.appliedRules[inst] == rule else { continue }
            collector.reset()
            var instruction = lowered.vcode.insts[index]
            instruction.visitOperands(&collector)
            let given = allocation.allocations(ofInstruction: index)
            for (operand, offset) in zip(collector.operands, given.indices) {
                guard operand.kind == .use, operand.reg.virtual != nil, operand.constraint == .any,
                      let other = environment.registers(of: operand.reg.regClass).first(where: { !given.contains($0) })
                else { continue }
                allocation.operandAllocations[offset] = other
                return allocation
            }
        }
        return allocation
    }
}
