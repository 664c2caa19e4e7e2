import EgretIR
import Testing
@testable import EgretInterpreter

/// Every integer opcode at every width (i8 … i128) against `IntegerOracle`, on edge
/// values and random values.
struct IntegerSemanticsTests {
    static let types: [IRType] = [.i8, .i16, .i32, .i64, .i128]
    static let samples = 300

    static let binaryOpcodes = ["iadd", "isub", "imul", "umulhi", "smulhi", "udiv", "urem", "sdiv", "srem",
                                "smin", "smax", "umin", "umax", "band", "bor", "bxor",
                                "ishl", "ushr", "sshr", "rotl", "rotr"]
    static let flagOpcodes = ["uadd_overflow", "sadd_overflow", "usub_overflow", "ssub_overflow",
                              "umul_overflow", "smul_overflow"]
    static let carryOpcodes = ["uadd_overflow_cin", "sadd_overflow_cin", "usub_overflow_bin", "ssub_overflow_bin"]
    static let unaryOpcodes = ["ineg", "iabs", "bnot", "clz", "ctz", "cls", "popcnt", "bitrev", "bswap"]

    static func value(_ bits: UInt128, _ type: IRType) -> DataValue {
        DataValue(type: type, low: UInt64(truncatingIfNeeded: bits), high: UInt64(truncatingIfNeeded: bits >> 64))
    }

    static func matches(_ outcome: CallOutcome, _ expected: Expected) -> Bool {
        switch (outcome, expected) {
        case (.trap(let got), .trap(let wanted)): return got == wanted
        case (.values(let got), .values(let wanted)): return got.map(\.wide) == wanted
        default: return false
        }
    }

    static func hex(_ value: UInt128) -> String { "0x" + String(value, radix: 16) }

    @Test(arguments: binaryOpcodes, types)
    func binaryOperation(opcode: String, type: IRType) throws {
        var interpreter = try CLIF.interpreter(CLIF.unaryOrBinary(opcode, type, operands: 2))
        var source = EdgeValues(seed: UInt64(type.bits) &* 31 &+ UInt64(opcode.utf8.count))
        for _ in 0 ..< Self.samples {
            let x = source.value(bits: type.bits), y = source.value(bits: type.bits)
            let outcome = try interpreter.call(functionIndex: 0, arguments: [Self.value(x, type), Self.value(y, type)])
            let expected = IntegerReference.binary(opcode, bits: type.bits, x, y)
            guard Self.matches(outcome, expected) else {
                Issue.record("\(opcode).\(type)(\(Self.hex(x)), \(Self.hex(y))) gave \(outcome), expected \(expected)")
                return
            }
        }
    }

    @Test(arguments: flagOpcodes, types)
    func arithmeticWithOverflowFlag(opcode: String, type: IRType) throws {
        // The table defines umul/smul_overflow up to i64 only.
        if opcode.contains("mul") && type == .i128 { return }
        let text = """
            function %f(\(type), \(type)) -> \(type), i8 {
            block0(v0: \(type), v1: \(type)):
                v2, v3 = \(opcode) v0, v1
                return v2, v3
            }
            """
        var interpreter = try CLIF.interpreter(text)
        var source = EdgeValues(seed: UInt64(type.bits) &* 77 &+ UInt64(opcode.utf8.count))
        for _ in 0 ..< Self.samples {
            let x = source.value(bits: type.bits), y = source.value(bits: type.bits)
            let outcome = try interpreter.call(functionIndex: 0, arguments: [Self.value(x, type), Self.value(y, type)])
            let expected = IntegerReference.binary(opcode, bits: type.bits, x, y)
            guard Self.matches(outcome, expected) else {
                Issue.record("\(opcode).\(type)(\(Self.hex(x)), \(Self.hex(y))) gave \(outcome), expected \(expected)")
                return
            }
        }
    }

