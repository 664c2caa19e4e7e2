import EgretIR

/// CLIF integer semantics for i8 … i64. A value is its bits zero-extended to a `UInt64`;
/// `bits` is the type's width. Every result is returned zero-extended again.
///
/// These are the definitions the interpreter executes, written after Cranelift's
/// instruction documentation (`cranelift/codegen/meta/src/shared/instructions.rs`).
/// They never trap in Swift: wrapping operators throughout, and explicit checks where
/// CLIF traps.
enum NarrowInteger {
    /// All ones in the low `bits` bits.
    @inline(__always) static func mask(_ bits: UInt8) -> UInt64 {
        UInt64.max &>> (64 &- UInt64(bits))
    }

    /// The value read as a signed integer of `bits` bits, sign-extended.
    @inline(__always) static func signed(_ value: UInt64, _ bits: UInt8) -> Int64 {
        let unused = 64 &- UInt64(bits)
        return Int64(bitPattern: value &<< unused) &>> unused
    }

    /// A signed result truncated to `bits` bits.
    @inline(__always) static func truncate(_ value: Int64, _ bits: UInt8) -> UInt64 {
        UInt64(bitPattern: value) & mask(bits)
    }

    /// The smallest and largest signed values of `bits` bits.
    @inline(__always) static func signedBounds(_ bits: UInt8) -> (min: Int64, max: Int64) {
        let max = Int64(bitPattern: mask(bits) &>> 1)
        return (~max, max)
    }

    // MARK: Arithmetic

    /// `iabs`: the absolute value; the minimum maps to itself.
    @inline(__always) static func absoluteValue(_ x: UInt64, _ bits: UInt8) -> UInt64 {
        signed(x, bits) < 0 ? (0 &- x) & mask(bits) : x
    }

    /// `umulhi`: the high half of the 2·bits-bit unsigned product.
    @inline(__always) static func unsignedMultiplyHigh(_ x: UInt64, _ y: UInt64, _ bits: UInt8) -> UInt64 {
        if bits == 64 { return x.multipliedFullWidth(by: y).high }
        // Both factors are below 2^32, so the product fits in 64 bits.
        return (x &* y) &>> UInt64(bits)
    }

    /// `smulhi`: the high half of the 2·bits-bit signed product.
    @inline(__always) static func signedMultiplyHigh(_ x: UInt64, _ y: UInt64, _ bits: UInt8) -> UInt64 {
        let a = signed(x, bits), b = signed(y, bits)
        if bits == 64 { return UInt64(bitPattern: a.multipliedFullWidth(by: b).high) }
        return truncate((a &* b) &>> Int64(bits), bits)
    }

    /// `sdiv`: rounds toward zero; nil when the quotient overflows (MIN / -1). The caller
    /// has checked for a zero divisor.
    @inline(__always) static func signedDivide(_ x: UInt64, _ y: UInt64, _ bits: UInt8) -> UInt64? {
        let a = signed(x, bits), b = signed(y, bits)
        if b == -1 && a == signedBounds(bits).min { return nil }
        return truncate(a.dividedReportingOverflow(by: b).partialValue, bits)
    }

    /// `srem`: the remainder has the dividend's sign; MIN % -1 is 0. The caller has
    /// checked for a zero divisor.
    @inline(__always) static func signedRemainder(_ x: UInt64, _ y: UInt64, _ bits: UInt8) -> UInt64 {
        truncate(signed(x, bits).remainderReportingOverflow(dividingBy: signed(y, bits)).partialValue, bits)
    }

    @inline(__always) static func compare(_ condition: UInt8, _ x: UInt64, _ y: UInt64, _ bits: UInt8) -> Bool {
        guard let condition = IntCC(rawValue: condition) else { return false }
        switch condition {
        case .eq: return x == y
        case .ne: return x != y
        case .slt: return signed(x, bits) < signed(y, bits)
        case .sge: return signed(x, bits) >= signed(y, bits)
        case .sgt: return signed(x, bits) > signed(y, bits)
        case .sle: return signed(x, bits) <= signed(y, bits)
        case .ult: return x < y
        case .uge: return x >= y
        case .ugt: return x > y
        case .ule: return x <= y
        }
    }

    // MARK: Arithmetic with flags
    //
    // Each returns the wrapped result and whether the exact mathematical result (with
    // the carry or borrow input counted as 0 or 1) does not fit the type.

    @inline(__always) static func unsignedAdd(_ x: UInt64, _ y: UInt64, carry: UInt64,
                                              _ bits: UInt8) -> (UInt64, Bool) {
        let exact = UInt128(x) + UInt128(y) + UInt128(carry)
        return (UInt64(truncatingIfNeeded: exact) & mask(bits), exact > UInt128(mask(bits)))
    }

    @inline(__always) static func signedAdd(_ x: UInt64, _ y: UInt64, carry: UInt64,
                                            _ bits: UInt8) -> (UInt64, Bool) {
        let exact = Int128(signed(x, bits)) + Int128(signed(y, bits)) + Int128(carry)
        return (UInt64(truncatingIfNeeded: exact) & mask(bits), !fits(exact, bits))
    }

