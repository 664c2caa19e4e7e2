import EgretIR
@testable import EgretInterpreter

/// An independent statement of CLIF integer semantics for the tests, written with
/// Swift's own fixed-width types (`UInt8`/`Int8` … `UInt128`/`Int128`) and, for the
/// carry chains, a bit-serial adder: nothing here shares code with the interpreter.
enum Expected: Equatable, CustomStringConvertible {
    case values([UInt128])
    case trap(TrapCode)

    var description: String {
        switch self {
        case .values(let values): return values.map { "0x" + String($0, radix: 16) }.joined(separator: ", ")
        case .trap(let code): return "trap \(code)"
        }
    }
}

struct IntegerOracle<U: FixedWidthInteger & UnsignedInteger, S: FixedWidthInteger & SignedInteger> {
    static var bits: Int { U.bitWidth }

    static func wide(_ value: U) -> UInt128 { UInt128(truncatingIfNeeded: value) }
    static func wide(_ value: S) -> UInt128 { UInt128(truncatingIfNeeded: U(truncatingIfNeeded: value)) }
    static func flag(_ value: Bool) -> UInt128 { value ? 1 : 0 }

    static func binary(_ opcode: String, _ x: U, _ y: U) -> Expected {
        let sx = S(truncatingIfNeeded: x), sy = S(truncatingIfNeeded: y)
        let count = Int(y % U(U.bitWidth))
        switch opcode {
        case "iadd": return .values([wide(x &+ y)])
        case "isub": return .values([wide(x &- y)])
        case "imul": return .values([wide(x &* y)])
        case "umulhi": return .values([wide(x.multipliedFullWidth(by: y).high)])
        case "smulhi": return .values([wide(sx.multipliedFullWidth(by: sy).high)])
        case "udiv": return y == 0 ? .trap(.integerDivisionByZero) : .values([wide(x / y)])
        case "urem": return y == 0 ? .trap(.integerDivisionByZero) : .values([wide(x % y)])
        case "sdiv":
            if y == 0 { return .trap(.integerDivisionByZero) }
            if sx == S.min && sy == -1 { return .trap(.integerOverflow) }
            return .values([wide(sx / sy)])
        case "srem":
            if y == 0 { return .trap(.integerDivisionByZero) }
            if sx == S.min && sy == -1 { return .values([0]) }
            return .values([wide(sx % sy)])
        case "smin": return .values([wide(Swift.min(sx, sy))])
        case "smax": return .values([wide(Swift.max(sx, sy))])
        case "umin": return .values([wide(Swift.min(x, y))])
        case "umax": return .values([wide(Swift.max(x, y))])
        case "band": return .values([wide(x & y)])
        case "bor": return .values([wide(x | y)])
        case "bxor": return .values([wide(x ^ y)])
        case "ishl": return .values([wide(x << count)])
        case "ushr": return .values([wide(x >> count)])
        case "sshr": return .values([wide(sx >> count)])
        case "rotl": return .values([wide(count == 0 ? x : x << count | x >> (U.bitWidth - count))])
        case "rotr": return .values([wide(count == 0 ? x : x >> count | x << (U.bitWidth - count))])
        case "uadd_overflow":
            let (value, overflow) = x.addingReportingOverflow(y)
            return .values([wide(value), flag(overflow)])
        case "sadd_overflow":
            let (value, overflow) = sx.addingReportingOverflow(sy)
            return .values([wide(value), flag(overflow)])
        case "usub_overflow":
            let (value, overflow) = x.subtractingReportingOverflow(y)
            return .values([wide(value), flag(overflow)])
        case "ssub_overflow":
            let (value, overflow) = sx.subtractingReportingOverflow(sy)
            return .values([wide(value), flag(overflow)])
        case "umul_overflow":
            let (value, overflow) = x.multipliedReportingOverflow(by: y)
            return .values([wide(value), flag(overflow)])
        case "smul_overflow":
            let (value, overflow) = sx.multipliedReportingOverflow(by: sy)
            return .values([wide(value), flag(overflow)])
        default:
            fatalError("no oracle for \(opcode)")
        }
    }

    static func unary(_ opcode: String, _ x: U) -> Expected {
        let sx = S(truncatingIfNeeded: x)
        switch opcode {
        case "ineg": return .values([wide(0 &- x)])
        case "iabs": return .values([wide(U(truncatingIfNeeded: sx.magnitude))])
        case "bnot": return .values([wide(~x)])
        case "clz": return .values([UInt128(x.leadingZeroBitCount)])
        case "ctz": return .values([UInt128(x.trailingZeroBitCount)])
        case "cls": return .values([UInt128((sx < 0 ? ~x : x).leadingZeroBitCount - 1)])
        case "popcnt": return .values([UInt128(x.nonzeroBitCount)])
        case "bswap": return .values([wide(x.byteSwapped)])
        case "bitrev":
            var reversed: U = 0
            for bit in 0 ..< U.bitWidth where x & (1 << bit) != 0 { reversed |= 1 << (U.bitWidth - 1 - bit) }
            return .values([wide(reversed)])
        default:
            fatalError("no oracle for \(opcode)")
        }
    }

