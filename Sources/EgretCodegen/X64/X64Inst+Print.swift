import EgretIR

/// AT&T text of each x86-64 instruction, spelled exactly as llvm-mc 14 prints the
/// same instruction: the row's mnemonic (`X64Form.spelled`), the operands in the
/// shape's order (`addl %esi, %edi`, `movq 8(%rsp,%rax,4), %rcx`, `shlq %rax`
/// for a shift by one, decimal signed immediates), so that `egret compile --disasm`,
/// `--vcode` and the encoder tests speak one language.
///
/// Before register allocation registers are virtual and print as `%v12`. Forms whose
/// destination reuses a source print both when they differ (`addl %v2, %v1, %v3`:
/// v3 = v1 + v2), which only happens before allocation. Forms with implicit fixed
/// registers append the registers they actually name when those are not yet the
/// fixed ones (`divq %v5 # %v1, %v2 -> %v3, %v4`). Labels print as `.L3`; the trap
/// code of an instruction is not part of its text (see `trapCode`).
extension X64Inst: CustomStringConvertible {
    public var description: String {
        switch self {
        case .aluRmiR(let form, let size, let src1, let src2, let dst):
            return X64Inst.twoAddress(form.row.spelled(at: size), source: X64Inst.text(src2, size), tied: src1,
                                      dst: dst,
                                      size: size)
        case .cmpRmiR(let form, let size, let src1, .mem(let amode)) where form.row.encoding.rm == nil:
            // Encoded MR (test): llvm-mc prints the ModRM.reg operand first.
            return "\(form.row.spelled(at: size)) \(X64Inst.text(src1, size)), \(X64Inst.text(amode))"
        case .cmpRmiR(let form, let size, let src1, let src2):
            return "\(form.row.spelled(at: size)) \(X64Inst.text(src2, size)), \(X64Inst.text(src1, size))"
        case .aluRmImmR(let form, let size, let src, let imm, let dst):
            return "\(form.row.spelled(at: size)) $\(X64Inst.immediateText(imm, size)), \(X64Inst.text(src, size)), "
                + X64Inst.text(dst.reg, size)
        case .mul(let form, let size, let src1, let src2, let dstLo, let dstHi):
            return "\(form.row.spelled(at: size)) \(X64Inst.text(src2, size))"
                + X64Inst.implicitNote(uses: [(src1, .rax)], defs: [(dstLo, .rax), (dstHi, .rdx)])
        case .mul8(let form, let src1, let src2, let dst):
            return "\(form.row.spelled(at: .size8)) \(X64Inst.text(src2, .size8))"
                + X64Inst.implicitNote(uses: [(src1, .rax)], defs: [(dst, .rax)])
        case .div(let form, let size, let dividendLo, let dividendHi, let divisor, let quotient, let remainder, _):
            return "\(form.row.spelled(at: size)) \(X64Inst.text(divisor, size))"
                + X64Inst.implicitNote(uses: [(dividendLo, .rax), (dividendHi, .rdx)],
                                       defs: [(quotient, .rax), (remainder, .rdx)])
        case .div8(let form, let dividend, let divisor, let dst, _):
            return "\(form.row.spelled(at: .size8)) \(X64Inst.text(divisor, .size8))"
                + X64Inst.implicitNote(uses: [(dividend, .rax)], defs: [(dst, .rax)])
        case .signExtendData(let form, let src, let dst):
            return form.row.spelled(at: form.row.singleSize)
                + X64Inst.implicitNote(uses: [(src, .rax)], defs: [(dst, X64Inst.signExtendDataDestination(form))])
        case .shiftR(let form, let size, let src, let count, let dst):
            let mnemonic = form.row.spelled(at: size)
            switch count {
            case .imm(1) where src == dst.reg && form.row.encoding.m1 != nil:
                // llvm-mc prints the by-one form (D1 /digit) without its count.
                return "\(mnemonic) \(X64Inst.text(src, size))"
            case .imm(let amount):
                return X64Inst.twoAddress(mnemonic, source: "$\(amount)", tied: src, dst: dst, size: size)
            case .cl(let countReg):
                return X64Inst.twoAddress(mnemonic, source: X64Inst.text(countReg, .size8), tied: src, dst: dst,
                                          size: size)
            }
        case .unary(let form, let size, let src, let dst):
            let mnemonic = form.row.spelled(at: size)
            return src == dst.reg
                ? "\(mnemonic) \(X64Inst.text(src, size))"
                : "\(mnemonic) \(X64Inst.text(src, size)), \(X64Inst.text(dst.reg, size))"
        case .unaryRmR(let form, let size, let src, let dst):
            let row = form.row
            return "\(row.spelled(at: size)) \(X64Inst.text(src, row.sourceSize ?? size)), "
                + X64Inst.text(dst.reg, size)
        case .setcc(let cc, let dst):
            return "\(FormID.set.row.spelled(at: .size8, infix: "\(cc)")) \(X64Inst.text(dst.reg, .size8))"
        case .cmove(let size, let cc, let consequent, let alternative, let dst):
            return X64Inst.twoAddress(FormID.cmov.row.spelled(at: size, infix: "\(cc)"),
                                      source: X64Inst.text(consequent, size), tied: alternative, dst: dst, size: size)
        case .movRR(let size, let src, let dst):
            return "\(FormID.mov.row.spelled(at: size)) \(X64Inst.text(src, size)), \(X64Inst.text(dst.reg, size))"
        case .movImm(let size, let imm, let dst):
            let form: FormID = X64Inst.movImmNeedsMovabs(size, imm) ? .movabs : .mov
            let value = size == .size64 ? "\(Int64(bitPattern: imm))" : "\(Int32(truncatingIfNeeded: imm))"
            return "\(form.row.spelled(at: size)) $\(value), \(X64Inst.text(dst.reg, size))"
        case .lea(let size, let address, let dst):
            return "\(FormID.lea.row.spelled(at: size)) \(X64Inst.text(address)), \(X64Inst.text(dst.reg, size))"
        case .load(let size, let src, let dst):
            return "\(FormID.mov.row.spelled(at: size)) \(X64Inst.text(src)), \(X64Inst.text(dst.reg, size))"
        case .store(let size, let src, let dst):
            return "\(FormID.mov.row.spelled(at: size)) \(X64Inst.text(src, size)), \(X64Inst.text(dst))"
        case .storeImm(let size, let imm, let dst):
            return "\(FormID.mov.row.spelled(at: size)) $\(X64Inst.immediateText(imm, size)), \(X64Inst.text(dst))"
        case .loadSymbol(let name, let dst, let throughGOT):
            if throughGOT {
                return "\(FormID.mov.row.spelled(at: .size64)) \(X64Inst.symbolText(name))@GOTPCREL(%rip), "
                    + X64Inst.text(dst.reg, .size64)
            }
            return "\(FormID.movabs.row.spelled(at: .size64)) $\(X64Inst.symbolText(name)), "
                + X64Inst.text(dst.reg, .size64)
        case .push(let src):
            return "\(FormID.push.row.spelled(at: .size64)) \(X64Inst.text(src, .size64))"
        case .pop(let dst):
            return "\(FormID.pop.row.spelled(at: .size64)) \(X64Inst.text(dst.reg, .size64))"
        case .callKnown(let name, let info):
            return "\(FormID.call.row.spelled(at: .size64)) \(X64Inst.symbolText(name))" + X64Inst.reclaimText(info)
        case .callUnknown(let target, let info):
            return "\(FormID.call.row.spelled(at: .size64)) *\(X64Inst.text(target, .size64))"
                + X64Inst.reclaimText(info)
        case .ret(_, 0):
            return FormID.ret.row.spelled(at: .size64)
        case .ret(_, let popBytes):
            return "\(FormID.ret.row.spelled(at: .size64)) $\(popBytes)"
        case .returnCallKnown(let name, _):
            // A direct jump's width is the target's: llvm-mc prints no suffix.
            return "\(FormID.jmp.row.spelled(at: nil)) \(X64Inst.symbolText(name))"
        case .returnCallUnknown(let target, _):
            return "\(FormID.jmp.row.spelled(at: .size64)) *\(X64Inst.text(target, .size64))"
        case .jmp(let target):
            return "\(FormID.jmp.row.spelled(at: nil)) \(target)"
        case .jcc(let cc, let target):
            return "\(FormID.jcc.row.spelled(at: nil, infix: "\(cc)")) \(target)"
        case .jmpIndirect(let target):
            return "\(FormID.jmp.row.spelled(at: .size64)) *\(X64Inst.text(target, .size64))"
        case .xmmLoad(let form, let src, let dst):
            return "\(form.row.spelled(at: nil)) \(X64Inst.text(src)), \(X64Inst.text(dst.reg))"
        case .xmmStore(let form, let src, let dst):
            return "\(form.row.spelled(at: nil)) \(X64Inst.text(src)), \(X64Inst.text(dst))"
        case .xmmMove(let src, let dst):
            return "\(FormID.movaps.row.spelled(at: nil)) \(X64Inst.text(src)), \(X64Inst.text(dst.reg))"
        case .gprToXmm(let form, let size, let src, let dst):
            let mnemonic = form.row.spelled(at: size, memory: X64Inst.isMemory(src))
            return "\(mnemonic) \(X64Inst.text(src, size)), \(X64Inst.text(dst.reg))"
        case .xmmToGpr(let form, let size, let src, let dst):
            let mnemonic = form.row.spelled(at: size, memory: X64Inst.isMemory(src))
            return "\(mnemonic) \(X64Inst.text(src)), \(X64Inst.text(dst.reg, size))"
        case .xmmRmR(let form, let src1, let src2, let dst):
            return X64Inst.twoAddress(form.row.spelled(at: nil), source: X64Inst.text(src2), tied: src1, dst: dst)
        case .xmmUnaryRmR(let form, let src, let dst):
            return "\(form.row.spelled(at: nil)) \(X64Inst.text(src)), \(X64Inst.text(dst.reg))"
        case .xmmUnaryRmRImm(let form, let imm, let src, let dst):
            return "\(form.row.spelled(at: nil)) $\(imm), \(X64Inst.text(src)), \(X64Inst.text(dst.reg))"
        case .xmmCompare(let form, let src1, let src2):
            return "\(form.row.spelled(at: nil)) \(X64Inst.text(src2)), \(X64Inst.text(src1))"
        case .xmmCompareMask(let form, let predicate, let src1, let src2, let dst):
            return X64Inst.twoAddress(predicate.spelling(of: form.row), source: X64Inst.text(src2), tied: src1,
                                      dst: dst)
        case .xmmVexTernary(let form, let src1, let src2, let src3, let dst):
            let head = "\(form.row.spelled(at: nil)) \(X64Inst.text(src3)), \(X64Inst.text(src2)), "
            return src1 == dst.reg ? head + X64Inst.text(dst.reg)
                                   : head + "\(X64Inst.text(src1)) -> \(X64Inst.text(dst.reg))"
        case .xmmCmove(let cc, let consequent, let alternative, let dst):
            let skip = X64Inst.hardwareEncodingNeedsRex(consequent) || X64Inst.hardwareEncodingNeedsRex(dst.reg) ? 6 : 5
            let jump = FormID.jcc.row.spelled(at: nil, infix: "\(cc.inverse)")
            let copy = "\(FormID.movaps.row.spelled(at: nil)) \(X64Inst.text(consequent)), \(X64Inst.text(dst.reg))"
            return alternative == dst.reg ? "\(jump) .+\(skip); \(copy)"
                                          : "\(jump) .+\(skip); \(copy) # else \(X64Inst.text(alternative))"
        case .lockCmpxchg(let size, let replacement, let expected, let mem, let dstOld):
            return "\(FormID.cmpxchg.row.spelled(at: size)) \(X64Inst.text(replacement, size)), \(X64Inst.text(mem))"
                + X64Inst.implicitNote(uses: [(expected, .rax)], defs: [(dstOld, .rax)])
        case .exchange(let form, let size, let operand, let mem, let dst):
            return X64Inst.memoryTwoAddress(form.row.spelled(at: size), operand: operand, mem: mem, dst: dst,
                                            size: size)
        case .fence(let form):
            return form.row.spelled(at: nil)
        case .atomicRmwLoop(let op, let size, let byteSwapped, let operand, let mem, let temp, let dstOld):
            return X64Inst.atomicRmwLoopText(X64Inst.atomicLoopBody(op: op, size: size, byteSwapped: byteSwapped,
                                                                    operand: operand, mem: mem, temp: temp,
                                                                    dstOld: dstOld))
        case .lockCmpxchg16b(let replacement, let expected, let mem, let dstOld):
            return "\(FormID.cmpxchg16b.row.spelled(at: nil)) \(X64Inst.text(mem))"
                + X64Inst.implicitNote(uses: [(replacement.low, .rbx), (replacement.high, .rcx), (expected.low, .rax),
                                              (expected.high, .rdx)],
                                       defs: [(dstOld.low, .rax), (dstOld.high, .rdx)])
        case .atomicRmwLoop128(let op, let byteSwapped, let operand, let mem, let scratch, let temp, let dstOld):
            return X64Inst.atomicRmwLoopText(X64Inst.atomicLoopBody128(op: op, byteSwapped: byteSwapped,
                                                                       operand: operand, mem: mem, scratch: scratch,
                                                                       temp: temp, dstOld: dstOld))
        case .ud2:
            return FormID.ud2.row.spelled(at: nil)
        case .trapIf(let cc, _):
            return "\(FormID.jcc.row.spelled(at: nil, infix: "\(cc.inverse)")) .+4; \(FormID.ud2.row.spelled(at: nil))"
        }
    }