    @inline(__always) static func unsignedSubtract(_ x: UInt64, _ y: UInt64, borrow: UInt64,
                                                   _ bits: UInt8) -> (UInt64, Bool) {
        let exact = Int128(x) - Int128(y) - Int128(borrow)
        return (UInt64(truncatingIfNeeded: exact) & mask(bits), exact < 0)
    }

    @inline(__always) static func signedSubtract(_ x: UInt64, _ y: UInt64, borrow: UInt64,
                                                 _ bits: UInt8) -> (UInt64, Bool) {
        let exact = Int128(signed(x, bits)) - Int128(signed(y, bits)) - Int128(borrow)
        return (UInt64(truncatingIfNeeded: exact) & mask(bits), !fits(exact, bits))
    }

    @inline(__always) static func unsignedMultiply(_ x: UInt64, _ y: UInt64, _ bits: UInt8) -> (UInt64, Bool) {
        let exact = UInt128(x) * UInt128(y)
        return (UInt64(truncatingIfNeeded: exact) & mask(bits), exact > UInt128(mask(bits)))
    }

    @inline(__always) static func signedMultiply(_ x: UInt64, _ y: UInt64, _ bits: UInt8) -> (UInt64, Bool) {
        let exact = Int128(signed(x, bits)) * Int128(signed(y, bits))
        return (UInt64(truncatingIfNeeded: exact) & mask(bits), !fits(exact, bits))
    }

    /// Whether an exact result is a signed value of `bits` bits.
    @inline(__always) static func fits(_ exact: Int128, _ bits: UInt8) -> Bool {
        let bounds = signedBounds(bits)
        return exact >= Int128(bounds.min) && exact <= Int128(bounds.max)
    }

    // MARK: Shifts and rotates (the count is taken modulo the width)

    @inline(__always) static func shiftLeft(_ x: UInt64, _ count: UInt64, _ bits: UInt8) -> UInt64 {
        (x &<< (count & UInt64(bits &- 1))) & mask(bits)
    }

    @inline(__always) static func shiftRightLogical(_ x: UInt64, _ count: UInt64, _ bits: UInt8) -> UInt64 {
        x &>> (count & UInt64(bits &- 1))
    }

    @inline(__always) static func shiftRightArithmetic(_ x: UInt64, _ count: UInt64, _ bits: UInt8) -> UInt64 {
        truncate(signed(x, bits) &>> Int64(count & UInt64(bits &- 1)), bits)
    }

    @inline(__always) static func rotateLeft(_ x: UInt64, _ count: UInt64, _ bits: UInt8) -> UInt64 {
        let amount = count & UInt64(bits &- 1)
        if amount == 0 { return x }
        return (x &<< amount | x &>> (UInt64(bits) &- amount)) & mask(bits)
    }

    @inline(__always) static func rotateRight(_ x: UInt64, _ count: UInt64, _ bits: UInt8) -> UInt64 {
        let amount = count & UInt64(bits &- 1)
        if amount == 0 { return x }
        return (x &>> amount | x &<< (UInt64(bits) &- amount)) & mask(bits)
    }

    // MARK: Bit counting and reordering

    @inline(__always) static func reverseBits(_ x: UInt64, _ bits: UInt8) -> UInt64 {
        reverseBits64(x) &>> (64 &- UInt64(bits))
    }

    static func reverseBits64(_ value: UInt64) -> UInt64 {
        var x = value
        x = (x &>> 1) & 0x5555_5555_5555_5555 | (x & 0x5555_5555_5555_5555) &<< 1
        x = (x &>> 2) & 0x3333_3333_3333_3333 | (x & 0x3333_3333_3333_3333) &<< 2
        x = (x &>> 4) & 0x0F0F_0F0F_0F0F_0F0F | (x & 0x0F0F_0F0F_0F0F_0F0F) &<< 4
        return x.byteSwapped
    }

    @inline(__always) static func swapBytes(_ x: UInt64, _ bits: UInt8) -> UInt64 {
        x.byteSwapped &>> (64 &- UInt64(bits))
    }

    @inline(__always) static func countLeadingZeros(_ x: UInt64, _ bits: UInt8) -> UInt64 {
        UInt64(x.leadingZeroBitCount) &- (64 &- UInt64(bits))
    }

    @inline(__always) static func countTrailingZeros(_ x: UInt64, _ bits: UInt8) -> UInt64 {
        x == 0 ? UInt64(bits) : UInt64(x.trailingZeroBitCount)
    }

    /// `cls`: the bits after the sign bit that equal it (width - 1 for 0 and -1).
    @inline(__always) static func countLeadingSignBits(_ x: UInt64, _ bits: UInt8) -> UInt64 {
        let value = signed(x, bits)
        let sameAsSign = UInt64(bitPattern: value ^ (value &>> 63)).leadingZeroBitCount
        return UInt64(sameAsSign) &- (64 &- UInt64(bits)) &- 1
    }
}
