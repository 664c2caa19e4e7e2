extension X64Inst {
    /// The instruction with its memory operand (shapes have at most one) replaced by
    /// `transform` of it; used to resolve frame addresses once the frame is laid out.
    public func mapMemoryOperand(_ transform: (Amode) -> Amode) -> X64Inst {
        switch self {
        case .aluRmiR(let form, let size, let src1, .mem(let amode), let dst):
            return .aluRmiR(form, size: size, src1: src1, src2: .mem(transform(amode)), dst: dst)
        case .cmpRmiR(let form, let size, let src1, .mem(let amode)):
            return .cmpRmiR(form, size: size, src1: src1, src2: .mem(transform(amode)))
        case .push(.mem(let amode)):
            return .push(src: .mem(transform(amode)))
        case .aluRmImmR(let form, let size, .mem(let amode), let imm, let dst):
            return .aluRmImmR(form, size: size, src: .mem(transform(amode)), imm: imm, dst: dst)
        case .mul(let form, let size, let src1, .mem(let amode), let dstLo, let dstHi):
            return .mul(form, size: size, src1: src1, src2: .mem(transform(amode)), dstLo: dstLo, dstHi: dstHi)
        case .mul8(let form, let src1, .mem(let amode), let dst):
            return .mul8(form, src1: src1, src2: .mem(transform(amode)), dst: dst)
        case .div(let form, let size, let lo, let hi, .mem(let amode), let quotient, let remainder, let trap):
            return .div(form, size: size, dividendLo: lo, dividendHi: hi, divisor: .mem(transform(amode)),
                        quotient: quotient, remainder: remainder, trap: trap)
        case .div8(let form, let dividend, .mem(let amode), let dst, let trap):
            return .div8(form, dividend: dividend, divisor: .mem(transform(amode)), dst: dst, trap: trap)
        case .unaryRmR(let form, let size, .mem(let amode), let dst):
            return .unaryRmR(form, size: size, src: .mem(transform(amode)), dst: dst)
        case .cmove(let size, let cc, .mem(let amode), let alternative, let dst):
            return .cmove(size: size, cc: cc, consequent: .mem(transform(amode)), alternative: alternative, dst: dst)
        case .callUnknown(.mem(let amode), let info):
            return .callUnknown(target: .mem(transform(amode)), info: info)
        case .jmpIndirect(.mem(let amode)):
            return .jmpIndirect(target: .mem(transform(amode)))
        case .lea(let size, let amode, let dst):
            return .lea(size: size, address: transform(amode), dst: dst)
        case .load(let size, let amode, let dst):
            return .load(size: size, src: transform(amode), dst: dst)
        case .store(let size, let src, let amode):
            return .store(size: size, src: src, dst: transform(amode))
        case .storeImm(let size, let imm, let amode):
            return .storeImm(size: size, imm: imm, dst: transform(amode))
        case .xmmLoad(let form, let amode, let dst):
            return .xmmLoad(form, src: transform(amode), dst: dst)
        case .xmmStore(let form, let src, let amode):
            return .xmmStore(form, src: src, dst: transform(amode))
        case .gprToXmm(let form, let size, .mem(let amode), let dst):
            return .gprToXmm(form, size: size, src: .mem(transform(amode)), dst: dst)
        case .xmmToGpr(let form, let size, .mem(let amode), let dst):
            return .xmmToGpr(form, size: size, src: .mem(transform(amode)), dst: dst)
        case .xmmRmR(let form, let src1, .mem(let amode), let dst):
            return .xmmRmR(form, src1: src1, src2: .mem(transform(amode)), dst: dst)
        case .xmmUnaryRmR(let form, .mem(let amode), let dst):
            return .xmmUnaryRmR(form, src: .mem(transform(amode)), dst: dst)
        case .xmmUnaryRmRImm(let form, let imm, .mem(let amode), let dst):
            return .xmmUnaryRmRImm(form, imm: imm, src: .mem(transform(amode)), dst: dst)
        case .xmmCompare(let form, let src1, .mem(let amode)):
            return .xmmCompare(form, src1: src1, src2: .mem(transform(amode)))
        case .xmmCompareMask(let form, let predicate, let src1, .mem(let amode), let dst):
            return .xmmCompareMask(form, predicate: predicate, src1: src1, src2: .mem(transform(amode)), dst: dst)
        case .xmmVexTernary(let form, let src1, let src2, .mem(let amode), let dst):
            return .xmmVexTernary(form, src1: src1, src2: src2, src3: .mem(transform(amode)), dst: dst)
        case .lockCmpxchg(let size, let replacement, let expected, let amode, let dstOld):
            return .lockCmpxchg(size: size, replacement: replacement, expected: expected, mem: transform(amode),
                                dstOld: dstOld)
        case .exchange(let form, let size, let operand, let amode, let dst):
            return .exchange(form, size: size, operand: operand, mem: transform(amode), dst: dst)
        case .atomicRmwLoop(let op, let size, let byteSwapped, let operand, let amode, let temp, let dstOld):
            return .atomicRmwLoop(op: op, size: size, byteSwapped: byteSwapped, operand: operand, mem: transform(amode),
                                  temp: temp, dstOld: dstOld)
        case .lockCmpxchg16b(let replacement, let expected, let amode, let dstOld):
            return .lockCmpxchg16b(replacement: replacement, expected: expected, mem: transform(amode), dstOld: dstOld)
        case .atomicRmwLoop128(let op, let byteSwapped, let operand, let amode, let scratch, let temp, let dstOld):
            return .atomicRmwLoop128(op: op, byteSwapped: byteSwapped, operand: operand, mem: transform(amode),
                                     scratch: scratch, temp: temp, dstOld: dstOld)
        case .fence, .xmmMove, .xmmCmove:
            return self
        case .gprToXmm, .xmmToGpr, .xmmRmR, .xmmUnaryRmR, .xmmUnaryRmRImm, .xmmCompare, .xmmCompareMask,
             .xmmVexTernary:
            return self
        case .aluRmiR, .cmpRmiR, .push, .aluRmImmR, .mul, .mul8, .div, .div8, .unaryRmR, .cmove, .callUnknown,
             .jmpIndirect, .signExtendData, .shiftR, .unary, .setcc, .movRR, .movImm, .loadSymbol, .pop, .callKnown,
             .ret, .jmp, .jcc, .ud2, .trapIf, .returnCallKnown, .returnCallUnknown:
            return self
        }
    }
}
