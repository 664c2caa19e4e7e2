import EgretIR

/// Facts about an instruction that several readers share, from its shape and its
/// form's row: the form, the width it operates at, its memory operand, the trap it
/// may raise, the rows its bytes come from and the CPU features they need.
extension X64Inst {
    /// The row of the instruction; nil for the pseudo-instructions that stand for a
    /// sequence of forms (`formsUsed` lists them).
    public var form: FormID? {
        switch self {
        case .aluRmiR(let form, _, _, _, _), .cmpRmiR(let form, _, _, _), .aluRmImmR(let form, _, _, _, _),
             .mul(let form, _, _, _, _, _), .mul8(let form, _, _, _), .div(let form, _, _, _, _, _, _, _),
             .div8(let form, _, _, _, _), .signExtendData(let form, _, _), .shiftR(let form, _, _, _, _),
             .unary(let form, _, _, _), .unaryRmR(let form, _, _, _):
            return form
        case .xmmLoad(let form, _, _), .xmmStore(let form, _, _), .gprToXmm(let form, _, _, _),
             .xmmToGpr(let form, _, _, _), .xmmRmR(let form, _, _, _), .xmmUnaryRmR(let form, _, _),
             .xmmUnaryRmRImm(let form, _, _, _), .xmmCompare(let form, _, _), .xmmCompareMask(let form, _, _, _, _),
             .xmmVexTernary(let form, _, _, _, _), .exchange(let form, _, _, _, _), .fence(let form):
            return form
        case .setcc: return .set
        case .cmove: return .cmov
        case .movRR, .load, .store, .storeImm: return .mov
        case .movImm(let size, let imm, _): return X64Inst.movImmNeedsMovabs(size, imm) ? .movabs : .mov
        case .lea: return .lea
        case .loadSymbol(_, _, let throughGOT): return throughGOT ? .mov : .movabs
        case .push: return .push
        case .pop: return .pop
        case .callKnown(_, let info), .callUnknown(_, let info): return info.calleePopSize > 0 ? nil : .call
        case .ret: return .ret
        case .jmp, .jmpIndirect, .returnCallKnown, .returnCallUnknown: return .jmp
        case .jcc: return .jcc
        case .ud2: return .ud2
        case .xmmMove: return .movaps
        case .lockCmpxchg: return .cmpxchg
        case .lockCmpxchg16b: return .cmpxchg16b
        case .trapIf, .xmmCmove, .atomicRmwLoop, .atomicRmwLoop128:
            return nil
        }
    }

    /// The form a shape carries and the format the shape requires of it; nil for the
    /// shapes with forms of their own (`form` names theirs, of format `dedicated`).
    public var carriedForm: (form: FormID, format: X64Format)? {
        switch self {
        case .aluRmiR(let form, _, _, _, _): return (form, .aluRmiR)
        case .cmpRmiR(let form, _, _, _): return (form, .cmpRmiR)
        case .aluRmImmR(let form, _, _, _, _): return (form, .aluRmImmR)
        case .mul(let form, _, _, _, _, _), .mul8(let form, _, _, _): return (form, .multiply)
        case .div(let form, _, _, _, _, _, _, _), .div8(let form, _, _, _, _): return (form, .divide)
        case .signExtendData(let form, _, _): return (form, .signExtendData)
        case .shiftR(let form, _, _, _, _): return (form, .shiftR)
        case .unary(let form, _, _, _): return (form, .unary)
        case .unaryRmR(let form, _, _, _): return (form, .unaryRmR)
        case .xmmLoad(let form, _, _), .xmmStore(let form, _, _): return (form, .xmmLoadStore)
        case .gprToXmm(let form, _, _, _): return (form, .gprToXmm)
        case .xmmToGpr(let form, _, _, _): return (form, .xmmToGpr)
        case .xmmRmR(let form, _, _, _): return (form, .xmmRmR)
        case .xmmUnaryRmR(let form, _, _): return (form, .xmmUnaryRmR)
        case .xmmUnaryRmRImm(let form, _, _, _): return (form, .xmmUnaryRmRImm)
        case .xmmCompare(let form, _, _): return (form, .xmmCompare)
        case .xmmCompareMask(let form, _, _, _, _): return (form, .xmmCompareMask)
        case .xmmVexTernary(let form, _, _, _, _): return (form, .xmmVexTernary)
        case .exchange(let form, _, _, _, _): return (form, .exchange)
        case .fence(let form): return (form, .fence)
        case .setcc, .cmove, .movRR, .movImm, .lea, .load, .store, .storeImm, .loadSymbol, .push, .pop, .callKnown,
             .callUnknown, .ret, .jmp, .jcc, .jmpIndirect, .returnCallKnown, .returnCallUnknown, .xmmMove, .xmmCmove,
             .lockCmpxchg, .atomicRmwLoop, .lockCmpxchg16b, .atomicRmwLoop128, .ud2, .trapIf:
            return nil
        }
    }

