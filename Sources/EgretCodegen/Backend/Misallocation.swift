/// Test-only: one deliberately wrong register in the allocation of real code, so that
/// the checker's reports (`RejectedAllocation`) can be tested end to end. Reachable
/// only through `@_spi(Testing) import`, as `Compiler.Options.misallocation`.
///
/// In the first machine instruction the rule `rule` emitted that reads a virtual
/// register through an unconstrained operand, that operand is given the first
/// register of its class (in the allocator's order) that no operand of the
/// instruction has: the instruction reads a value other than its own.
@_spi(Testing) public struct Misallocation: Hashable, Sendable {
    /// The lowering rule whose code is misallocated (`iadd`).
    public var rule: String

    public init(rule: String) {
        self.rule = rule
    }

    /// `allocation` with one operand's register changed; unchanged when the rule
    /// emitted no instruction with such an operand. Requires `lowered.appliedRules`.
    func applied(to allocation: RegAllocation, of lowered: LoweredFunction,
                 environment: RegisterEnvironment) throws -> RegAllocation {
        var allocation = allocation
        let table = try OperandTable(lowered.vcode.insts)
        for index in lowered.vcode.insts.indices {
            guard case .instruction(let inst) = lowered.source(ofVCode: index),
                  lowered.appliedRules[inst] == rule else { continue }
            let given = allocation.allocations(ofInstruction: index)
            for (operandIndex, offset) in zip(table.range(index), given.indices) {
                let operand = table.operands[operandIndex]
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