    /// Whether an operand is in memory.
    static func isMemory(_ operand: GprMem) -> Bool {
        if case .mem = operand { return true }
        return false
    }

    static func isMemory(_ operand: XmmMem) -> Bool {
        if case .mem = operand { return true }
        return false
    }

    /// `; subq $n, %rsp` after a call whose callee pops its stack arguments.
    static func reclaimText(_ info: CallInfo) -> String {
        info.calleePopSize > 0 ? "; subq $\(info.calleePopSize), %rsp" : ""
    }

    // MARK: Operand text

    static func text(_ gpr: Gpr, _ size: OperandSize) -> String {
        X64Registers.text(gpr.reg, size: size)
    }

    /// `-8(%rbp)`, `(%rsp,%r12,4)`, `.L3(%rip)`.
    static func text(_ amode: Amode) -> String {
        switch amode.address {
        case .base(let base, let displacement):
            return (displacement == 0 ? "" : "\(displacement)") + "(\(text(base, .size64)))"
        case .baseIndex(let base, let index, let scale, let displacement):
            let scaleText = scale == .one ? "" : ",\(scale.factor)"
            return (displacement == 0 ? "" : "\(displacement)")
                + "(\(text(base, .size64)),\(text(index, .size64))\(scaleText))"
        case .ripRelative(let label):
            return "\(label)(%rip)"
        case .frame(let place, let displacement):
            return "\(place)" + (displacement == 0 ? "" : displacement > 0 ? "+\(displacement)" : "\(displacement)")
        }
    }

