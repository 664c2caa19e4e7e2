import EgretIR

/// The operand types of the xmm shapes of `X64Inst`: the width of a scalar (which
/// lowering turns into a form: `width.choose(.addss, .addsd)`), register-or-memory
/// xmm operands, and the immediates of cmpss and roundss.

/// The width of a scalar float operation: the `ss` or `sd` form.
public enum FloatWidth: CaseIterable, Hashable, Sendable, CustomStringConvertible {
    case f32
    case f64

    /// `ss` or `sd`: the mnemonic suffix of scalar forms.
    public var scalarSuffix: String { self == .f32 ? "ss" : "sd" }

    /// Bytes of one scalar.
    public var bytes: Int { self == .f32 ? 4 : 8 }

    /// The float width of an f32/f64 type (f64 for anything else).
    public init(_ type: IRType) { self = type == .f32 ? .f32 : .f64 }

    /// The other width (what `cvtss2sd` / `cvtsd2ss` convert to).
    public var other: FloatWidth { self == .f32 ? .f64 : .f32 }

    public var description: String { self == .f32 ? "f32" : "f64" }
}

/// An xmm register or a memory operand (the ModRM r/m field of an SSE form).
public enum XmmMem: Hashable, Sendable {
    case reg(Xmm)
    case mem(Amode)
}

/// The predicate of `cmpss`/`cmpsd` (its imm8). Only the predicates lowering uses.
public enum FloatComparePredicate: UInt8, CaseIterable, Hashable, Sendable {
    /// True when either operand is NaN.
    case unordered = 3

    public var mnemonicInfix: String {
        switch self {
        case .unordered: return "unord"
        }
    }

    /// The mnemonic llvm-mc prints for `form` (`cmpss`) with this predicate:
    /// `cmpunordss`.
    public func spelling(of form: X64Form) -> String {
        "cmp" + mnemonicInfix + form.mnemonic.dropFirst("cmp".count)
    }
}

/// The rounding of `roundss`/`roundsd` (SSE4.1); the imm8 also sets bit 3, which
/// suppresses the precision exception, as CLIF's ceil/floor/trunc/nearest never raise.
public enum RoundingMode: UInt8, CaseIterable, Hashable, Sendable {
    case nearest = 0
    case floor = 1
    case ceil = 2
    case trunc = 3

    /// The instruction's immediate.
    public var immediate: UInt8 { rawValue | 8 }
}
