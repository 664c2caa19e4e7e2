import EgretCodegen
import EgretIR

/// The x86-64 machine state the instruction specs act on, symbolically.
///
///     registers   64 bits each, by register (virtual before allocation). A register
///                 read before anything wrote it is an unspecified value.
///     flags       CF ZF SF OF PF as Booleans; an instruction that leaves a flag
///                 undefined writes a fresh, unconstrained one.
///     memory      bytes by 64-bit address; `faults(address, bytes)` says whether an
///                 access faults (shared with the IR side).
///     control     `active` until the code traps or branches; `traps` lists each trap
///                 condition (already conjoined with `active`) and its code; `edge`
///                 is the label index of the branch taken.
///
/// Partial writes follow the hardware: a 32-bit write zero-extends into the whole
/// register, an 8- or 16-bit write keeps the upper bits of the register written
/// (the first source, for forms whose destination reuses it).
public struct MachineState {
    public let context: Z3Context
    public var registers: [UInt32: BitVector] = [:]
    public var carry, zero, sign, overflow, parity: Boolean
    public var memory: Memory
    /// Every byte address a store may have written (so that memories can be compared
    /// where they can differ, instead of everywhere).
    public var writtenAddresses: [BitVector] = []
    /// Every access (load or store) the code made: its first byte's address and its
    /// width (so that a counterexample can be placed where its accesses land).
    public var accesses: [(address: BitVector, bytes: Int)] = []
    public let faults: Predicate
    /// Addresses of stack slots, by slot index.
    public var stackSlots: [UInt32: BitVector] = [:]
    /// Execution continues (no trap, no branch so far).
    public var active: Boolean
    public var traps: [(condition: Boolean, code: TrapCode)] = []
    /// Whether a branch was taken, and to which label (32-bit index).
    public var branched: Boolean
    public var edge: BitVector
    /// The values `ret` returns, by the physical register they are returned in.
    public var returned: [(register: PReg, value: BitVector)] = []
    /// Conditions the instruction specs rely on, to be proven separately (the signed
    /// divide's "rdx:rax is the sign extension of rax"), each with its reason.
    public var obligations: [(condition: Boolean, reason: String)] = []
    /// Turns a concrete immediate of an instruction back into a term: the rule
    /// verifier maps the immediates a symbolic constant produced to that constant.
    public var liftImmediate32: (Int32) -> BitVector
    public var liftImmediate64: (UInt64) -> BitVector

    public init(context: Z3Context, memory: Memory, faults: Predicate) {
        self.context = context
        self.memory = memory
        self.faults = faults
        carry = context.boolean(context.freshName("cf"))
        zero = context.boolean(context.freshName("zf"))
        sign = context.boolean(context.freshName("sf"))
        overflow = context.boolean(context.freshName("of"))
        parity = context.boolean(context.freshName("pf"))
        active = context.boolean(true)
        branched = context.boolean(false)
        edge = context.bitVector(0, width: 32)
        liftImmediate32 = { context.bitVector(signed: Int64($0), width: 32) }
        liftImmediate64 = { context.bitVector($0, width: 64) }
    }

    // MARK: Registers

    /// The full 64 bits of `gpr`.
    public mutating func read(_ gpr: Gpr) -> BitVector {
        if let value = registers[gpr.reg.raw] { return value }
        let value = context.freshBitVector("undefined_\(gpr)", width: 64)
        registers[gpr.reg.raw] = value
        return value
    }

    /// The low `size` bits of `gpr`.
    public mutating func read(_ gpr: Gpr, _ size: OperandSize) -> BitVector {
        read(gpr).low(size.bits)
    }

    /// Writes `value` (of `size` bits) to `dst`: zero-extended at 32 and 64 bits; at 8
    /// and 16 bits into the low bits of `keeping` (the register's previous content:
    /// the reused source, or `dst`'s own).
    public mutating func write(_ dst: Writable<Gpr>, _ value: BitVector, _ size: OperandSize, keeping: Gpr? = nil) {
        let full: BitVector
        switch size {
        case .size64, .size32:
            full = value.zeroExtended(to: 64)
        case .size8, .size16:
            full = read(keeping ?? dst.reg).replacing(bitsFrom: 0, with: value)
        }
        registers[dst.reg.reg.raw] = full
    }

    public mutating func setFlags(carry: Boolean, zero: Boolean, sign: Boolean, overflow: Boolean, parity: Boolean) {
        self.carry = carry
        self.zero = zero
        self.sign = sign
        self.overflow = overflow
        self.parity = parity
    }

    /// ZF, SF and PF of a result (PF: even parity of its low byte).
    public func resultFlags(_ result: BitVector) -> (zero: Boolean, sign: Boolean, parity: Boolean) {
        let low = result.low(8)
        var ones = low.extract(0, 0)
        for index in 1 ..< 8 { ones = ones ^ low.extract(index, index) }
        return (result.isZero, result.signBit, ones == context.bitVector(0, width: 1))
    }