    /// Every row the instruction's bytes come from, each at the size it is used at
    /// (a form of one size at that size; the parts of a pseudo-instruction too): for
    /// the feature check and the encoder tests' coverage of the table.
    public var formsUsed: [(form: FormID, size: OperandSize?)] {
        if let form { return [(form, operandSize ?? form.sizes.single)] }
        switch self {
        case .callKnown, .callUnknown:
            return [(.call, .size64), (.sub, .size64)]
        case .trapIf:
            return [(.jcc, nil), (.ud2, nil)]
        case .xmmCmove:
            return [(.jcc, nil), (.movaps, nil)]
        case .atomicRmwLoop(let op, let size, let byteSwapped, let operand, let mem, let temp, let dstOld):
            let body = X64Inst.atomicLoopBody(op: op, size: size, byteSwapped: byteSwapped, operand: operand, mem: mem,
                                              temp: temp, dstOld: dstOld)
            return (body.load + body.retried).flatMap(\.formsUsed) + [(.jcc, nil)]
        case .atomicRmwLoop128(let op, let byteSwapped, let operand, let mem, let scratch, let temp, let dstOld):
            let body = X64Inst.atomicLoopBody128(op: op, byteSwapped: byteSwapped, operand: operand, mem: mem,
                                                 scratch: scratch, temp: temp, dstOld: dstOld)
            return (body.load + body.retried).flatMap(\.formsUsed) + [(.jcc, nil)]
        case .aluRmiR, .cmpRmiR, .aluRmImmR, .mul, .mul8, .div, .div8, .signExtendData, .shiftR, .unary, .unaryRmR,
             .setcc, .cmove, .movRR, .movImm, .lea, .load, .store, .storeImm, .loadSymbol, .push, .pop, .ret, .jmp,
             .jcc, .jmpIndirect, .returnCallKnown, .returnCallUnknown, .xmmLoad, .xmmStore, .xmmMove, .gprToXmm,
             .xmmToGpr, .xmmRmR, .xmmUnaryRmR, .xmmUnaryRmRImm, .xmmCompare, .xmmCompareMask, .xmmVexTernary,
             .lockCmpxchg, .exchange, .fence, .lockCmpxchg16b, .ud2:
            return []
        }
    }

    /// The CPU features the instruction's forms require.
    public var requiredFeatures: X64Features {
        if let form { return form.requires }
        return formsUsed.reduce(X64Features.baseline) { $0.union($1.form.requires) }
    }

    /// The first form of the instruction that needs a feature `enabled` lacks, with
    /// the features it lacks; nil when every form may be emitted.
    public func missingFeature(_ enabled: X64Features) -> (form: FormID, missing: X64Features)? {
        guard !enabled.isSuperset(of: requiredFeatures) else { return nil }
        for (form, _) in formsUsed where !enabled.isSuperset(of: form.requires) {
            return (form, form.requires.subtracting(enabled))
        }
        return nil
    }

    /// Whether `movImm` needs `movabs`: a 64-bit constant that is not a sign-extended
    /// 32-bit immediate.
    static func movImmNeedsMovabs(_ size: OperandSize, _ imm: UInt64) -> Bool {
        size == .size64 && Int32(exactly: Int64(bitPattern: imm)) == nil
    }

