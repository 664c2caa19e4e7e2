import EgretIR

/// Encoding, text and operands of the atomic forms (`lockCmpxchg`, `xchg`,
/// `lockXadd`, `mfence`, `atomicRmwLoop`), called from the exhaustive switches of
/// X64Inst+Encode/Print/Operands.swift.
///
/// `atomicRmwLoop` is a pseudo-instruction: `atomicLoopBody` spells it out as real
/// forms (a load, a copy, the operation, `lock cmpxchg`) plus a short `jne` back to
/// the copy, so its bytes and its text are those of the forms it is made of and the
/// encoder tests check them against llvm-mc like any other sequence. Its label is
/// internal: the backward jump is a rel8 computed from the body's length.
extension X64Inst {
    // MARK: Encoding

    /// `F0 [66] [REX] 0F B0/B1 /r`: lock cmpxchg.
    static func encodeLockCmpxchg(size: OperandSize, replacement: Gpr, mem: Amode, into buffer: inout CodeBuffer) {
        buffer.emitModRM(prefixes: LegacyPrefixes.forSize(size).union(.lock), rexW: size == .size64,
                         opcode: size == .size8 ? 0x0FB0 : 0x0FB1, opcodeLength: 2,
                         reg: .reg(replacement, isByte: size == .size8), rm: .mem(mem))
    }

    /// `[66] [REX] 86/87 /r`: xchg with memory (locked by the processor).
    static func encodeXchg(size: OperandSize, operand: Gpr, mem: Amode, into buffer: inout CodeBuffer) {
        buffer.emitModRM(prefixes: .forSize(size), rexW: size == .size64, opcode: size == .size8 ? 0x86 : 0x87,
                         opcodeLength: 1, reg: .reg(operand, isByte: size == .size8), rm: .mem(mem))
    }

    /// `F0 [66] [REX] 0F C0/C1 /r`: lock xadd.
    static func encodeLockXadd(size: OperandSize, operand: Gpr, mem: Amode, into buffer: inout CodeBuffer) {
        buffer.emitModRM(prefixes: LegacyPrefixes.forSize(size).union(.lock), rexW: size == .size64,
                         opcode: size == .size8 ? 0x0FC0 : 0x0FC1, opcodeLength: 2,
                         reg: .reg(operand, isByte: size == .size8), rm: .mem(mem))
    }

    /// `0F AE F0`.
    static func encodeMfence(into buffer: inout CodeBuffer) {
        buffer.put1(0x0F)
        buffer.put1(0xAE)
        buffer.put1(0xF0)
    }

    /// The loop's body, then `jne` (75 rel8) back to its second instruction.
    static func encodeAtomicRmwLoop(_ body: AtomicLoopBody, into buffer: inout CodeBuffer) {
        body.load.encode(into: &buffer)
        let again = buffer.bytes.count
        for inst in body.retried { inst.encode(into: &buffer) }
        let distance = buffer.bytes.count + 2 - again
        precondition(distance <= 128, "x64 encoder: an atomic loop body of \(distance) bytes is beyond a rel8 jump")
        buffer.put1(0x70 | CC.ne.rawValue)
        buffer.put1(UInt8(bitPattern: Int8(-distance)))
    }

    /// The registers an address reads.
    static func registers(of address: Address) -> [Gpr] {
        switch address {
        case .base(let base, _): return [base]
        case .baseIndex(let base, let index, _, _): return [base, index]
        case .ripRelative, .frame: return []
        }
    }

    // MARK: The loop's body

    /// The real instructions an `atomicRmwLoop` stands for: `load` once, then
    /// `retried` until the `lock cmpxchg` at its end succeeds.
    struct AtomicLoopBody {
        var load: X64Inst
        var retried: [X64Inst]
    }

