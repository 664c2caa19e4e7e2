import EgretIR
// Swift's `rounded(_:)` and `addingProduct` call the C math library on Linux; importing
// the C library links it.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// CLIF float semantics for f32 and f64. A value is its IEEE 754 bits in a `UInt64`
/// (f32 in the low 32 bits); `width` is 32 or 64.
///
/// Arithmetic is IEEE 754 with round-to-nearest-even, computed by the host's
/// correctly-rounded operations (`fma` is fused: Swift's `addingProduct`).
///
/// **NaN results.** CLIF leaves the sign and payload of a NaN that arithmetic produces
/// unspecified (`fmin`/`fmax` only promise a canonical NaN when every NaN input is
/// canonical). The interpreter always produces the positive canonical quiet NaN
/// (`0x7fc00000`, `0x7ff8000000000000`), whatever the host does, so its results do not
/// depend on the machine it runs on; oracles compare NaN results after canonicalising.
/// Operations that only move bits (`fneg`, `fabs`, `fcopysign`, `bitcast`, loads and
/// stores) keep payloads.
enum FloatSemantics {
    static let canonicalNaN32: UInt64 = 0x7FC0_0000
    static let canonicalNaN64: UInt64 = 0x7FF8_0000_0000_0000

    @inline(__always) static func single(_ bits: UInt64) -> Float { Float(bitPattern: UInt32(truncatingIfNeeded: bits)) }
    @inline(__always) static func double(_ bits: UInt64) -> Double { Double(bitPattern: bits) }
    @inline(__always) static func bits(_ x: Float) -> UInt64 { x.isNaN ? canonicalNaN32 : UInt64(x.bitPattern) }
    @inline(__always) static func bits(_ x: Double) -> UInt64 { x.isNaN ? canonicalNaN64 : x.bitPattern }

    /// The sign bit of a float of `width` bits.
    @inline(__always) static func signBit(_ width: UInt8) -> UInt64 { 1 &<< UInt64(width &- 1) }

    // MARK: Applying an operation at either width

    @inline(__always) static func unary(_ width: UInt8, _ x: UInt64,
                                        _ onSingle: (Float) -> Float, _ onDouble: (Double) -> Double) -> UInt64 {
        width == 32 ? bits(onSingle(single(x))) : bits(onDouble(double(x)))
    }

    @inline(__always) static func binary(_ width: UInt8, _ x: UInt64, _ y: UInt64,
                                         _ onSingle: (Float, Float) -> Float,
                                         _ onDouble: (Double, Double) -> Double) -> UInt64 {
        width == 32 ? bits(onSingle(single(x), single(y))) : bits(onDouble(double(x), double(y)))
    }

    /// `fma x, y, z`: x·y + z with a single rounding.
    @inline(__always) static func fusedMultiplyAdd(_ width: UInt8, _ x: UInt64, _ y: UInt64, _ z: UInt64) -> UInt64 {
        if width == 32 { return bits(single(z).addingProduct(single(x), single(y))) }
        return bits(double(z).addingProduct(double(x), double(y)))
    }

    // MARK: Minimum, maximum, comparison

    /// `fmin`: NaN if either operand is NaN; -0 is less than +0.
    @inline(__always) static func minimum<F: BinaryFloatingPoint>(_ x: F, _ y: F) -> F {
        if x.isNaN || y.isNaN { return .nan }
        if x == y { return x.sign == .minus ? x : y }
        return x < y ? x : y
    }

    /// `fmax`: NaN if either operand is NaN; +0 is greater than -0.
    @inline(__always) static func maximum<F: BinaryFloatingPoint>(_ x: F, _ y: F) -> F {
        if x.isNaN || y.isNaN { return .nan }
        if x == y { return x.sign == .minus ? y : x }
        return x > y ? x : y
    }

    /// `fcmp`: whether the condition holds for the relation of x and y (unordered when
    /// either is NaN; 0 equals -0).
    static func compare(_ condition: UInt8, _ width: UInt8, _ x: UInt64, _ y: UInt64) -> Bool {
        guard let condition = FloatCC(rawValue: condition) else { return false }
        if width == 32 {
            let a = single(x), b = single(y)
            return condition.holds(unordered: a.isNaN || b.isNaN, less: a < b, equal: a == b, greater: a > b)
        }
        let a = double(x), b = double(y)
        return condition.holds(unordered: a.isNaN || b.isNaN, less: a < b, equal: a == b, greater: a > b)
    }

