import EgretIR

/// Facts about each instruction form that several readers share: its name (for
/// coverage reports: which forms the encoder tests and the SMT verifier cover), the
/// operand sizes it is defined at (checked by the encoder, enumerated by the tests),
/// an instruction's own size, and the trap it may raise.
extension X64Inst {
    /// The form of an instruction, without operands: one per case of `X64Inst`.
    public enum Form: String, CaseIterable, Hashable, Sendable {
        case aluRmiR, cmpRmiR, imul, imulImm, mul, mul8, div, div8, signExtendData, shiftR, unary
        case bitCount, bswap, setcc, cmove, movRR, movImm, movzx, movsx, lea, load, store, storeImm
        case loadSymbol, push, pop, callKnown, callUnknown, ret, jmp, jcc, jmpIndirect, ud2, trapIf
        case returnCallKnown, returnCallUnknown
        case xmmLoad, xmmStore, xmmMove, gprToXmm, xmmToGpr, xmmArith, xmmSqrt, xmmLogic, xmmCompare
        case xmmCompareMask, intToFloat, floatToInt, floatConvert, xmmRound, fma, xmmCmove
        case lockCmpxchg, xchg, lockXadd, mfence, atomicRmwLoop, lockCmpxchg16b, atomicRmwLoop128

        /// The operand sizes the form is defined at; empty for forms without a size
        /// operand (their width is fixed by the form). For movzx/movsx: the
        /// destination sizes of `ExtMode`.
        public var supportedSizes: [OperandSize] {
            switch self {
            case .aluRmiR, .cmpRmiR, .signExtendData, .shiftR, .unary, .load, .store, .storeImm:
                return [.size8, .size16, .size32, .size64]
            case .lockCmpxchg, .xchg, .lockXadd, .atomicRmwLoop:
                return [.size8, .size16, .size32, .size64]
            case .imul, .imulImm, .mul, .div, .bitCount, .cmove:
                // No 8-bit encodings (8-bit multiply and divide are mul8/div8).
                return [.size16, .size32, .size64]
            case .bswap, .movRR, .movImm, .lea, .movzx, .movsx:
                // 16-bit bswap is undefined; 8/16-bit register moves and lea would
                // leave upper bits behind that nothing needs.
                return [.size32, .size64]
            case .mul8, .div8, .setcc:
                return [.size8]
            case .gprToXmm, .xmmToGpr, .intToFloat, .floatToInt:
                // The integer side of a float form: movd/movq, 32- or 64-bit conversions.
                return [.size32, .size64]
            case .xmmLoad, .xmmStore, .xmmMove, .xmmArith, .xmmSqrt, .xmmLogic, .xmmCompare, .xmmCompareMask,
                 .floatConvert, .xmmRound, .fma, .xmmCmove:
                return []
            case .loadSymbol, .push, .pop, .callKnown, .callUnknown, .ret, .jmp, .jcc, .jmpIndirect,
                 .ud2, .trapIf, .returnCallKnown, .returnCallUnknown, .mfence:
                return []
            case .lockCmpxchg16b, .atomicRmwLoop128:
                // 16 bytes, fixed by the form.
                return []
            }
        }
    }

    public var form: Form {
        switch self {
        case .aluRmiR: return .aluRmiR
        case .cmpRmiR: return .cmpRmiR
        case .imul: return .imul
        case .imulImm: return .imulImm
        case .mul: return .mul
        case .mul8: return .mul8
        case .div: return .div
        case .div8: return .div8
        case .signExtendData: return .signExtendData
        case .shiftR: return .shiftR
        case .unary: return .unary
        case .bitCount: return .bitCount
        case .bswap: return .bswap
        case .setcc: return .setcc
        case .cmove: return .cmove
        case .movRR: return .movRR
        case .movImm: return .movImm
        case .movzx: return .movzx
        case .movsx: return .movsx
        case .lea: return .lea
        case .load: return .load
        case .store: return .store
        case .storeImm: return .storeImm
        case .loadSymbol: return .loadSymbol
        case .push: return .push
        case .pop: return .pop
        case .callKnown: return .callKnown
        case .callUnknown: return .callUnknown
        case .ret: return .ret
        case .jmp: return .jmp
        case .jcc: return .jcc
        case .jmpIndirect: return .jmpIndirect
        case .ud2: return .ud2
        case .trapIf: return .trapIf
        case .returnCallKnown: return .returnCallKnown
        case .returnCallUnknown: return .returnCallUnknown
        case .xmmLoad: return .xmmLoad
        case .xmmStore: return .xmmStore
        case .xmmMove: return .xmmMove
        case .gprToXmm: return .gprToXmm
        case .xmmToGpr: return .xmmToGpr
        case .xmmArith: return .xmmArith
        case .xmmSqrt: return .xmmSqrt
        case .xmmLogic: return .xmmLogic
        case .xmmCompare: return .xmmCompare
        case .xmmCompareMask: return .xmmCompareMask
        case .intToFloat: return .intToFloat
        case .floatToInt: return .floatToInt
        case .floatConvert: return .floatConvert
        case .xmmRound: return .xmmRound
        case .fma: return .fma
        case .xmmCmove: return .xmmCmove
        case .lockCmpxchg: return .lockCmpxchg
        case .xchg: return .xchg
        case .lockXadd: return .lockXadd
        case .mfence: return .mfence
        case .atomicRmwLoop: return .atomicRmwLoop
        case .lockCmpxchg16b: return .lockCmpxchg16b
        case .atomicRmwLoop128: return .atomicRmwLoop128
        }
    }