    public func fresh(_ name: String) -> Boolean { context.boolean(context.freshName(name)) }

    /// Whether condition `cc` holds on the current flags.
    public func holds(_ cc: CC) -> Boolean {
        switch cc {
        case .o: return overflow
        case .no: return !overflow
        case .b: return carry
        case .ae: return !carry
        case .e: return zero
        case .ne: return !zero
        case .be: return carry || zero
        case .a: return !carry && !zero
        case .s: return sign
        case .ns: return !sign
        case .p: return parity
        case .np: return !parity
        case .l: return sign != overflow
        case .ge: return sign == overflow
        case .le: return zero || sign != overflow
        case .g: return !zero && sign == overflow
        }
    }

    // MARK: Control

    /// Records that the code traps with `code` when `condition` holds (and it is still
    /// running); it stops running then.
    public mutating func trap(when condition: Boolean, _ code: TrapCode) {
        let fires = active && condition
        traps.append((fires, code))
        active = active && !condition
    }

    /// A branch to `label` when `condition` holds (and the code is still running).
    public mutating func branch(when condition: Boolean, to label: MachLabel) {
        let taken = active && condition
        edge = taken.select(context.bitVector(UInt64(label.index), width: 32), edge)
        branched = branched || taken
        active = active && !condition
    }

    /// Whether the code trapped, and the code of the first trap (8 bits; 0 if none).
    public var trapSummary: (trapped: Boolean, code: BitVector) {
        var code = context.bitVector(0, width: 8)
        for entry in traps.reversed() {
            code = entry.condition.select(context.bitVector(UInt64(entry.code.raw), width: 8), code)
        }
        return (context.any(traps.map(\.condition)), code)
    }

    // MARK: Memory

    /// The address of a memory operand.
    public mutating func address(_ amode: Amode) throws -> BitVector {
        switch amode.address {
        case .base(let base, let displacement):
            return read(base) + liftImmediate32(displacement).signExtended(to: 64)
        case .baseIndex(let base, let index, let scale, let displacement):
            let scaled = read(index) * context.bitVector(UInt64(scale.factor), width: 64)
            return read(base) + scaled + liftImmediate32(displacement).signExtended(to: 64)
        case .frame(.stackSlot(let slot), let displacement):
            let slotAddress = stackSlots[slot] ?? context.bitVector("ss\(slot)", width: 64)
            stackSlots[slot] = slotAddress
            return slotAddress + liftImmediate32(displacement).signExtended(to: 64)
        case .frame(.spillSlot, _), .frame(.outgoingArguments, _), .frame(.incomingArguments, _):
            throw MachineSpecError.notModelled("frame addresses other than stack slots")
        case .ripRelative:
            throw MachineSpecError.notModelled("rip-relative addresses")
        }
    }

    /// The trap of an access of `bytes` at `address` through `amode` (none if the
    /// operand carries no trap code: the access is known not to fault).
    mutating func checkAccess(_ amode: Amode, _ address: BitVector, bytes: Int) {
        guard let code = amode.trap else { return }
        trap(when: faults(address, context.bitVector(UInt64(bytes), width: 8)), code)
    }

    public mutating func load(_ amode: Amode, bytes: Int) throws -> BitVector {
        let address = try address(amode)
        checkAccess(amode, address, bytes: bytes)
        accesses.append((address, bytes))
        return memory.load(bytes, at: address)
    }

    public mutating func store(_ value: BitVector, bytes: Int, to amode: Amode) throws {
        let address = try address(amode)
        checkAccess(amode, address, bytes: bytes)
        accesses.append((address, bytes))
        // A faulting store writes nothing; after a trap the memory is not compared.
        memory = active.select(memory.storing(bytes, of: value, at: address), memory)
        for index in 0 ..< bytes { writtenAddresses.append(address + address.constant(UInt64(index))) }
    }

    /// A register-or-memory operand at `size`.
    public mutating func operand(_ source: GprMem, _ size: OperandSize) throws -> BitVector {
        switch source {
        case .reg(let gpr): return read(gpr, size)
        case .mem(let amode): return try load(amode, bytes: size.bytes)
        }
    }

    /// A register, memory or (sign-extended) immediate operand at `size`.
    public mutating func operand(_ source: GprMemImm, _ size: OperandSize) throws -> BitVector {
        switch source {
        case .reg(let gpr): return read(gpr, size)
        case .mem(let amode): return try load(amode, bytes: size.bytes)
        case .imm(let value): return liftImmediate32(value).signExtended(to: 64).low(size.bits)
        }
    }
}

/// Why an instruction cannot be executed symbolically.
public enum MachineSpecError: Error, CustomStringConvertible, Equatable {
    /// The form (or this use of it) has no semantics yet.
    case notModelled(String)

    public var description: String {
        switch self {
        case .notModelled(let what): return "not modelled: \(what)"
        }
    }
}
