import EgretIR

/// The atomic read-modify-write loops (`atomicRmwLoop`, `atomicRmwLoop128`), called
/// from the exhaustive switches of X64Inst+Encode/Print/Properties.swift.
///
/// `atomicRmwLoop` (and its 16-byte twin) is a pseudo-instruction: `atomicLoopBody` spells it out as real
/// forms (a load, a copy, the operation, `lock cmpxchg`) plus a short `jne` back to
/// the copy, so its bytes and its text are those of the forms it is made of and the
/// encoder tests check them against llvm-mc like any other sequence. Its label is
/// internal: the backward jump is a rel8 computed from the body's length.
extension X64Inst {
    // MARK: Encoding

    /// The loop's body, then `jne` (jcc's D8, 75 rel8) back to its second instruction.
    static func encodeAtomicRmwLoop(_ body: AtomicLoopBody, into buffer: inout CodeBuffer) {
        for inst in body.load { inst.encode(into: &buffer) }
        let again = buffer.bytes.count
        for inst in body.retried { inst.encode(into: &buffer) }
        let encoding = FormID.jcc.encoding
        let jne = FormID.jcc.need(encoding.d8, "D8")
        let distance = buffer.bytes.count + jne.length + 1 - again
        precondition(distance <= 128, "x64 encoder: an atomic loop body of \(distance) bytes is beyond a rel8 jump")
        buffer.emitBare(encoding, jne, size: nil, plus: CC.ne.rawValue)
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
        var load: [X64Inst]
        var retried: [X64Inst]
    }

    static func atomicLoopBody(op: AtomicLoopOp, size: OperandSize, byteSwapped: Bool, operand: Gpr, mem: Amode,
                               temp: Writable<Gpr>, dstOld: Writable<Gpr>) -> AtomicLoopBody {
        let old = dstOld.reg
        let load: [X64Inst]
        switch size {
        case .size8: load = [.movzx(.bl, src: .mem(mem), dst: dstOld)]
        case .size16: load = [.movzx(.wl, src: .mem(mem), dst: dstOld)]
        case .size32, .size64: load = [.load(size: size, src: mem, dst: dstOld)]
        }
        if op == .xchg {
            // The new value does not depend on the old one: no copy, no swap.
            return AtomicLoopBody(load: load, retried: [
                .movRR(size: .size64, src: operand, dst: temp),
                .lockCmpxchg(size: size, replacement: temp.reg, expected: old, mem: mem, dstOld: dstOld),
            ])
        }
        var retried: [X64Inst] = [.movRR(size: .size64, src: old, dst: temp)]
        let swap: X64Inst?
        switch size {
        case .size8: swap = nil
        case .size16: swap = .shiftR(.rol, size: .size16, src: temp.reg, count: .imm(8), dst: temp)
        case .size32, .size64: swap = .unary(.bswap, size: size, src: temp.reg, dst: temp)
        }
        if byteSwapped, let swap { retried.append(swap) }
        if let aluForm = op.aluForm {
            retried.append(.aluRmiR(aluForm, size: size, src1: temp.reg, src2: .reg(operand), dst: temp))
            if op == .nand { retried.append(.unary(.not, size: size, src: temp.reg, dst: temp)) }
        } else if let cc = op.replaceCondition {
            // cmov has no 8-bit form; its 32-bit form writes the low bits cmpxchg reads.
            retried.append(.cmpRmiR(.cmp, size: size, src1: temp.reg, src2: .reg(operand)))
            retried.append(.cmove(size: size == .size64 ? .size64 : .size32, cc: cc, consequent: .reg(operand),
                                  alternative: temp.reg, dst: temp))
        }
        if byteSwapped, let swap { retried.append(swap) }
        retried.append(.lockCmpxchg(size: size, replacement: temp.reg, expected: old, mem: mem, dstOld: dstOld))
        return AtomicLoopBody(load: load, retried: retried)
    }