    /// The width the instruction operates at, `nil` for shapes whose forms fix their
    /// width (xmm arithmetic, jumps) or that have none (fences).
    public var operandSize: OperandSize? {
        switch self {
        case .aluRmiR(_, let size, _, _, _), .cmpRmiR(_, let size, _, _), .aluRmImmR(_, let size, _, _, _),
             .mul(_, let size, _, _, _, _), .div(_, let size, _, _, _, _, _, _), .shiftR(_, let size, _, _, _),
             .unary(_, let size, _, _), .unaryRmR(_, let size, _, _), .cmove(let size, _, _, _, _),
             .movRR(let size, _, _), .movImm(let size, _, _), .lea(let size, _, _), .load(let size, _, _),
             .store(let size, _, _), .storeImm(let size, _, _):
            return size
        case .signExtendData(let form, _, _):
            return form.sizes.single
        case .mul8, .div8, .setcc:
            return .size8
        case .gprToXmm(_, let size, _, _), .xmmToGpr(_, let size, _, _):
            return size
        case .lockCmpxchg(let size, _, _, _, _), .exchange(_, let size, _, _, _),
             .atomicRmwLoop(_, let size, _, _, _, _, _):
            return size
        case .fence, .lockCmpxchg16b, .atomicRmwLoop128:
            return nil
        case .loadSymbol, .push, .pop, .callKnown, .callUnknown, .ret, .jmp, .jcc, .jmpIndirect, .ud2, .trapIf,
             .returnCallKnown, .returnCallUnknown, .xmmLoad, .xmmStore, .xmmMove, .xmmRmR, .xmmUnaryRmR,
             .xmmUnaryRmRImm, .xmmCompare, .xmmCompareMask, .xmmVexTernary, .xmmCmove:
            return nil
        }
    }

    /// The memory operand of the instruction, if it has one.
    public var memoryOperand: Amode? {
        switch self {
        case .aluRmiR(_, _, _, let src2, _), .cmpRmiR(_, _, _, let src2), .push(let src2):
            if case .mem(let amode) = src2 { return amode }
            return nil
        case .aluRmImmR(_, _, let src, _, _), .mul(_, _, _, let src, _, _), .mul8(_, _, let src, _),
             .div(_, _, _, _, let src, _, _, _), .div8(_, _, let src, _, _), .unaryRmR(_, _, let src, _),
             .cmove(_, _, let src, _, _), .callUnknown(let src, _), .jmpIndirect(let src), .gprToXmm(_, _, let src, _):
            if case .mem(let amode) = src { return amode }
            return nil
        case .lea(_, let amode, _), .load(_, let amode, _), .store(_, _, let amode), .storeImm(_, _, let amode):
            return amode
        case .xmmLoad(_, let amode, _), .xmmStore(_, _, let amode):
            return amode
        case .lockCmpxchg(_, _, _, let amode, _), .exchange(_, _, _, let amode, _),
             .atomicRmwLoop(_, _, _, _, let amode, _, _), .lockCmpxchg16b(_, _, let amode, _),
             .atomicRmwLoop128(_, _, _, let amode, _, _, _):
            return amode
        case .xmmToGpr(_, _, let src, _), .xmmRmR(_, _, let src, _), .xmmUnaryRmR(_, let src, _),
             .xmmUnaryRmRImm(_, _, let src, _), .xmmCompare(_, _, let src), .xmmCompareMask(_, _, _, let src, _),
             .xmmVexTernary(_, _, _, let src, _):
            if case .mem(let amode) = src { return amode }
            return nil
        case .signExtendData, .shiftR, .unary, .setcc, .movRR, .movImm, .loadSymbol, .pop, .callKnown, .ret, .jmp,
             .jcc, .ud2, .trapIf, .returnCallKnown, .returnCallUnknown, .xmmMove, .xmmCmove, .fence:
            return nil
        }
    }

    /// The trap code recorded for this instruction, if it may trap: the shape's own
    /// code (ud2, trapIf, div) or, unless its row never traps (lea), the trap code of
    /// its memory operand.
    public var trapCode: TrapCode? {
        if let trap = ownTrapCode { return trap }
        if let form, form.traps == .never { return nil }
        return memoryOperand?.trap
    }

    /// The trap code a shape carries itself.
    private var ownTrapCode: TrapCode? {
        switch self {
        case .ud2(let trap), .trapIf(_, let trap), .div(_, _, _, _, _, _, _, let trap), .div8(_, _, _, _, let trap):
            return trap
        case .aluRmiR, .cmpRmiR, .aluRmImmR, .mul, .mul8, .signExtendData, .shiftR, .unary, .unaryRmR, .setcc, .cmove,
             .movRR, .movImm, .lea, .load, .store, .storeImm, .loadSymbol, .push, .pop, .callKnown, .callUnknown, .ret,
             .jmp, .jcc, .jmpIndirect, .returnCallKnown, .returnCallUnknown, .xmmLoad, .xmmStore, .xmmMove, .gprToXmm,
             .xmmToGpr, .xmmRmR, .xmmUnaryRmR, .xmmUnaryRmRImm, .xmmCompare, .xmmCompareMask, .xmmVexTernary,
             .xmmCmove, .lockCmpxchg, .exchange, .fence, .atomicRmwLoop, .lockCmpxchg16b, .atomicRmwLoop128:
            return nil
        }
    }
}

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
