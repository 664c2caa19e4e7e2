import EgretIR

/// CLIF integer semantics for i128, on Swift's `UInt128`/`Int128`. The same definitions
/// as `NarrowInteger`, where the exact results need 129 or 256 bits.
enum WideInteger {
    @inline(__always) static func absoluteValue(_ x: UInt128) -> UInt128 {
        Int128(bitPattern: x) < 0 ? 0 &- x : x
    }

    @inline(__always) static func unsignedMultiplyHigh(_ x: UInt128, _ y: UInt128) -> UInt128 {
        x.multipliedFullWidth(by: y).high
    }

    @inline(__always) static func signedMultiplyHigh(_ x: UInt128, _ y: UInt128) -> UInt128 {
        UInt128(bitPattern: Int128(bitPattern: x).multipliedFullWidth(by: Int128(bitPattern: y)).high)
    }

    /// nil when the quotient overflows (MIN / -1); the caller checked for zero.
    @inline(__always) static func signedDivide(_ x: UInt128, _ y: UInt128) -> UInt128? {
        let (quotient, overflow) = Int128(bitPattern: x).dividedReportingOverflow(by: Int128(bitPattern: y))
        return overflow ? nil : UInt128(bitPattern: quotient)
    }

    /// MIN % -1 is 0; the caller checked for zero.
    @inline(__always) static func signedRemainder(_ x: UInt128, _ y: UInt128) -> UInt128 {
        UInt128(bitPattern: Int128(bitPattern: x).remainderReportingOverflow(dividingBy: Int128(bitPattern: y))
            .partialValue)
    }

    static func compare(_ condition: UInt8, _ x: UInt128, _ y: UInt128) -> Bool {
        guard let condition = IntCC(rawValue: condition) else { return false }
        let a = Int128(bitPattern: x), b = Int128(bitPattern: y)
        switch condition {
        case .eq: return x == y
        case .ne: return x != y
        case .slt: return a < b
        case .sge: return a >= b
        case .sgt: return a > b
        case .sle: return a <= b
        case .ult: return x < y
        case .uge: return x >= y
        case .ugt: return x > y
        case .ule: return x <= y
        }
    }

    @inline(__always) static func signedMinimum(_ x: UInt128, _ y: UInt128) -> UInt128 {
        Int128(bitPattern: x) < Int128(bitPattern: y) ? x : y
    }

    @inline(__always) static func signedMaximum(_ x: UInt128, _ y: UInt128) -> UInt128 {
        Int128(bitPattern: x) > Int128(bitPattern: y) ? x : y
    }

    // MARK: Arithmetic with flags (carry and borrow inputs are 0 or 1)

    @inline(__always) static func isNegative(_ x: UInt128) -> Bool { x >> 127 != 0 }

    static func unsignedAdd(_ x: UInt128, _ y: UInt128, carry: UInt128) -> (UInt128, Bool) {
        let (partial, first) = x.addingReportingOverflow(y)
        let (sum, second) = partial.addingReportingOverflow(carry)
        return (sum, first || second)
    }

    /// Signed overflow of x + y + carry: only operands of equal sign can overflow, and
    /// then the wrapped sum has the other sign.
    static func signedAdd(_ x: UInt128, _ y: UInt128, carry: UInt128) -> (UInt128, Bool) {
        let sum = x &+ y &+ carry
        return (sum, isNegative(x) == isNegative(y) && isNegative(sum) != isNegative(x))
    }

    static func unsignedSubtract(_ x: UInt128, _ y: UInt128, borrow: UInt128) -> (UInt128, Bool) {
        let (partial, first) = x.subtractingReportingOverflow(y)
        let (difference, second) = partial.subtractingReportingOverflow(borrow)
        return (difference, first || second)
    }

    /// Signed overflow of x - y - borrow: only operands of different sign can overflow,
    /// and then the wrapped difference does not have x's sign.
    static func signedSubtract(_ x: UInt128, _ y: UInt128, borrow: UInt128) -> (UInt128, Bool) {
        let difference = x &- y &- borrow
        return (difference, isNegative(x) != isNegative(y) && isNegative(difference) != isNegative(x))
    }

    // MARK: Shifts and rotates (the count is taken modulo 128)

    @inline(__always) static func shiftRightArithmetic(_ x: UInt128, _ count: UInt64) -> UInt128 {
        UInt128(bitPattern: Int128(bitPattern: x) &>> Int128(count & 127))
    }

    @inline(__always) static func rotateLeft(_ x: UInt128, _ count: UInt64) -> UInt128 {
        let amount = UInt128(count & 127)
        if amount == 0 { return x }
        return x &<< amount | x &>> (128 - amount)
    }

    @inline(__always) static func rotateRight(_ x: UInt128, _ count: UInt64) -> UInt128 {
        let amount = UInt128(count & 127)
        if amount == 0 { return x }
        return x &>> amount | x &<< (128 - amount)
    }

    // MARK: Bits

    static func reverseBits(_ x: UInt128) -> UInt128 {
        let low = UInt64(truncatingIfNeeded: x), high = UInt64(truncatingIfNeeded: x >> 64)
        return UInt128(NarrowInteger.reverseBits64(low)) << 64 | UInt128(NarrowInteger.reverseBits64(high))
    }

    @inline(__always) static func countLeadingSignBits(_ x: UInt128) -> UInt128 {
        let value = Int128(bitPattern: x)
        return UInt128((UInt128(bitPattern: value ^ (value &>> 127))).leadingZeroBitCount - 1)
    }
}
