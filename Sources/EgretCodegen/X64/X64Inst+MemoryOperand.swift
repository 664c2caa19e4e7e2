extension X64Inst {
    /// The instruction with its memory operand (forms have at most one) replaced by
    /// `transform` of it; used to resolve frame addresses once the frame is laid out.
    public func mapMemoryOperand(_ transform: (Amode) -> Amode) -> X64Inst {
        switch self {
        case .aluRmiR(let op, let size, let src1, .mem(let amode), let dst):
            return .aluRmiR(op: op, size: size, src1: src1, src2: .mem(transform(amode)), dst: dst)
        case .cmpRmiR(let op, let size, let src1, .mem(let amode)):
            return .cmpRmiR(op: op, size: size, src1: src1, src2: .mem(transform(amode)))
        case .push(.mem(let amode)):
            return .push(src: .mem(transform(amode)))
        case .imul(let size, let src1, .mem(let amode), let dst):
            return .imul(size: size, src1: src1, src2: .mem(transform(amode)), dst: dst)
        case .imulImm(let size, .mem(let amode), let imm, let dst):
            return .imulImm(size: size, src: .mem(transform(amode)), imm: imm, dst: dst)
        case .mul(let size, let signedness, let src1, .mem(let amode), let dstLo, let dstHi):
            return .mul(size: size, signedness: signedness, src1: src1, src2: .mem(transform(amode)),
                        dstLo: dstLo, dstHi: dstHi)
        case .mul8(let signedness, let src1, .mem(let amode), let dst):
            return .mul8(signedness: signedness, src1: src1, src2: .mem(transform(amode)), dst: dst)
        case .div(let size, let signedness, let lo, let hi, .mem(let amode), let quotient, let remainder, let trap):
            return .div(size: size, signedness: signedness, dividendLo: lo, dividendHi: hi,
                        divisor: .mem(transform(amode)), quotient: quotient, remainder: remainder, trap: trap)
        case .div8(let signedness, let dividend, .mem(let amode), let dst, let trap):
            return .div8(signedness: signedness, dividend: dividend, divisor: .mem(transform(amode)), dst: dst,
                         trap: trap)
        case .bitCount(let op, let size, .mem(let amode), let dst):
            return .bitCount(op: op, size: size, src: .mem(transform(amode)), dst: dst)
        case .cmove(let size, let cc, .mem(let amode), let alternative, let dst):
            return .cmove(size: size, cc: cc, consequent: .mem(transform(amode)), alternative: alternative, dst: dst)
        case .movzx(let ext, .mem(let amode), let dst):
            return .movzx(ext: ext, src: .mem(transform(amode)), dst: dst)
        case .movsx(let ext, .mem(let amode), let dst):
            return .movsx(ext: ext, src: .mem(transform(amode)), dst: dst)
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
        case .xmmLoad(let width, let amode, let dst):
            return .xmmLoad(width: width, src: transform(amode), dst: dst)
        case .xmmStore(let width, let src, let amode):
            return .xmmStore(width: width, src: src, dst: transform(amode))
        case .intToFloat(let intSize, let width, .mem(let amode), let dst):
            return .intToFloat(intSize: intSize, width: width, src: .mem(transform(amode)), dst: dst)
        case .xmmArith(let op, let width, let src1, .mem(let amode), let dst):
            return .xmmArith(op: op, width: width, src1: src1, src2: .mem(transform(amode)), dst: dst)
        case .xmmSqrt(let width, .mem(let amode), let dst):
            return .xmmSqrt(width: width, src: .mem(transform(amode)), dst: dst)
        case .xmmLogic(let op, let src1, .mem(let amode), let dst):
            return .xmmLogic(op: op, src1: src1, src2: .mem(transform(amode)), dst: dst)
        case .xmmCompare(let width, let src1, .mem(let amode)):
            return .xmmCompare(width: width, src1: src1, src2: .mem(transform(amode)))
        case .xmmCompareMask(let predicate, let width, let src1, .mem(let amode), let dst):
            return .xmmCompareMask(predicate: predicate, width: width, src1: src1, src2: .mem(transform(amode)),
                                   dst: dst)
        case .floatToInt(let width, let intSize, .mem(let amode), let dst):
            return .floatToInt(width: width, intSize: intSize, src: .mem(transform(amode)), dst: dst)
        case .floatConvert(let from, .mem(let amode), let dst):
            return .floatConvert(from: from, src: .mem(transform(amode)), dst: dst)
        case .xmmRound(let width, let mode, .mem(let amode), let dst):
            return .xmmRound(width: width, mode: mode, src: .mem(transform(amode)), dst: dst)
        case .fma(let width, let src1, let src2, .mem(let amode), let dst):
            return .fma(width: width, src1: src1, src2: src2, src3: .mem(transform(amode)), dst: dst)
        case .lockCmpxchg(let size, let replacement, let expected, let amode, let dstOld):
            return .lockCmpxchg(size: size, replacement: replacement, expected: expected, mem: transform(amode),
                                dstOld: dstOld)
        case .xchg(let size, let operand, let amode, let dst):
            return .xchg(size: size, operand: operand, mem: transform(amode), dst: dst)
        case .lockXadd(let size, let operand, let amode, let dst):
            return .lockXadd(size: size, operand: operand, mem: transform(amode), dst: dst)
        case .atomicRmwLoop(let op, let size, let byteSwapped, let operand, let amode, let temp, let dstOld):
            return .atomicRmwLoop(op: op, size: size, byteSwapped: byteSwapped, operand: operand, mem: transform(amode),
                                  temp: temp, dstOld: dstOld)
        case .lockCmpxchg16b(let replacement, let expected, let amode, let dstOld):
            return .lockCmpxchg16b(replacement: replacement, expected: expected, mem: transform(amode), dstOld: dstOld)
        case .atomicRmwLoop128(let op, let byteSwapped, let operand, let amode, let scratch, let temp, let dstOld):
            return .atomicRmwLoop128(op: op, byteSwapped: byteSwapped, operand: operand, mem: transform(amode),
                                     scratch: scratch, temp: temp, dstOld: dstOld)
        case .mfence:
            return self
        case .intToFloat, .xmmArith, .xmmSqrt, .xmmLogic, .xmmCompare, .xmmCompareMask, .floatToInt, .floatConvert,
             .xmmRound, .fma, .xmmMove, .gprToXmm, .xmmToGpr, .xmmCmove:
            return self
        case .aluRmiR, .cmpRmiR, .push, .imul, .imulImm, .mul, .mul8, .div, .div8, .bitCount, .cmove, .movzx,
             .movsx, .callUnknown, .jmpIndirect, .signExtendData, .shiftR, .unary, .bswap, .setcc, .movRR,
             .movImm, .loadSymbol, .pop, .callKnown, .ret, .jmp, .jcc, .ud2, .trapIf, .returnCallKnown,
             .returnCallUnknown:
            return self
        }
    }
}
