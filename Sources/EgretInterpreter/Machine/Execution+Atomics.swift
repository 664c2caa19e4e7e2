import EgretIR

/// `atomic_rmw` and `atomic_cas`. The interpreter runs one thread, so an atomic access
/// is a read followed by a write with nothing in between; `atomic_load`,
/// `atomic_store` and `fence` need no special treatment at all.
extension Execution {
    /// Performs an atomic read-modify-write or compare-and-swap; the destination
    /// register receives the old value. Returns the trap code if the access faults.
    func atomic(_ instruction: MicroInstruction, _ registers: UnsafeMutablePointer<Register>) -> TrapCode? {
        let bits = instruction.bits
        let address = Self.effectiveAddress(registers[Int(instruction.a)].low, instruction)
        guard let pointer = memory.bytes(at: address, count: Int(bits &>> 3)) else {
            return TrapCode(raw: instruction.code)
        }
        let bigEndian = instruction.flags & MemoryAccessFlags.bigEndian != 0
        let old = AddressSpace.read(pointer, bits: bits, bigEndian: bigEndian)
        let operand = registers[Int(instruction.b)]
        let new: Register
        if instruction.op == .atomicCas {
            new = old == operand ? registers[Int(instruction.c)] : old
        } else {
            new = Register(Self.readModifyWrite(instruction.otherBits, old.wide, operand.wide, bits))
        }
        AddressSpace.write(new, to: pointer, bits: bits, bigEndian: bigEndian)
        registers[Int(instruction.destination)] = old
        return nil
    }

    /// The value `atomic_rmw` stores: `old op operand`, truncated to `bits`.
    static func readModifyWrite(_ operation: UInt8, _ old: UInt128, _ operand: UInt128, _ bits: UInt8) -> UInt128 {
        guard let operation = AtomicRmwOp(rawValue: operation) else { return old }
        let mask = WideMask.mask(bits)
        let unused = 128 - UInt128(bits)
        let signedOld = Int128(bitPattern: old << unused) >> Int128(unused)
        let signedOperand = Int128(bitPattern: operand << unused) >> Int128(unused)
        switch operation {
        case .add: return (old &+ operand) & mask
        case .sub: return (old &- operand) & mask
        case .and: return old & operand
        case .nand: return ~(old & operand) & mask
        case .or: return old | operand
        case .xor: return old ^ operand
        case .xchg: return operand
        case .umin: return min(old, operand)
        case .umax: return max(old, operand)
        case .smin: return signedOld < signedOperand ? old : operand
        case .smax: return signedOld > signedOperand ? old : operand
        }
    }
}