    static func text(_ xmm: Xmm) -> String {
        X64Registers.text(xmm.reg, size: .size64)
    }

    static func text(_ operand: XmmMem) -> String {
        switch operand {
        case .reg(let xmm): return text(xmm)
        case .mem(let amode): return text(amode)
        }
    }

    /// Whether an xmm register needs a REX bit (xmm8–xmm15), for printed jump offsets.
    static func hardwareEncodingNeedsRex(_ xmm: Xmm) -> Bool {
        guard let preg = xmm.reg.physical else { return false }
        return preg.hardwareEncoding >= 8
    }

    /// `op source, dst` or `op source, tied, dst` for two-address xmm forms.
    static func twoAddress(_ mnemonic: String, source: String, tied: Xmm, dst: Writable<Xmm>) -> String {
        tied == dst.reg
            ? "\(mnemonic) \(source), \(text(dst.reg))"
            : "\(mnemonic) \(source), \(text(tied)), \(text(dst.reg))"
    }

    static func text(_ operand: GprMem, _ size: OperandSize) -> String {
        switch operand {
        case .reg(let gpr): return text(gpr, size)
        case .mem(let amode): return text(amode)
        }
    }

    static func text(_ operand: GprMemImm, _ size: OperandSize) -> String {
        switch operand {
        case .reg(let gpr): return text(gpr, size)
        case .mem(let amode): return text(amode)
        case .imm(let imm): return "$\(immediateText(imm, size))"
        }
    }

