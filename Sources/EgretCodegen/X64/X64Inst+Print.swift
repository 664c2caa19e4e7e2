import EgretIR

/// AT&T text of each x86-64 instruction form, spelled exactly as llvm-mc 14 prints
/// the same instruction (`addl %esi, %edi`, `movq 8(%rsp,%rax,4), %rcx`, `shlq %rax`
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
        case .aluRmiR(let op, let size, let src1, let src2, let dst):
            return X64Inst.twoAddress(op.mnemonic + size.suffix, source: X64Inst.text(src2, size),
                                      tied: src1, dst: dst, size: size)
        case .cmpRmiR(.cmp, let size, let src1, let src2):
            return "cmp\(size.suffix) \(X64Inst.text(src2, size)), \(X64Inst.text(src1, size))"
        case .cmpRmiR(.test, let size, let src1, .mem(let amode)):
            // llvm-mc prints test's register operand (the ModRM reg field) first.
            return "test\(size.suffix) \(X64Inst.text(src1, size)), \(X64Inst.text(amode))"
        case .cmpRmiR(.test, let size, let src1, let src2):
            return "test\(size.suffix) \(X64Inst.text(src2, size)), \(X64Inst.text(src1, size))"
        case .imul(let size, let src1, let src2, let dst):
            return X64Inst.twoAddress("imul" + size.suffix, source: X64Inst.text(src2, size),
                                      tied: src1, dst: dst, size: size)
        case .imulImm(let size, let src, let imm, let dst):
            return "imul\(size.suffix) $\(X64Inst.immediateText(imm, size)), \(X64Inst.text(src, size)), "
                + X64Inst.text(dst.reg, size)
        case .mul(let size, let signedness, let src1, let src2, let dstLo, let dstHi):
            return "\(signedness == .signed ? "imul" : "mul")\(size.suffix) \(X64Inst.text(src2, size))"
                + X64Inst.implicitNote(uses: [(src1, .rax)], defs: [(dstLo, .rax), (dstHi, .rdx)])
        case .mul8(let signedness, let src1, let src2, let dst):
            return "\(signedness == .signed ? "imul" : "mul")b \(X64Inst.text(src2, .size8))"
                + X64Inst.implicitNote(uses: [(src1, .rax)], defs: [(dst, .rax)])
        case .div(let size, let signedness, let dividendLo, let dividendHi, let divisor, let quotient,
                  let remainder, _):
            return "\(signedness == .signed ? "idiv" : "div")\(size.suffix) \(X64Inst.text(divisor, size))"
                + X64Inst.implicitNote(uses: [(dividendLo, .rax), (dividendHi, .rdx)],
                                       defs: [(quotient, .rax), (remainder, .rdx)])
        case .div8(let signedness, let dividend, let divisor, let dst, _):
            return "\(signedness == .signed ? "idiv" : "div")b \(X64Inst.text(divisor, .size8))"
                + X64Inst.implicitNote(uses: [(dividend, .rax)], defs: [(dst, .rax)])
        case .signExtendData(let size, let src, let dst):
            let mnemonic: String
            switch size {
            case .size8: mnemonic = "cbtw"
            case .size16: mnemonic = "cwtd"
            case .size32: mnemonic = "cltd"
            case .size64: mnemonic = "cqto"
            }
            return mnemonic + X64Inst.implicitNote(uses: [(src, .rax)],
                                                   defs: [(dst, X64Inst.signExtendDataDestination(size))])
        case .shiftR(let kind, let size, let src, let count, let dst):
            let mnemonic = kind.mnemonic + size.suffix
            switch count {
            case .imm(1) where src == dst.reg:
                // llvm-mc prints the by-one form (D1 /digit) without its count.
                return "\(mnemonic) \(X64Inst.text(src, size))"
            case .imm(let amount):
                return X64Inst.twoAddress(mnemonic, source: "$\(amount)", tied: src, dst: dst, size: size)
            case .cl(let countReg):
                return X64Inst.twoAddress(mnemonic, source: X64Inst.text(countReg, .size8), tied: src, dst: dst,
                                          size: size)
            }
        case .unary(let op, let size, let src, let dst):
            return src == dst.reg
                ? "\(op.mnemonic)\(size.suffix) \(X64Inst.text(src, size))"
                : "\(op.mnemonic)\(size.suffix) \(X64Inst.text(src, size)), \(X64Inst.text(dst.reg, size))"
        case .bitCount(let op, let size, let src, let dst):
            return "\(op.mnemonic)\(size.suffix) \(X64Inst.text(src, size)), \(X64Inst.text(dst.reg, size))"
        case .bswap(let size, let src, let dst):
            return src == dst.reg
                ? "bswap\(size.suffix) \(X64Inst.text(src, size))"
                : "bswap\(size.suffix) \(X64Inst.text(src, size)), \(X64Inst.text(dst.reg, size))"
        case .setcc(let cc, let dst):
            return "set\(cc) \(X64Inst.text(dst.reg, .size8))"
        case .cmove(let size, let cc, let consequent, let alternative, let dst):
            return X64Inst.twoAddress("cmov\(cc)\(size.suffix)", source: X64Inst.text(consequent, size),
                                      tied: alternative, dst: dst, size: size)
        case .movRR(let size, let src, let dst):
            return "mov\(size.suffix) \(X64Inst.text(src, size)), \(X64Inst.text(dst.reg, size))"
        case .movImm(.size64, let imm, let dst) where Int32(exactly: Int64(bitPattern: imm)) != nil:
            return "movq $\(Int64(bitPattern: imm)), \(X64Inst.text(dst.reg, .size64))"
        case .movImm(.size64, let imm, let dst):
            return "movabsq $\(Int64(bitPattern: imm)), \(X64Inst.text(dst.reg, .size64))"
        case .movImm(let size, let imm, let dst):
            return "mov\(size.suffix) $\(Int32(truncatingIfNeeded: imm)), \(X64Inst.text(dst.reg, size))"
        case .movzx(.lq, let src, let dst):
            // Writing a 32-bit register zero-extends: movzx from 32 bits is movl.
            return "movl \(X64Inst.text(src, .size32)), \(X64Inst.text(dst.reg, .size32))"
        case .movzx(let ext, let src, let dst):
            return "movz\(ext.letters) \(X64Inst.text(src, ext.from)), \(X64Inst.text(dst.reg, ext.to))"
        case .movsx(let ext, let src, let dst):
            return "movs\(ext.letters) \(X64Inst.text(src, ext.from)), \(X64Inst.text(dst.reg, ext.to))"
        case .lea(let size, let address, let dst):
            return "lea\(size.suffix) \(X64Inst.text(address)), \(X64Inst.text(dst.reg, size))"
        case .load(let size, let src, let dst):
            return "mov\(size.suffix) \(X64Inst.text(src)), \(X64Inst.text(dst.reg, size))"
        case .store(let size, let src, let dst):
            return "mov\(size.suffix) \(X64Inst.text(src, size)), \(X64Inst.text(dst))"
        case .storeImm(let size, let imm, let dst):
            return "mov\(size.suffix) $\(X64Inst.immediateText(imm, size)), \(X64Inst.text(dst))"
        case .loadSymbol(let name, let dst):
            return "movabsq $\(X64Inst.symbolText(name)), \(X64Inst.text(dst.reg, .size64))"
        case .push(let src):
            return "pushq \(X64Inst.text(src, .size64))"
        case .pop(let dst):
            return "popq \(X64Inst.text(dst.reg, .size64))"
        case .callKnown(let name, let info):
            return "callq \(X64Inst.symbolText(name))" + X64Inst.reclaimText(info)
        case .callUnknown(let target, let info):
            return "callq *\(X64Inst.text(target, .size64))" + X64Inst.reclaimText(info)
        case .ret(_, 0):
            return "retq"
        case .ret(_, let popBytes):
            return "retq $\(popBytes)"
        case .returnCallKnown(let name, _):
            return "jmp \(X64Inst.symbolText(name))"
        case .returnCallUnknown(let target, _):
            return "jmpq *\(X64Inst.text(target, .size64))"
        case .jmp(let target):
            return "jmp \(target)"
        case .jcc(let cc, let target):
            return "j\(cc) \(target)"
        case .jmpIndirect(let target):
            return "jmpq *\(X64Inst.text(target, .size64))"
        case .xmmLoad(let width, let src, let dst):
            return "\(width.mnemonic) \(X64Inst.text(src)), \(X64Inst.text(dst.reg))"
        case .xmmStore(let width, let src, let dst):
            return "\(width.mnemonic) \(X64Inst.text(src)), \(X64Inst.text(dst))"
        case .xmmMove(let src, let dst):
            return "movaps \(X64Inst.text(src)), \(X64Inst.text(dst.reg))"
        case .gprToXmm(let size, let src, let dst):
            return "\(size == .size64 ? "movq" : "movd") \(X64Inst.text(src, size)), \(X64Inst.text(dst.reg))"
        case .xmmToGpr(let size, let src, let dst):
            return "\(size == .size64 ? "movq" : "movd") \(X64Inst.text(src)), \(X64Inst.text(dst.reg, size))"
        case .xmmArith(let op, let width, let src1, let src2, let dst):
            return X64Inst.twoAddress(op.mnemonic + width.scalarSuffix, source: X64Inst.text(src2), tied: src1, dst: dst)
        case .xmmSqrt(let width, let src, let dst):
            return "sqrt\(width.scalarSuffix) \(X64Inst.text(src)), \(X64Inst.text(dst.reg))"
        case .xmmLogic(let op, let src1, let src2, let dst):
            return X64Inst.twoAddress(op.mnemonic, source: X64Inst.text(src2), tied: src1, dst: dst)
        case .xmmCompare(let width, let src1, let src2):
            return "ucomi\(width.scalarSuffix) \(X64Inst.text(src2)), \(X64Inst.text(src1))"
        case .xmmCompareMask(let predicate, let width, let src1, let src2, let dst):
            return X64Inst.twoAddress("cmp\(predicate.mnemonicInfix)\(width.scalarSuffix)", source: X64Inst.text(src2),
                                      tied: src1, dst: dst)
        case .intToFloat(let intSize, let width, .mem(let amode), let dst):
            // llvm-mc names the integer width only when the operand does not.
            return "cvtsi2\(width.scalarSuffix)\(intSize.suffix) \(X64Inst.text(amode)), \(X64Inst.text(dst.reg))"
        case .intToFloat(let intSize, let width, let src, let dst):
            return "cvtsi2\(width.scalarSuffix) \(X64Inst.text(src, intSize)), \(X64Inst.text(dst.reg))"
        case .floatToInt(let width, let intSize, let src, let dst):
            return "cvtt\(width.scalarSuffix)2si \(X64Inst.text(src)), \(X64Inst.text(dst.reg, intSize))"
        case .floatConvert(let from, let src, let dst):
            return "cvt\(from.scalarSuffix)2\(from.other.scalarSuffix) \(X64Inst.text(src)), "
                + X64Inst.text(dst.reg)
        case .xmmRound(let width, let mode, let src, let dst):
            return "round\(width.scalarSuffix) $\(mode.immediate), \(X64Inst.text(src)), \(X64Inst.text(dst.reg))"
        case .fma(let width, let src1, let src2, let src3, let dst):
            let head = "vfmadd213\(width.scalarSuffix) \(X64Inst.text(src3)), \(X64Inst.text(src2)), "
            return src1 == dst.reg ? head + X64Inst.text(dst.reg)
                                   : head + "\(X64Inst.text(src1)) -> \(X64Inst.text(dst.reg))"
        case .xmmCmove(let cc, let consequent, let alternative, let dst):
            let skip = X64Inst.hardwareEncodingNeedsRex(consequent) || X64Inst.hardwareEncodingNeedsRex(dst.reg) ? 6 : 5
            let copy = "movaps \(X64Inst.text(consequent)), \(X64Inst.text(dst.reg))"
            return alternative == dst.reg ? "j\(cc.inverse) .+\(skip); \(copy)"
                                          : "j\(cc.inverse) .+\(skip); \(copy) # else \(X64Inst.text(alternative))"
        case .lockCmpxchg(let size, let replacement, let expected, let mem, let dstOld):
            return "lock cmpxchg\(size.suffix) \(X64Inst.text(replacement, size)), \(X64Inst.text(mem))"
                + X64Inst.implicitNote(uses: [(expected, .rax)], defs: [(dstOld, .rax)])
        case .xchg(let size, let operand, let mem, let dst):
            return X64Inst.memoryTwoAddress("xchg" + size.suffix, operand: operand, mem: mem, dst: dst, size: size)
        case .lockXadd(let size, let operand, let mem, let dst):
            return X64Inst.memoryTwoAddress("lock xadd" + size.suffix, operand: operand, mem: mem, dst: dst, size: size)
        case .mfence:
            return "mfence"
        case .atomicRmwLoop(let op, let size, let byteSwapped, let operand, let mem, let temp, let dstOld):
            return X64Inst.atomicRmwLoopText(X64Inst.atomicLoopBody(op: op, size: size, byteSwapped: byteSwapped,
                                                                    operand: operand, mem: mem, temp: temp,
                                                                    dstOld: dstOld))
        case .lockCmpxchg16b(let replacement, let expected, let mem, let dstOld):
            return "lock cmpxchg16b \(X64Inst.text(mem))"
                + X64Inst.implicitNote(uses: [(replacement.low, .rbx), (replacement.high, .rcx), (expected.low, .rax),
                                              (expected.high, .rdx)],
                                       defs: [(dstOld.low, .rax), (dstOld.high, .rdx)])
        case .atomicRmwLoop128(let op, let byteSwapped, let operand, let mem, let scratch, let temp, let dstOld):
            return X64Inst.atomicRmwLoopText(X64Inst.atomicLoopBody128(op: op, byteSwapped: byteSwapped,
                                                                       operand: operand, mem: mem, scratch: scratch,
                                                                       temp: temp, dstOld: dstOld))
        case .ud2:
            return "ud2"
        case .trapIf(let cc, _):
            return "j\(cc.inverse) .+4; ud2"
        }
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
