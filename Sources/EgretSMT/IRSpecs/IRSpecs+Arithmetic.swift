import EgretIR

/// Value-producing opcodes: arithmetic, logic, comparisons, selects, width changes,
/// shifts, bit counting and the overflow-reporting family.
extension IRSpecs {
    static func binary(_ inputs: IRInputs, _ operation: (BitVector, BitVector) -> BitVector) throws -> IROutcome {
        IROutcome(results: [operation(try inputs.operand(0), try inputs.operand(1))])
    }

    static func unary(_ inputs: IRInputs, _ operation: (BitVector) -> BitVector) throws -> IROutcome {
        IROutcome(results: [operation(try inputs.operand(0))])
    }

    static func constant(_ inputs: IRInputs) throws -> IROutcome {
        guard let immediate = inputs.immediate else { throw SMTError.internalError("iconst without an immediate") }
        return IROutcome(results: [immediate.low(inputs.width)])
    }

    /// The high half of the double-width product.
    static func multiplyHigh(_ inputs: IRInputs, signed: Bool) throws -> IROutcome {
        let x = try inputs.operand(0), y = try inputs.operand(1)
        let width = inputs.width
        let wide = signed ? x.signExtended(to: 2 * width) * y.signExtended(to: 2 * width)
                          : x.zeroExtended(to: 2 * width) * y.zeroExtended(to: 2 * width)
        return IROutcome(results: [wide.extract(2 * width - 1, width)])
    }

    static func bitselect(_ inputs: IRInputs) throws -> IROutcome {
        let c = try inputs.operand(0), x = try inputs.operand(1), y = try inputs.operand(2)
        return IROutcome(results: [(x & c) | (y & ~c)])
    }

    static func bmask(_ inputs: IRInputs) throws -> IROutcome {
        let x = try inputs.operand(0)
        let context = inputs.context
        return IROutcome(results: [x.isZero.select(context.bitVector(0, width: inputs.width),
                                                   context.bitVector(signed: -1, width: inputs.width))])
    }

    static func icmp(_ inputs: IRInputs) throws -> IROutcome {
        IROutcome(results: [compare(inputs.intCC, try inputs.operand(0), try inputs.operand(1)).asBit(width: 8)])
    }

    static func select(_ inputs: IRInputs) throws -> IROutcome {
        let c = try inputs.operand(0), x = try inputs.operand(1), y = try inputs.operand(2)
        return IROutcome(results: [c.isZero.select(y, x)])
    }

    /// Shifts and rotates: the count (of any integer type) modulo the width.
    static func shift(_ inputs: IRInputs, _ operation: (BitVector, BitVector) -> BitVector) throws -> IROutcome {
        let x = try inputs.operand(0)
        let count = shiftCount(try inputs.operand(1), width: inputs.width)
        return IROutcome(results: [operation(x, count)])
    }

    /// `cls`: the bits after the sign bit that equal it, clz(x ^ (x >>s (w - 1))) - 1.
    static func countLeadingSignBits(_ x: BitVector) -> BitVector {
        let signs = x.ashr(x.constant(UInt64(x.width - 1)))
        return countLeadingZeros(x ^ signs) - x.constant(1)
    }

    /// The number of set bits: a tree of additions, each as wide as its sum can get.
    static func popcount(_ x: BitVector) -> BitVector {
        var sums: [BitVector] = (0 ..< x.width).map { x.extract($0, $0) }
        while sums.count > 1 {
            var next: [BitVector] = []
            for pair in stride(from: 0, to: sums.count, by: 2) {
                let width = sums[pair].width + 1
                next.append(sums[pair].zeroExtended(to: width) + sums[pair + 1].zeroExtended(to: width))
            }
            sums = next
        }
        return sums[0].zeroExtended(to: x.width)
    }

    static func reverseBits(_ x: BitVector) -> BitVector {
        var reversed = x.extract(0, 0)
        for index in 1 ..< x.width { reversed = x.extract(index, index).below(reversed) }
        return reversed
    }

    static func swapBytes(_ x: BitVector) -> BitVector {
        guard x.width > 8 else { return x }
        var swapped = x.extract(7, 0)
        for byte in 1 ..< x.width / 8 { swapped = x.extract(byte * 8 + 7, byte * 8).below(swapped) }
        return swapped
    }