    /// The body of `atomicRmwLoop128` (see its documentation in X64Inst.swift).
    static func atomicLoopBody128(op: AtomicLoopOp, byteSwapped: Bool, operand: GprPair, mem: Amode,
                                  scratch: Writable<Gpr>, temp: WritableGprPair,
                                  dstOld: WritableGprPair) -> AtomicLoopBody {
        let load: [X64Inst] = [.load(size: .size64, src: mem, dst: dstOld.low),
                               .load(size: .size64, src: secondHalf(of: mem), dst: dstOld.high)]
        var retried: [X64Inst] = []
        func copy(_ low: Gpr, _ high: Gpr) {
            retried.append(.movRR(size: .size64, src: low, dst: temp.low))
            retried.append(.movRR(size: .size64, src: high, dst: temp.high))
        }
        func pairwise(_ lowForm: FormID, _ highForm: FormID) {
            retried.append(.aluRmiR(lowForm, size: .size64, src1: temp.low.reg, src2: .reg(operand.low), dst: temp.low))
            retried.append(.aluRmiR(highForm, size: .size64, src1: temp.high.reg, src2: .reg(operand.high),
                                    dst: temp.high))
        }
        /// Flags of the 128-bit `lhs - rhs` (CF and SF/OF; ZF is not meaningful).
        func compare(_ lhs: GprPair, _ rhs: GprPair) {
            retried.append(.movRR(size: .size64, src: lhs.high, dst: scratch))
            retried.append(.cmpRmiR(.cmp, size: .size64, src1: lhs.low, src2: .reg(rhs.low)))
            retried.append(.aluRmiR(.sbb, size: .size64, src1: scratch.reg, src2: .reg(rhs.high), dst: scratch))
        }
        func replace(when cc: CC) {
            retried.append(.cmove(size: .size64, cc: cc, consequent: .reg(operand.low), alternative: temp.low.reg,
                                  dst: temp.low))
            retried.append(.cmove(size: .size64, cc: cc, consequent: .reg(operand.high), alternative: temp.high.reg,
                                  dst: temp.high))
        }
        switch op {
        case .xchg:
            copy(operand.low, operand.high)
        case .add, .sub, .and, .nand, .or, .xor, .umin, .umax, .smin, .smax:
            copy(dstOld.low.reg, dstOld.high.reg)
        }
        /// rcx:rbx with its 16 bytes reversed.
        func swap() {
            retried.append(.unary(.bswap, size: .size64, src: temp.low.reg, dst: temp.low))
            retried.append(.unary(.bswap, size: .size64, src: temp.high.reg, dst: temp.high))
            retried.append(.movRR(size: .size64, src: temp.low.reg, dst: scratch))
            retried.append(.movRR(size: .size64, src: temp.high.reg, dst: temp.low))
            retried.append(.movRR(size: .size64, src: scratch.reg, dst: temp.high))
        }
        let swaps = byteSwapped && op != .xchg
        if swaps { swap() }
        switch op {
        case .xchg: break
        case .add: pairwise(.add, .adc)
        case .sub: pairwise(.sub, .sbb)
        case .and: pairwise(.and, .and)
        case .or: pairwise(.or, .or)
        case .xor: pairwise(.xor, .xor)
        case .nand:
            pairwise(.and, .and)
            retried.append(.unary(.not, size: .size64, src: temp.low.reg, dst: temp.low))
            retried.append(.unary(.not, size: .size64, src: temp.high.reg, dst: temp.high))
        case .umin, .smin:
            // Replace when operand < temp.
            compare(operand, temp.regs)
            replace(when: op == .umin ? .b : .l)
        case .umax, .smax:
            // Replace when temp < operand.
            compare(temp.regs, operand)
            replace(when: op == .umax ? .b : .l)
        }
        if swaps { swap() }
        retried.append(.lockCmpxchg16b(replacement: temp.regs, expected: dstOld.regs, mem: mem, dstOld: dstOld))
        return AtomicLoopBody(load: load, retried: retried)
    }

    /// The memory operand 8 bytes above `amode` (the high half of a 16-byte access).
    /// Lowering rejects addresses where that does not exist (rip-relative, or a
    /// displacement at the edge of 32 bits).
    static func secondHalf(of amode: Amode) -> Amode {
        var second = amode
        switch amode.address {
        case .base(let base, let displacement):
            second.address = .base(base, displacement: displacement &+ 8)
        case .baseIndex(let base, let index, let scale, let displacement):
            second.address = .baseIndex(base, index: index, scale: scale, displacement: displacement &+ 8)
        case .frame(let place, let displacement):
            second.address = .frame(place, displacement: displacement &+ 8)
        case .ripRelative:
            preconditionFailure("x64: a 16-byte atomic loop through a rip-relative address")
        }
        return second
    }

    // MARK: Text

    /// `load; retried…; jne .-N`, N the bytes from the copy to the jne. Before
    /// register allocation (or frame layout) the length is unknown: `jne .Lagain`.
    static func atomicRmwLoopText(_ body: AtomicLoopBody) -> String {
        let parts = (body.load + body.retried).map(\.description)
        let encodable = (body.load + body.retried).allSatisfy(\.isEncodable)
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