    /// The immediate as the instruction sees it at `size`: signed, decimal.
    static func immediateText(_ imm: Int32, _ size: OperandSize) -> String {
        switch size {
        case .size8: return "\(Int8(truncatingIfNeeded: imm))"
        case .size16: return "\(Int16(truncatingIfNeeded: imm))"
        case .size32, .size64: return "\(imm)"
        }
    }

    /// An external name as an assembler symbol: `%foo` is `foo`, `u1:2` is quoted.
    static func symbolText(_ name: ExternalName) -> String {
        switch name {
        case .testCase(let text): return text
        case .user(let namespace, let index): return "\"u\(namespace):\(index)\""
        }
    }

    /// `op source, dst`, or `op source, tied, dst` while the tied source and the
    /// destination are still different (virtual) registers.
    static func twoAddress(_ mnemonic: String, source: String, tied: Gpr, dst: Writable<Gpr>,
                           size: OperandSize) -> String {
        tied == dst.reg
            ? "\(mnemonic) \(source), \(text(dst.reg, size))"
            : "\(mnemonic) \(source), \(text(tied, size)), \(text(dst.reg, size))"
    }

    /// `op %reg, mem`, or `op %reg, mem -> %dst` while the register the old value
    /// lands in is not yet the operand's (xchg, xadd before allocation).
    static func memoryTwoAddress(_ mnemonic: String, operand: Gpr, mem: Amode, dst: Writable<Gpr>,
                                 size: OperandSize) -> String {
        let head = "\(mnemonic) \(text(operand, size)), \(text(mem))"
        return operand == dst.reg ? head : head + " -> \(text(dst.reg, size))"
    }

    /// ` # %v1, %v2 -> %v3` when implicit operands are not (yet) their fixed registers.
    static func implicitNote(uses: [(Gpr, PReg)], defs: [(Writable<Gpr>, PReg)]) -> String {
        let allFixed = uses.allSatisfy { $0.0.reg == Reg($0.1) } && defs.allSatisfy { $0.0.reg.reg == Reg($0.1) }
        if allFixed { return "" }
        return " # " + uses.map { text($0.0, .size64) }.joined(separator: ", ")
            + " -> " + defs.map { text($0.0.reg, .size64) }.joined(separator: ", ")
    }
}
