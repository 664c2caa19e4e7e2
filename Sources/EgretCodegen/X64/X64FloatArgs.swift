import EgretIR

/// The operand types of the scalar floating-point forms of `X64Inst`: the width of a
/// scalar, register-or-memory xmm operands and the operation enums of each family.
/// As in X64Args.swift, each enum's helpers give the numbers the encoder needs.

/// The width of a scalar float operation: the `ss`/`sd` suffix and its mandatory
/// prefix (F3 for single, F2 for double precision).
public enum FloatWidth: CaseIterable, Hashable, Sendable, CustomStringConvertible {
    case f32
    case f64

    /// `ss` or `sd`: the mnemonic suffix of scalar forms.
    public var scalarSuffix: String { self == .f32 ? "ss" : "sd" }

    /// The mandatory prefix of the scalar forms (F3 single, F2 double).
    var scalarPrefix: LegacyPrefixes { self == .f32 ? .repF3 : .repF2 }

    /// Bytes of one scalar.
    public var bytes: Int { self == .f32 ? 4 : 8 }

    /// The float width of an f32/f64 type (f64 for anything else).
    public init(_ type: IRType) { self = type == .f32 ? .f32 : .f64 }

    /// The other width (what `cvtss2sd` / `cvtsd2ss` convert to).
    public var other: FloatWidth { self == .f32 ? .f64 : .f32 }

    public var description: String { self == .f32 ? "f32" : "f64" }
}

/// How many bytes an xmm load or store moves: one scalar (`movss`, `movsd`) or the
/// whole register (`movups`, used to save callee-saved xmm registers).
public enum XmmWidth: CaseIterable, Hashable, Sendable {
    case f32
    case f64
    case v128

    public var mnemonic: String {
        switch self {
        case .f32: return "movss"
        case .f64: return "movsd"
        case .v128: return "movups"
        }
    }

    public init(_ width: FloatWidth) { self = width == .f32 ? .f32 : .f64 }
}

/// An xmm register or a memory operand (the ModRM r/m field of an SSE form).
public enum XmmMem: Hashable, Sendable {
    case reg(Xmm)
    case mem(Amode)
}

/// Two-operand scalar arithmetic, `F3/F2 0F xx /r`. minss/maxss return the second
/// operand when either is NaN or both are zero, so CLIF's fmin/fmax need more than
/// one instruction (Rules+Float.swift).
public enum FloatArithOp: CaseIterable, Hashable, Sendable {
    case add, sub, mul, div, min, max

    /// The opcode byte after 0x0F.
    public var opcode: UInt8 {
        switch self {
        case .add: return 0x58
        case .mul: return 0x59
        case .sub: return 0x5C
        case .min: return 0x5D
        case .div: return 0x5E
        case .max: return 0x5F
        }
    }

    public var mnemonic: String {
        switch self {
        case .add: return "add"
        case .sub: return "sub"
        case .mul: return "mul"
        case .div: return "div"
        case .min: return "min"
        case .max: return "max"
        }
    }
}

/// Bitwise operations on a whole xmm register, in their packed-single forms
/// (`0F 54…57 /r`, the shortest encodings; the bits are the same for every lane type).
/// `andn` computes `~src1 & src2`.
public enum FloatLogicOp: CaseIterable, Hashable, Sendable {
    case and, andn, or, xor

    public var opcode: UInt8 {
        switch self {
        case .and: return 0x54
        case .andn: return 0x55
        case .or: return 0x56
        case .xor: return 0x57
        }
    }

    public var mnemonic: String {
        switch self {
        case .and: return "andps"
        case .andn: return "andnps"
        case .or: return "orps"
        case .xor: return "xorps"
        }
    }
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