    static func atomicLoopBody(op: AtomicLoopOp, size: OperandSize, byteSwapped: Bool, operand: Gpr, mem: Amode,
                               temp: Writable<Gpr>, dstOld: Writable<Gpr>) -> AtomicLoopBody {
        let old = dstOld.reg
        let load: X64Inst
        switch size {
        case .size8: load = .movzx(ext: .bl, src: .mem(mem), dst: dstOld)
        case .size16: load = .movzx(ext: .wl, src: .mem(mem), dst: dstOld)
        case .size32, .size64: load = .load(size: size, src: mem, dst: dstOld)
        }
        var retried: [X64Inst] = [.movRR(size: .size64, src: old, dst: temp)]
        let swap: X64Inst?
        switch size {
        case .size8: swap = nil
        case .size16: swap = .shiftR(kind: .rol, size: .size16, src: temp.reg, count: .imm(8), dst: temp)
        case .size32, .size64: swap = .bswap(size: size, src: temp.reg, dst: temp)
        }
        if byteSwapped, let swap { retried.append(swap) }
        if let aluOp = op.aluOp {
            retried.append(.aluRmiR(op: aluOp, size: size, src1: temp.reg, src2: .reg(operand), dst: temp))
            if op == .nand { retried.append(.unary(op: .not, size: size, src: temp.reg, dst: temp)) }
        } else if let cc = op.replaceCondition {
            // cmov has no 8-bit form; its 32-bit form writes the low bits cmpxchg reads.
            retried.append(.cmpRmiR(op: .cmp, size: size, src1: temp.reg, src2: .reg(operand)))
            retried.append(.cmove(size: size == .size64 ? .size64 : .size32, cc: cc, consequent: .reg(operand),
                                  alternative: temp.reg, dst: temp))
        }
        if byteSwapped, let swap { retried.append(swap) }
        retried.append(.lockCmpxchg(size: size, replacement: temp.reg, expected: old, mem: mem, dstOld: dstOld))
        return AtomicLoopBody(load: load, retried: retried)
    }

    // MARK: Text

    /// `load; retried…; jne .-N`, N the bytes from the copy to the jne. Before
    /// register allocation (or frame layout) the length is unknown: `jne .Lagain`.
    static func atomicRmwLoopText(_ body: AtomicLoopBody) -> String {
        let parts = [body.load.description] + body.retried.map(\.description)
        let encodable = ([body.load] + body.retried).allSatisfy(\.isEncodable)
        guard encodable else { return (parts + ["jne .Lagain"]).joined(separator: "; ") }
        var buffer = CodeBuffer()
        for inst in body.retried { inst.encode(into: &buffer) }
        return (parts + ["jne .-\(buffer.bytes.count)"]).joined(separator: "; ")
    }

    /// Whether the instruction has only physical registers and no unresolved frame
    /// address, so that it can be encoded.
    var isEncodable: Bool {
        var check = VirtualRegisterFinder()
        var copy = self
        copy.visitOperands(&check)
        if check.found { return false }
        if case .frame? = memoryOperand?.address { return false }
        return true
    }
}

/// Finds whether an instruction names a virtual register.
private struct VirtualRegisterFinder: OperandVisitor {
    var found = false

    mutating func visit(_ reg: inout Reg, _ kind: OperandKind, _ constraint: OperandConstraint,
                        _ position: OperandPosition) {
        if reg.isVirtual { found = true }
    }

    mutating func clobbers(_ registers: PRegSet) {}
}

extension OperandVisitor {
    /// A general-purpose register written before the instruction's uses are last read
    /// (a temporary of a multi-instruction form): it never shares a register with a use.
    mutating func earlyDef(_ gpr: inout Writable<Gpr>) {
        var inner = gpr.reg
        visitGpr(&inner, .def, .any, .early)
        gpr = Writable(inner)
    }

    /// An early def (see `earlyDef`) in a fixed physical register.
    mutating func fixedEarlyDef(_ gpr: inout Writable<Gpr>, _ preg: PReg) {
        var inner = gpr.reg
        visitGpr(&inner, .def, .fixed(preg), .early)
        gpr = Writable(inner)
    }
}