    /// The width the instruction operates at, `nil` for forms without a size operand.
    public var operandSize: OperandSize? {
        switch self {
        case .aluRmiR(_, let size, _, _, _), .cmpRmiR(_, let size, _, _), .imul(let size, _, _, _),
             .imulImm(let size, _, _, _), .mul(let size, _, _, _, _, _), .div(let size, _, _, _, _, _, _, _),
             .signExtendData(let size, _, _), .shiftR(_, let size, _, _, _), .unary(_, let size, _, _),
             .bitCount(_, let size, _, _), .bswap(let size, _, _), .cmove(let size, _, _, _, _),
             .movRR(let size, _, _), .movImm(let size, _, _), .lea(let size, _, _), .load(let size, _, _),
             .store(let size, _, _), .storeImm(let size, _, _):
            return size
        case .movzx(let ext, _, _), .movsx(let ext, _, _):
            return ext.to
        case .mul8, .div8, .setcc:
            return .size8
        case .gprToXmm(let size, _, _), .xmmToGpr(let size, _, _), .intToFloat(let size, _, _, _),
             .floatToInt(_, let size, _, _):
            return size
        case .lockCmpxchg(let size, _, _, _, _), .xchg(let size, _, _, _), .lockXadd(let size, _, _, _),
             .atomicRmwLoop(_, let size, _, _, _, _, _):
            return size
        case .mfence, .lockCmpxchg16b, .atomicRmwLoop128:
            return nil
        case .loadSymbol, .push, .pop, .callKnown, .callUnknown, .ret, .jmp, .jcc, .jmpIndirect, .ud2, .trapIf,
             .returnCallKnown, .returnCallUnknown, .xmmLoad, .xmmStore, .xmmMove, .xmmArith, .xmmSqrt, .xmmLogic,
             .xmmCompare, .xmmCompareMask, .floatConvert, .xmmRound, .fma, .xmmCmove:
            return nil
        }
    }

    /// The memory operand of the instruction, if it has one.
    public var memoryOperand: Amode? {
        switch self {
        case .aluRmiR(_, _, _, let src2, _), .cmpRmiR(_, _, _, let src2), .push(let src2):
            if case .mem(let amode) = src2 { return amode }
            return nil
        case .imul(_, _, let src, _), .imulImm(_, let src, _, _), .mul(_, _, _, let src, _, _),
             .mul8(_, _, let src, _), .div(_, _, _, _, let src, _, _, _), .div8(_, _, let src, _, _),
             .bitCount(_, _, let src, _), .cmove(_, _, let src, _, _), .movzx(_, let src, _),
             .movsx(_, let src, _), .callUnknown(let src, _), .jmpIndirect(let src):
            if case .mem(let amode) = src { return amode }
            return nil
        case .lea(_, let amode, _), .load(_, let amode, _), .store(_, _, let amode), .storeImm(_, _, let amode):
            return amode
        case .intToFloat(_, _, let src, _):
            if case .mem(let amode) = src { return amode }
            return nil
        case .xmmLoad(_, let amode, _), .xmmStore(_, _, let amode):
            return amode
        case .lockCmpxchg(_, _, _, let amode, _), .xchg(_, _, let amode, _), .lockXadd(_, _, let amode, _),
             .atomicRmwLoop(_, _, _, _, let amode, _, _), .lockCmpxchg16b(_, _, let amode, _),
             .atomicRmwLoop128(_, _, _, let amode, _, _, _):
            return amode
        case .xmmArith(_, _, _, let src, _), .xmmSqrt(_, let src, _), .xmmLogic(_, _, let src, _),
             .xmmCompare(_, _, let src), .xmmCompareMask(_, _, _, let src, _), .floatToInt(_, _, let src, _),
             .floatConvert(_, let src, _), .xmmRound(_, _, let src, _), .fma(_, _, _, let src, _):
            if case .mem(let amode) = src { return amode }
            return nil
        case .signExtendData, .shiftR, .unary, .bswap, .setcc, .movRR, .movImm, .loadSymbol, .pop,
             .callKnown, .ret, .jmp, .jcc, .ud2, .trapIf, .returnCallKnown, .returnCallUnknown, .xmmMove, .gprToXmm,
             .xmmToGpr, .xmmCmove, .mfence:
            return nil
        }
    }

    /// The trap code recorded for this instruction, if it may trap: the form's own
    /// code (ud2, trapIf, div) or the trap code of its memory operand.
    public var trapCode: TrapCode? {
        switch self {
        case .ud2(let trap), .trapIf(_, let trap), .div(_, _, _, _, _, _, _, let trap), .div8(_, _, _, _, let trap):
            return trap
        case .lea:
            return nil
        case .aluRmiR, .cmpRmiR, .imul, .imulImm, .mul, .mul8, .signExtendData, .shiftR, .unary, .bitCount,
             .bswap, .setcc, .cmove, .movRR, .movImm, .movzx, .movsx, .load, .store, .storeImm, .loadSymbol,
             .push, .pop, .callKnown, .callUnknown, .ret, .jmp, .jcc, .jmpIndirect, .returnCallKnown,
             .returnCallUnknown, .xmmLoad, .xmmStore, .xmmMove, .gprToXmm, .xmmToGpr, .xmmArith, .xmmSqrt, .xmmLogic,
             .xmmCompare, .xmmCompareMask, .intToFloat, .floatToInt, .floatConvert, .xmmRound, .fma, .xmmCmove,
             .lockCmpxchg, .xchg, .lockXadd, .mfence, .atomicRmwLoop, .lockCmpxchg16b, .atomicRmwLoop128:
            return memoryOperand?.trap
        }
    }
}