    static func stackAddress(_ inputs: IRInputs) throws -> IROutcome {
        guard let address = inputs.stackAddress else { throw SMTError.internalError("stack_addr without an address") }
        return IROutcome(results: [address.low(inputs.width)])
    }

    /// `icmp cc x, y`.
    public static func compare(_ condition: IntCC, _ x: BitVector, _ y: BitVector) -> Boolean {
        switch condition {
        case .eq: return x == y
        case .ne: return x != y
        case .slt: return x.slt(y)
        case .sge: return x.sge(y)
        case .sgt: return x.sgt(y)
        case .sle: return x.sle(y)
        case .ult: return x.ult(y)
        case .uge: return x.uge(y)
        case .ugt: return x.ugt(y)
        case .ule: return x.ule(y)
        }
    }

    /// A count of any integer type, taken modulo `width`, at `width` bits.
    static func shiftCount(_ count: BitVector, width: Int) -> BitVector {
        let bits = width.trailingZeroBitCount
        return count.low(min(bits, count.width)).zeroExtended(to: width)
    }

    /// The number of zero bits above the highest set bit (the width for zero).
    static func countLeadingZeros(_ x: BitVector) -> BitVector {
        var result = x.constant(UInt64(x.width))
        for index in 0 ..< x.width {
            result = x.bit(index).select(x.constant(UInt64(x.width - 1 - index)), result)
        }
        return result
    }

    /// The number of zero bits below the lowest set bit (the width for zero).
    static func countTrailingZeros(_ x: BitVector) -> BitVector {
        var result = x.constant(UInt64(x.width))
        for index in stride(from: x.width - 1, through: 0, by: -1) {
            result = x.bit(index).select(x.constant(UInt64(index)), result)
        }
        return result
    }

    /// Which exact operation an overflow-reporting opcode performs.
    enum OverflowKind {
        case unsignedAdd, signedAdd, unsignedSubtract, signedSubtract, unsignedMultiply, signedMultiply

        var isSigned: Bool {
            switch self {
            case .signedAdd, .signedSubtract, .signedMultiply: return true
            case .unsignedAdd, .unsignedSubtract, .unsignedMultiply: return false
            }
        }
    }

    /// The wrapped result and whether the exact one (a carry/borrow operand 2, if
    /// `withCarry`, counted as 1 when non-zero) does not fit the type.
    static func overflowing(_ inputs: IRInputs, _ kind: OverflowKind, withCarry: Bool = false) throws
        -> (BitVector, Boolean) {
        let x = try inputs.operand(0), y = try inputs.operand(1)
        let width = inputs.width
        // Exact arithmetic: 2w bits hold a product of two w-bit values, w + 2 a sum or
        // difference with a carry.
        let isMultiply = kind == .unsignedMultiply || kind == .signedMultiply
        let wide = isMultiply ? 2 * width : width + 2
        let extra: BitVector = withCarry ? (!(try inputs.operand(2)).isZero).asBit(width: wide)
                                         : inputs.context.bitVector(0, width: wide)
        let unsignedX = x.zeroExtended(to: wide), unsignedY = y.zeroExtended(to: wide)
        let signedX = x.signExtended(to: wide), signedY = y.signExtended(to: wide)
        let exact: BitVector
        switch kind {
        case .unsignedAdd: exact = unsignedX + unsignedY + extra
        case .signedAdd: exact = signedX + signedY + extra
        case .unsignedSubtract: exact = unsignedX - unsignedY - extra
        case .signedSubtract: exact = signedX - signedY - extra
        case .unsignedMultiply: exact = unsignedX * unsignedY
        case .signedMultiply: exact = signedX * signedY
        }
        let value = exact.low(width)
        let fits = kind.isSigned ? value.signExtended(to: wide) == exact : value.zeroExtended(to: wide) == exact
        return (value, !fits)
    }

    static func overflowPair(_ inputs: IRInputs, _ kind: OverflowKind, withCarry: Bool) throws -> IROutcome {
        let (value, overflow) = try overflowing(inputs, kind, withCarry: withCarry)
        return IROutcome(results: [value, overflow.asBit(width: 8)])
    }
}
