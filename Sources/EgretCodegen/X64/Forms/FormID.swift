import EgretIR

/// The name of each row of the form table (X64Form.swift), which lowering writes to
/// pick a form and `X64Inst` shapes carry; its raw value indexes the table. Cases
/// are grouped by table file, in table order; each row's documentation is its
/// `reason` there.
public enum FormID: UInt8, CaseIterable, Hashable, Sendable {
    // MARK: Forms+Integer.swift

    case add, or, adc, sbb, and, sub, xor, cmp, test, imul, imulImm
    case mulUnsigned, mulSigned, divUnsigned, divSigned
    case cbtw, cwtd, cltd, cqto
    case rol, ror, shl, shr, sar
    case neg, not, bswap
    case bsr, bsf, lzcnt, tzcnt, popcnt
    case movzb, movzw, movsb, movsw, movsl
    case set, cmov, mov, movabs, lea, push, pop

    // MARK: Forms+Control.swift

    case call, jmp, jcc, ret, ud2

    // MARK: Forms+Float.swift

    case movss, movsd, movups, movaps, movdToXmm, movdToGpr
    case addss, addsd, subss, subsd, mulss, mulsd, divss, divsd, minss, minsd, maxss, maxsd
    case andps, andnps, orps, xorps
    case sqrtss, sqrtsd, cvtss2sd, cvtsd2ss, roundss, roundsd
    case ucomiss, ucomisd, cmpss, cmpsd
    case cvtsi2ss, cvtsi2sd, cvttss2si, cvttsd2si
    case vfmadd213ss, vfmadd213sd

    // MARK: Forms+Atomics.swift

    case cmpxchg, xchg, xadd, cmpxchg16b, mfence
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
