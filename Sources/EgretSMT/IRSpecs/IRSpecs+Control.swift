import EgretIR

/// Division and remainder (with their traps), conditional and unconditional traps,
/// branches, loads and stores.
extension IRSpecs {
    // MARK: Division

    /// `udiv`/`urem`/`sdiv`/`srem`: traps `int_divz` on a zero divisor; `sdiv` also
    /// `int_ovf` on MIN / -1; `srem` MIN % -1 is 0.
    static func divide(_ inputs: IRInputs, signed: Bool, remainder: Bool) throws -> IROutcome {
        let x = try inputs.operand(0), y = try inputs.operand(1)
        let result: BitVector
        switch (signed, remainder) {
        case (false, false): result = x.udiv(y)
        case (false, true): result = x.urem(y)
        case (true, false): result = x.sdiv(y)
        case (true, true): result = x.srem(y)
        }
        var outcome = IROutcome(results: [result])
        outcome.traps.append((y.isZero, .integerDivisionByZero))
        if signed && !remainder {
            let minimum = x.constant(1 << UInt64(x.width - 1))
            outcome.traps.append((x == minimum && y == x.constant(signed: -1), .integerOverflow))
        }
        return outcome
    }

    static func addWithTrap(_ inputs: IRInputs) throws -> IROutcome {
        let (value, carry) = try overflowing(inputs, .unsignedAdd)
        var outcome = IROutcome(results: [value])
        outcome.traps.append((carry, inputs.trapCode))
        return outcome
    }

    static func conditionalTrap(_ inputs: IRInputs, whenZero: Bool) throws -> IROutcome {
        let condition = try inputs.operand(0)
        var outcome = IROutcome(results: [])
        outcome.traps.append((whenZero ? condition.isZero : !condition.isZero, inputs.trapCode))
        return outcome
    }

    static func unconditionalTrap(_ inputs: IRInputs) -> IROutcome {
        var outcome = IROutcome(results: [])
        outcome.traps.append((inputs.context.boolean(true), inputs.trapCode))
        return outcome
    }

    // MARK: Branches

    /// The edge taken, as a 32-bit index: `jump` 0; `brif` 0 (then) when the condition
    /// is non-zero, else 1; `br_table` 1 + index when the i32 index is below the table
    /// size (edgeCount - 1), else 0 (the default).
    static func jump(_ inputs: IRInputs) -> IROutcome {
        var outcome = IROutcome(results: [])
        outcome.edge = inputs.context.bitVector(0, width: 32)
        return outcome
    }

    static func branchIf(_ inputs: IRInputs) throws -> IROutcome {
        let condition = try inputs.operand(0)
        var outcome = IROutcome(results: [])
        let context = inputs.context
        outcome.edge = condition.isZero.select(context.bitVector(1, width: 32), context.bitVector(0, width: 32))
        return outcome
    }

    static func branchTable(_ inputs: IRInputs) throws -> IROutcome {
        let index = try inputs.operand(0).zeroExtended(to: 32)
        let tableSize = UInt64(max(inputs.edgeCount - 1, 0))
        var outcome = IROutcome(results: [])
        outcome.edge = index.ult(index.constant(tableSize)).select(index + index.constant(1), index.constant(0))
        return outcome
    }

    // MARK: Memory

    /// How many bytes a load or store of `opcode` accesses at `type`, and how a load
    /// extends them.
    static func access(_ opcode: Opcode, type: IRType) -> (bytes: Int, signed: Bool) {
        let access = opcode.info.access ?? .wholeValue
        return (access.bytes(at: type), access.signExtends)
    }

    /// The trap of an access: the flags' code when `faults(address, bytes)`; none for
    /// `notrap`.
    static func accessTraps(_ inputs: IRInputs, address: BitVector, bytes: Int) throws
        -> [(condition: Boolean, code: TrapCode)] {
        guard let code = inputs.memoryFlags.trapCode else { return [] }
        guard let faults = inputs.faults else { throw SMTError.internalError("a memory access without faults") }
        return [(faults(address, inputs.context.bitVector(UInt64(bytes), width: 8)), code)]
    }

    /// Loads: the bytes at the address in the flags' byte order, extended to the type.
    static func load(_ inputs: IRInputs) throws -> IROutcome {
        guard let memory = inputs.memory else { throw SMTError.internalError("a load without memory") }
        let address = try inputs.operand(0)
        let (bytes, signed) = access(inputs.opcode, type: inputs.type)
        var raw = memory.load(bytes, at: address)
        if inputs.memoryFlags.endianness == .big { raw = swapBytes(raw) }
        var outcome = IROutcome(results: [signed ? raw.signExtended(to: inputs.width) : raw.zeroExtended(to: inputs.width)])
        outcome.traps = try accessTraps(inputs, address: address, bytes: bytes)
        return outcome
    }

    /// Stores: the low bytes of the value at the address in the flags' byte order.
    static func store(_ inputs: IRInputs) throws -> IROutcome {
        guard let memory = inputs.memory else { throw SMTError.internalError("a store without memory") }
        let value = try inputs.operand(0), address = try inputs.operand(1)
        let (bytes, _) = access(inputs.opcode, type: inputs.type)
        var stored = value.low(bytes * 8)
        if inputs.memoryFlags.endianness == .big { stored = swapBytes(stored) }
        var outcome = IROutcome(results: [])
        outcome.memory = memory.storing(bytes, of: stored, at: address)
        outcome.writtenAddresses = (0 ..< bytes).map { address + address.constant(UInt64($0)) }
        outcome.traps = try accessTraps(inputs, address: address, bytes: bytes)
        return outcome
    }
}