    /// Carry and borrow inputs: any non-zero i8 counts as 1.
    @Test(arguments: carryOpcodes, types)
    func carryChain(opcode: String, type: IRType) throws {
        let text = """
            function %f(\(type), \(type), i8) -> \(type), i8 {
            block0(v0: \(type), v1: \(type), v2: i8):
                v3, v4 = \(opcode) v0, v1, v2
                return v3, v4
            }
            """
        var interpreter = try CLIF.interpreter(text)
        var source = EdgeValues(seed: UInt64(type.bits) &* 13 &+ UInt64(opcode.utf8.count))
        for _ in 0 ..< Self.samples {
            let x = source.value(bits: type.bits), y = source.value(bits: type.bits)
            let carry = source.value(bits: 8)
            let outcome = try interpreter.call(functionIndex: 0,
                                               arguments: [Self.value(x, type), Self.value(y, type), Self.value(carry, .i8)])
            let expected = IntegerReference.carryChain(opcode, bits: type.bits, x, y, carry != 0)
            guard Self.matches(outcome, expected) else {
                Issue.record("\(opcode).\(type)(\(Self.hex(x)), \(Self.hex(y)), \(carry)) gave \(outcome), expected \(expected)")
                return
            }
        }
    }

    @Test(arguments: unaryOpcodes, types)
    func unaryOperation(opcode: String, type: IRType) throws {
        if opcode == "bswap" && type == .i8 { return }
        var interpreter = try CLIF.interpreter(CLIF.unaryOrBinary(opcode, type, operands: 1))
        var source = EdgeValues(seed: UInt64(type.bits) &* 5 &+ UInt64(opcode.utf8.count))
        for _ in 0 ..< Self.samples {
            let x = source.value(bits: type.bits)
            let outcome = try interpreter.call(functionIndex: 0, arguments: [Self.value(x, type)])
            let expected = IntegerReference.unary(opcode, bits: type.bits, x)
            guard Self.matches(outcome, expected) else {
                Issue.record("\(opcode).\(type)(\(Self.hex(x))) gave \(outcome), expected \(expected)")
                return
            }
        }
    }

    @Test(arguments: IntCC.allCases, types)
    func integerComparison(condition: IntCC, type: IRType) throws {
        let text = """
            function %f(\(type), \(type)) -> i8 {
            block0(v0: \(type), v1: \(type)):
                v2 = icmp \(condition) v0, v1
                return v2
            }
            """
        var interpreter = try CLIF.interpreter(text)
        var source = EdgeValues(seed: UInt64(type.bits) &+ UInt64(condition.rawValue))
        for _ in 0 ..< Self.samples {
            let x = source.value(bits: type.bits)
            let y = source.next() % 4 == 0 ? x : source.value(bits: type.bits)
            let outcome = try interpreter.call(functionIndex: 0, arguments: [Self.value(x, type), Self.value(y, type)])
            let expected = IntegerReference.compare(condition, bits: type.bits, x, y)
            guard outcome == .values([.int(expected ? 1 : 0, .i8)]) else {
                Issue.record("icmp \(condition).\(type)(\(Self.hex(x)), \(Self.hex(y))) gave \(outcome)")
                return
            }
        }
    }

    /// Shift counts may have any integer type; only the count modulo the width matters.
    @Test(arguments: ["ishl", "ushr", "sshr", "rotl", "rotr"], types)
    func shiftCountsOfEveryType(opcode: String, type: IRType) throws {
        var source = EdgeValues(seed: 99)
        for countType in Self.types {
            let text = """
                function %f(\(type), \(countType)) -> \(type) {
                block0(v0: \(type), v1: \(countType)):
                    v2 = \(opcode) v0, v1
                    return v2
                }
                """
            var interpreter = try CLIF.interpreter(text)
            for _ in 0 ..< 40 {
                let x = source.value(bits: type.bits), count = source.value(bits: countType.bits)
                let outcome = try interpreter.call(functionIndex: 0,
                                                   arguments: [Self.value(x, type), Self.value(count, countType)])
                let reduced = count % UInt128(type.bits)
                let expected = IntegerReference.binary(opcode, bits: type.bits, x, reduced)
                #expect(Self.matches(outcome, expected),
                        "\(opcode).\(type) by \(countType) \(Self.hex(count)) of \(Self.hex(x)): \(outcome)")
            }
        }
    }
}
