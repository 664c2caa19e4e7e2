import EgretIR

/// The name of each row of the form table (X64Form.swift), which lowering writes to
/// pick a form and `X64Inst` shapes carry; its raw value indexes the table. Cases
/// are grouped by table file and section; each row's documentation is its `reason`
/// there.
public enum FormID: UInt8, CaseIterable, Hashable, Sendable {
    // MARK: Forms+Integer.swift: integer forms

    case add, or, adc, sbb, and, sub, xor, cmp, test, imul, imulImm
    case mulUnsigned, mulSigned, divUnsigned, divSigned
    case cbtw, cwtd, cltd, cqto
    case rol, ror, shl, shr, sar
    case neg, not, bswap
    case bsr, bsf, lzcnt, tzcnt, popcnt
    case movzb, movzw, movsb, movsw, movsl
    case set, cmov, mov, movabs, lea, push, pop

    // MARK: Forms+Integer.swift: control

    case call, jmp, jcc, ret, ud2

    // MARK: Forms+Integer.swift: atomics

    case cmpxchg, xchg, xadd, cmpxchg16b, mfence

    // MARK: Forms+Float.swift

    case movss, movsd, movups, movaps, movdToXmm, movdToGpr
    case addss, addsd, subss, subsd, mulss, mulsd, divss, divsd, minss, minsd, maxss, maxsd
    case andps, andnps, orps, xorps
    case sqrtss, sqrtsd, cvtss2sd, cvtsd2ss, roundss, roundsd
    case ucomiss, ucomisd, cmpss, cmpsd
    case cvtsi2ss, cvtsi2sd, cvttss2si, cvttsd2si
    case vfmadd213ss, vfmadd213sd
}

// MARK: Choosing a form

extension FormID {
    /// cbtw, cwtd, cltd or cqto: the sign extension of the accumulator before a
    /// signed division at `size` (`size8`: al into ax).
    public static func signExtendAccumulator(_ size: OperandSize) -> FormID {
        switch size {
        case .size8: return .cbtw
        case .size16: return .cwtd
        case .size32: return .cltd
        case .size64: return .cqto
        }
    }

    /// The widening multiply of this signedness (`mul` or one-operand `imul`).
    public static func multiplyWide(_ signedness: Signedness) -> FormID {
        signedness == .signed ? .mulSigned : .mulUnsigned
    }

    /// `div` or `idiv`.
    public static func divide(_ signedness: Signedness) -> FormID {
        signedness == .signed ? .divSigned : .divUnsigned
    }
}

extension FloatWidth {
    /// The single- or the double-precision form: `width.choose(.addss, .addsd)`.
    public func choose(_ single: FormID, _ double: FormID) -> FormID { self == .f32 ? single : double }
}

/// The key of a form's bit-vector semantics. EgretSMT maps every key to its meaning
/// in one exhaustive switch (MachineSpecs+Semantics.swift, no `default:`): a new key
/// does not compile until it is given semantics or an explicit "not modelled".
///
/// Keys name what a form computes, not how it is encoded, so rows share them where
/// the computation is the same: `cmp` computes the flags of `sub` (the compare shape
/// keeps only the flags), `test` those of `and`, and one `move` serves every mov.
/// Widths are the row's and the instruction's (operand size, source size), not the
/// key's.
public enum SemanticsKey: CaseIterable, Hashable, Sendable {
    // MARK: Integer arithmetic and logic (result and flags)

    case add, addWithCarry, subtract, subtractWithBorrow, and, or, xor
    /// The low half of a product (two- and three-operand imul).
    case multiplyLow
    /// rdx:rax = rax × src (one-operand mul/imul; ax = al × src at 8 bits).
    case multiplyWideUnsigned, multiplyWideSigned
    /// rax = rdx:rax / src, rdx = the remainder (al/ah from ax at 8 bits).
    case divideUnsigned, divideSigned
    /// rdx = the sign of rax (cwtd/cltd/cqto); ax = al sign-extended (cbtw).
    case signExtendAccumulator
    case rotateLeft, rotateRight, shiftLeft, shiftRightLogical, shiftRightArithmetic
    case negate, complement, byteSwap
    case bitScanReverse, bitScanForward, countLeadingZeros, countTrailingZeros, countOnes
    /// The source (of the row's source width) extended to the operand size.
    case zeroExtend, signExtend

    // MARK: Moves and flag consumers

    /// The destination gets the source's bits at the operand size (register, load,
    /// store, immediate).
    case move
    /// The address an Amode computes, not accessed.
    case loadAddress
    case setOnCondition, moveOnCondition

    // MARK: Stack and control

    case push, pop, call, jump, jumpOnCondition, `return`, trap

    // MARK: Floating point and xmm registers

    /// movss/movsd/movups/movaps: bits between xmm registers and memory.
    case vectorMove
    /// movd/movq: bits between a general register and an xmm register.
    case moveToVector, moveFromVector
    case floatAdd, floatSubtract, floatMultiply, floatDivide, floatMinimum, floatMaximum, floatSquareRoot
    /// roundss/roundsd with the rounding in the immediate.
    case floatRound
    case floatFusedMultiplyAdd
    /// ucomiss/ucomisd: ZF PF CF from an unordered comparison.
    case floatCompareFlags
    /// cmpss/cmpsd: an all-ones or all-zeros lane from the predicate in the immediate.
    case floatCompareMask
    case floatPromote, floatDemote
    case intToFloat, floatToIntTruncating
    /// andps/andnps/orps/xorps on all 128 bits.
    case vectorAnd, vectorAndNot, vectorOr, vectorXor

    // MARK: Atomics

    case compareExchange, exchange, exchangeAdd, compareExchange16, fence
}