    static func compare(_ condition: IntCC, _ x: U, _ y: U) -> Bool {
        let sx = S(truncatingIfNeeded: x), sy = S(truncatingIfNeeded: y)
        switch condition {
        case .eq: return x == y
        case .ne: return x != y
        case .slt: return sx < sy
        case .sge: return sx >= sy
        case .sgt: return sx > sy
        case .sle: return sx <= sy
        case .ult: return x < y
        case .uge: return x >= y
        case .ugt: return x > y
        case .ule: return x <= y
        }
    }

    /// The carry chains, by a bit-serial ripple adder: x + y + carry, or
    /// x - (y + borrow) as x + ~y + (1 - borrow). Unsigned: the carry out of the top bit
    /// (inverted for subtraction). Signed: carry into the top bit differs from the carry
    /// out of it.
    static func carryChain(_ opcode: String, _ x: U, _ y: U, _ carryIn: Bool) -> Expected {
        let subtract = opcode.contains("sub")
        let addend = subtract ? ~y : y
        var carry = subtract ? !carryIn : carryIn
        var sum: U = 0
        var carryIntoTop = false
        for bit in 0 ..< U.bitWidth {
            if bit == U.bitWidth - 1 { carryIntoTop = carry }
            let a = x & (1 << bit) != 0, b = addend & (1 << bit) != 0
            if (a != b) != carry { sum |= 1 << bit }
            carry = (a && b) || (carry && (a != b))
        }
        let overflow: Bool
        if opcode.hasPrefix("u") {
            overflow = subtract ? !carry : carry
        } else {
            overflow = carryIntoTop != carry
        }
        return .values([wide(sum), flag(overflow)])
    }
}

/// Dispatches to the oracle of a width.
enum IntegerReference {
    static func binary(_ opcode: String, bits: Int, _ x: UInt128, _ y: UInt128) -> Expected {
        switch bits {
        case 8: return IntegerOracle<UInt8, Int8>.binary(opcode, UInt8(truncatingIfNeeded: x), UInt8(truncatingIfNeeded: y))
        case 16: return IntegerOracle<UInt16, Int16>.binary(opcode, UInt16(truncatingIfNeeded: x), UInt16(truncatingIfNeeded: y))
        case 32: return IntegerOracle<UInt32, Int32>.binary(opcode, UInt32(truncatingIfNeeded: x), UInt32(truncatingIfNeeded: y))
        case 64: return IntegerOracle<UInt64, Int64>.binary(opcode, UInt64(truncatingIfNeeded: x), UInt64(truncatingIfNeeded: y))
        default: return IntegerOracle<UInt128, Int128>.binary(opcode, x, y)
        }
    }

    static func unary(_ opcode: String, bits: Int, _ x: UInt128) -> Expected {
        switch bits {
        case 8: return IntegerOracle<UInt8, Int8>.unary(opcode, UInt8(truncatingIfNeeded: x))
        case 16: return IntegerOracle<UInt16, Int16>.unary(opcode, UInt16(truncatingIfNeeded: x))
        case 32: return IntegerOracle<UInt32, Int32>.unary(opcode, UInt32(truncatingIfNeeded: x))
        case 64: return IntegerOracle<UInt64, Int64>.unary(opcode, UInt64(truncatingIfNeeded: x))
        default: return IntegerOracle<UInt128, Int128>.unary(opcode, x)
        }
    }

    static func compare(_ condition: IntCC, bits: Int, _ x: UInt128, _ y: UInt128) -> Bool {
        switch bits {
        case 8: return IntegerOracle<UInt8, Int8>.compare(condition, UInt8(truncatingIfNeeded: x), UInt8(truncatingIfNeeded: y))
        case 16: return IntegerOracle<UInt16, Int16>.compare(condition, UInt16(truncatingIfNeeded: x), UInt16(truncatingIfNeeded: y))
        case 32: return IntegerOracle<UInt32, Int32>.compare(condition, UInt32(truncatingIfNeeded: x), UInt32(truncatingIfNeeded: y))
        case 64: return IntegerOracle<UInt64, Int64>.compare(condition, UInt64(truncatingIfNeeded: x), UInt64(truncatingIfNeeded: y))
        default: return IntegerOracle<UInt128, Int128>.compare(condition, x, y)
        }
    }

    static func carryChain(_ opcode: String, bits: Int, _ x: UInt128, _ y: UInt128, _ carry: Bool) -> Expected {
        switch bits {
        case 8: return IntegerOracle<UInt8, Int8>.carryChain(opcode, UInt8(truncatingIfNeeded: x), UInt8(truncatingIfNeeded: y), carry)
        case 16: return IntegerOracle<UInt16, Int16>.carryChain(opcode, UInt16(truncatingIfNeeded: x), UInt16(truncatingIfNeeded: y), carry)
        case 32: return IntegerOracle<UInt32, Int32>.carryChain(opcode, UInt32(truncatingIfNeeded: x), UInt32(truncatingIfNeeded: y), carry)
        case 64: return IntegerOracle<UInt64, Int64>.carryChain(opcode, UInt64(truncatingIfNeeded: x), UInt64(truncatingIfNeeded: y), carry)
        default: return IntegerOracle<UInt128, Int128>.carryChain(opcode, x, y, carry)
        }
    }
}