    // MARK: Conversions between float widths

    /// `fpromote` f32 → f64: exact.
    static func promote(_ x: UInt64) -> UInt64 { bits(Double(single(x))) }

    /// `fdemote` f64 → f32: rounds to nearest, ties to even.
    static func demote(_ x: UInt64) -> UInt64 { bits(Float(double(x))) }

    // MARK: Float to integer

    /// The value of a float operand as a double (exact for f32).
    @inline(__always) static func widened(_ x: UInt64, _ width: UInt8) -> Double {
        width == 32 ? Double(single(x)) : double(x)
    }

    /// 2^exponent as a double.
    @inline(__always) static func powerOfTwo(_ exponent: Int) -> Double {
        Double(sign: .plus, exponent: exponent, significand: 1)
    }

    /// `fcvt_to_sint` / `fcvt_to_uint`: truncates toward zero; traps `bad_toint` on NaN
    /// and `int_ovf` when the truncated value does not fit `intBits` bits.
    static func toInteger(_ x: UInt64, floatWidth: UInt8, intBits: UInt8,
                          signed: Bool) -> TrappingResult<UInt128> {
        let value = widened(x, floatWidth)
        if value.isNaN { return .trap(.badConversionToInteger) }
        let truncated = value.rounded(.towardZero)
        if signed {
            let limit = powerOfTwo(Int(intBits) - 1)
            guard truncated >= -limit && truncated < limit else { return .trap(.integerOverflow) }
            return .value(WideMask.truncate(UInt128(bitPattern: Int128(truncated)), intBits))
        }
        guard truncated >= 0 && truncated < powerOfTwo(Int(intBits)) else { return .trap(.integerOverflow) }
        return .value(UInt128(truncated))
    }

    /// `fcvt_to_sint_sat` / `fcvt_to_uint_sat`: truncates toward zero and clamps to the
    /// integer range; NaN gives 0.
    static func toIntegerSaturating(_ x: UInt64, floatWidth: UInt8, intBits: UInt8, signed: Bool) -> UInt128 {
        let value = widened(x, floatWidth)
        if value.isNaN { return 0 }
        let truncated = value.rounded(.towardZero)
        if signed {
            let limit = powerOfTwo(Int(intBits) - 1)
            let maximum = Int128.max >> (128 - Int128(intBits))
            let result: Int128
            if truncated < -limit {
                result = ~maximum
            } else if truncated >= limit {
                result = maximum
            } else {
                result = Int128(truncated)
            }
            return WideMask.truncate(UInt128(bitPattern: result), intBits)
        }
        if truncated <= 0 { return 0 }
        if truncated >= powerOfTwo(Int(intBits)) { return WideMask.mask(intBits) }
        return UInt128(truncated)
    }

    // MARK: Integer to float

    /// `fcvt_from_sint` / `fcvt_from_uint`: the integer of `intBits` bits (zero-extended
    /// in `x`), rounded to nearest even.
    static func fromInteger(_ x: UInt128, intBits: UInt8, signed: Bool, floatWidth: UInt8) -> UInt64 {
        if signed {
            let value = Int128(bitPattern: x << (128 - UInt128(intBits))) >> (128 - Int128(intBits))
            if intBits <= 64 {
                let narrow = Int64(truncatingIfNeeded: value)
                return floatWidth == 32 ? bits(Float(narrow)) : bits(Double(narrow))
            }
            return floatWidth == 32 ? bits(Float(value)) : bits(Double(value))
        }
        if intBits <= 64 {
            let narrow = UInt64(truncatingIfNeeded: x)
            return floatWidth == 32 ? bits(Float(narrow)) : bits(Double(narrow))
        }
        return floatWidth == 32 ? bits(Float(x)) : bits(Double(x))
    }
}

/// A value, or the trap an operation raised instead.
enum TrappingResult<Value> {
    case value(Value)
    case trap(TrapCode)
}

/// Masks for integers of up to 128 bits.
enum WideMask {
    @inline(__always) static func mask(_ bits: UInt8) -> UInt128 {
        UInt128.max >> (128 - UInt128(bits))
    }

    @inline(__always) static func truncate(_ value: UInt128, _ bits: UInt8) -> UInt128 {
        value & mask(bits)
    }
}
