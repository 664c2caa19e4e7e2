import EgretIR
import Testing
@testable import EgretInterpreter

/// f32/f64: IEEE 754 arithmetic, NaN results, minimum/maximum, rounding, comparisons
/// and conversions to and from integers (including i128).
struct FloatTests {
    static func f32Bits(_ value: DataValue?) -> UInt32? { value.map { UInt32(truncatingIfNeeded: $0.low) } }

    @Test func fmaIsFused() throws {
        let text = """
            function %f(f64, f64, f64) -> f64 {
            block0(v0: f64, v1: f64, v2: f64):
                v3 = fma v0, v1, v2
                return v3
            }
            """
        // 0.1 · 10 is 1 + 2^-54 exactly, which an unfused multiply rounds to 1.
        let fused = try CLIF.run(text, nil, [.f64(0.1), .f64(10), .f64(-1)])
        #expect(fused == .values([.f64(0x1p-54)]))
        let single = """
            function %f(f32, f32, f32) -> f32 {
            block0(v0: f32, v1: f32, v2: f32):
                v3 = fma v0, v1, v2
                return v3
            }
            """
        let x = Float(bitPattern: 0x3F80_0001)  // 1 + 2^-23
        // x · x = 1 + 2^-22 + 2^-46; the 2^-46 survives only if fused.
        #expect(try CLIF.run(single, nil, [.f32(x), .f32(x), .f32(-(1 + 0x1p-22))]) == .values([.f32(0x1p-46)]))
    }

    @Test(arguments: ["fadd", "fsub", "fmul", "fdiv", "fmin", "fmax"])
    func nanResultsAreCanonical(opcode: String) throws {
        let text64 = CLIF.unaryOrBinary(opcode, .f64, operands: 2)
        let signalling = DataValue(type: .f64, low: 0xFFF0_0000_0000_0005)
        #expect(try CLIF.run(text64, nil, [signalling, .f64(1)]) == .values([DataValue(type: .f64, low: 0x7FF8_0000_0000_0000)]))
        let text32 = CLIF.unaryOrBinary(opcode, .f32, operands: 2)
        let negativeQuiet = DataValue(type: .f32, low: 0xFFC0_1234)
        #expect(try CLIF.run(text32, nil, [.f32(2), negativeQuiet]) == .values([DataValue(type: .f32, low: 0x7FC0_0000)]))
    }

    @Test func invalidOperationsGiveCanonicalNaN() throws {
        let divide = CLIF.unaryOrBinary("fdiv", .f32, operands: 2)
        #expect(Self.f32Bits(try CLIF.run(divide, nil, [.f32(0), .f32(0)]).single) == 0x7FC0_0000)
        let root = CLIF.unaryOrBinary("sqrt", .f64, operands: 1)
        #expect(try CLIF.run(root, nil, [.f64(-1)]).single?.low == 0x7FF8_0000_0000_0000)
        #expect(try CLIF.run(root, nil, [.f64(-0.0)]).single?.low == (-0.0 as Double).bitPattern)
    }

    @Test func signOperationsKeepPayloads() throws {
        let negate = CLIF.unaryOrBinary("fneg", .f32, operands: 1)
        #expect(Self.f32Bits(try CLIF.run(negate, nil, [DataValue(type: .f32, low: 0x7F80_0001)]).single) == 0xFF80_0001)
        let absolute = CLIF.unaryOrBinary("fabs", .f64, operands: 1)
        #expect(try CLIF.run(absolute, nil, [DataValue(type: .f64, low: 0xFFF8_0000_0000_0042)]).single?.low
                == 0x7FF8_0000_0000_0042)
        let copySign = CLIF.unaryOrBinary("fcopysign", .f32, operands: 2)
        #expect(Self.f32Bits(try CLIF.run(copySign, nil, [DataValue(type: .f32, low: 0x7FC0_0007), .f32(-1)]).single)
                == 0xFFC0_0007)
    }

    @Test func minimumAndMaximumOrderZeros() throws {
        let minimum = CLIF.unaryOrBinary("fmin", .f64, operands: 2)
        let maximum = CLIF.unaryOrBinary("fmax", .f64, operands: 2)
        for (x, y) in [(0.0, -0.0), (-0.0, 0.0)] {
            #expect(try CLIF.run(minimum, nil, [.f64(x), .f64(y)]).single?.low == (-0.0 as Double).bitPattern)
            #expect(try CLIF.run(maximum, nil, [.f64(x), .f64(y)]).single?.low == (0.0 as Double).bitPattern)
        }
        #expect(try CLIF.run(minimum, nil, [.f64(-.infinity), .f64(3)]) == .values([.f64(-.infinity)]))
        #expect(try CLIF.run(maximum, nil, [.f64(-.infinity), .f64(3)]) == .values([.f64(3)]))
    }

    @Test func roundingToIntegralValues() throws {
        let cases: [(String, Double, Double)] = [
            ("nearest", 0.5, 0), ("nearest", 1.5, 2), ("nearest", 2.5, 2), ("nearest", -0.5, -0.0),
            ("nearest", -2.5, -2), ("ceil", -0.5, -0.0), ("ceil", 1.1, 2), ("floor", -1.1, -2),
            ("floor", 0.9, 0), ("trunc", -1.9, -1), ("trunc", 0x1p60 + 0x1p8, 0x1p60 + 0x1p8),
        ]
        for (opcode, input, expected) in cases {
            let outcome = try CLIF.run(CLIF.unaryOrBinary(opcode, .f64, operands: 1), nil, [.f64(input)])
            #expect(outcome == .values([.f64(expected)]), "\(opcode)(\(input))")
            let single = try CLIF.run(CLIF.unaryOrBinary(opcode, .f32, operands: 1), nil, [.f32(Float(input))])
            #expect(single == .values([.f32(Float(expected))]), "\(opcode).f32(\(input))")
        }
    }

    /// The four relations and, for each condition code, whether it holds, written out.
    @Test(arguments: FloatCC.allCases)
    func comparisons(condition: FloatCC) throws {
        let relations: [(Double, Double, unordered: Bool, less: Bool, equal: Bool, greater: Bool)] = [
            (.nan, 1, true, false, false, false), (1, 2, false, true, false, false),
            (0, -0.0, false, false, true, false), (2, 1, false, false, false, true),
        ]
        let holds: [FloatCC: (Bool, Bool, Bool, Bool) -> Bool] = [
            .ord: { u, _, _, _ in !u }, .uno: { u, _, _, _ in u }, .eq: { _, _, e, _ in e },
            .ne: { _, _, e, _ in !e }, .one: { _, l, _, g in l || g }, .ueq: { u, _, e, _ in u || e },
            .lt: { _, l, _, _ in l }, .le: { _, l, e, _ in l || e }, .gt: { _, _, _, g in g },
            .ge: { _, _, e, g in g || e }, .ult: { u, l, _, _ in u || l }, .ule: { u, l, e, _ in u || l || e },
            .ugt: { u, _, _, g in u || g }, .uge: { u, _, e, g in u || g || e },
        ]
        for type in [IRType.f32, .f64] {
            let text = """
                function %f(\(type), \(type)) -> i8 {
                block0(v0: \(type), v1: \(type)):
                    v2 = fcmp \(condition) v0, v1
                    return v2
                }
                """
            var interpreter = try CLIF.interpreter(text)
            for relation in relations {
                let arguments: [DataValue] = type == .f32 ? [.f32(Float(relation.0)), .f32(Float(relation.1))]
                    : [.f64(relation.0), .f64(relation.1)]
                let expected = holds[condition]?(relation.unordered, relation.less, relation.equal, relation.greater)
                #expect(try interpreter.call(functionIndex: 0, arguments: arguments)
                        == .values([.int(expected == true ? 1 : 0, .i8)]), "\(condition) \(relation)")
            }
        }
    }

    static func conversion(_ opcode: String, from: IRType, to: IRType) -> String {
        """
        function %f(\(from)) -> \(to) {
        block0(v0: \(from)):
            v1 = \(opcode).\(to) v0
            return v1
        }
        """
    }

    @Test func conversionsToIntegersTrap() throws {
        let toI32 = Self.conversion("fcvt_to_sint", from: .f64, to: .i32)
        #expect(try CLIF.run(toI32, nil, [.f64(.nan)]) == .trap(.badConversionToInteger))
        #expect(try CLIF.run(toI32, nil, [.f64(0x1p31)]) == .trap(.integerOverflow))
        #expect(try CLIF.run(toI32, nil, [.f64(-0x1p31)]) == .values([.int(Int64(Int32.min), .i32)]))
        #expect(try CLIF.run(toI32, nil, [.f64(-0x1p31 - 0.5)]) == .values([.int(Int64(Int32.min), .i32)]))
        #expect(try CLIF.run(toI32, nil, [.f64(-0x1p31 - 1)]) == .trap(.integerOverflow))
        #expect(try CLIF.run(toI32, nil, [.f64(0x1p31 - 0.5)]) == .values([.int(Int64(Int32.max), .i32)]))
        let toU8 = Self.conversion("fcvt_to_uint", from: .f32, to: .i8)
        #expect(try CLIF.run(toU8, nil, [.f32(-0.9)]) == .values([.int(0, .i8)]))
        #expect(try CLIF.run(toU8, nil, [.f32(-1)]) == .trap(.integerOverflow))
        #expect(try CLIF.run(toU8, nil, [.f32(255.9)]) == .values([.int(-1, .i8)]))
        #expect(try CLIF.run(toU8, nil, [.f32(256)]) == .trap(.integerOverflow))
        #expect(try CLIF.run(toU8, nil, [.f32(.infinity)]) == .trap(.integerOverflow))
        let toI128 = Self.conversion("fcvt_to_sint", from: .f64, to: .i128)
        #expect(try CLIF.run(toI128, nil, [.f64(-0x1p127)]) == .values([.i128(1 << 127)]))
        #expect(try CLIF.run(toI128, nil, [.f64(0x1p127)]) == .trap(.integerOverflow))
        #expect(try CLIF.run(toI128, nil, [.f64(-0x1p100)]) == .values([.i128(0 &- (1 << 100))]))
        let toU128 = Self.conversion("fcvt_to_uint", from: .f32, to: .i128)
        #expect(try CLIF.run(toU128, nil, [.f32(0x1p127)]) == .values([.i128(1 << 127)]))
    }

    @Test func saturatingConversionsClamp() throws {
        let signed = Self.conversion("fcvt_to_sint_sat", from: .f64, to: .i16)
        #expect(try CLIF.run(signed, nil, [.f64(.nan)]) == .values([.int(0, .i16)]))
        #expect(try CLIF.run(signed, nil, [.f64(1e10)]) == .values([.int(32767, .i16)]))
        #expect(try CLIF.run(signed, nil, [.f64(-.infinity)]) == .values([.int(-32768, .i16)]))
        #expect(try CLIF.run(signed, nil, [.f64(-12.7)]) == .values([.int(-12, .i16)]))
        let unsigned = Self.conversion("fcvt_to_uint_sat", from: .f32, to: .i64)
        #expect(try CLIF.run(unsigned, nil, [.f32(-5)]) == .values([.int(0, .i64)]))
        #expect(try CLIF.run(unsigned, nil, [.f32(.infinity)]) == .values([.int(-1, .i64)]))
        let wide = Self.conversion("fcvt_to_sint_sat", from: .f32, to: .i128)
        #expect(try CLIF.run(wide, nil, [.f32(.infinity)]) == .values([.i128(UInt128(Int128.max))]))
        #expect(try CLIF.run(wide, nil, [.f32(-.infinity)]) == .values([.i128(1 << 127)]))
    }

    /// The float nearest to an unsigned integer, ties to even, computed with integers
    /// only: keep the top `precision` bits and round the rest.
    static func nearest(_ value: UInt128, precision: Int) -> Double {
        let width = 128 - value.leadingZeroBitCount
        // Up to `precision` bits (at most 64 here) convert exactly.
        guard width > precision else { return Double(UInt64(truncatingIfNeeded: value)) }
        var dropped = width - precision
        var kept = value >> UInt128(dropped)
        let rest = value & ((1 << UInt128(dropped)) - 1), half: UInt128 = 1 << UInt128(dropped - 1)
        if rest > half || (rest == half && kept & 1 == 1) {
            kept += 1
            if kept == 1 << UInt128(precision) {
                kept >>= 1
                dropped += 1
            }
        }
        return Double(sign: .plus, exponent: dropped, significand: Double(UInt64(kept)))
    }

    @Test(arguments: [IRType.i64, .i128])
    func conversionsFromWideIntegersRoundToNearestEven(type: IRType) throws {
        var source = EdgeValues(seed: 4242)
        var toDouble = try CLIF.interpreter(Self.conversion("fcvt_from_uint", from: type, to: .f64))
        var toSingle = try CLIF.interpreter(Self.conversion("fcvt_from_uint", from: type, to: .f32))
        for _ in 0 ..< 400 {
            var value = source.value(bits: type.bits)
            // Put a tie or near-tie in the dropped bits now and then.
            if source.next() % 3 == 0 { value = value & ~UInt128(0xFFFF_FFFF_FFFF) | 0x0400 }
            let argument = IntegerSemanticsTests.value(value, type)
            let double = try toDouble.call(functionIndex: 0, arguments: [argument])
            #expect(double == .values([.f64(Self.nearest(value, precision: 53))]), "u\(type.bits) \(value) to f64")
            let single = try toSingle.call(functionIndex: 0, arguments: [argument])
            #expect(single == .values([.f32(Float(Self.nearest(value, precision: 24)))]), "u\(type.bits) \(value) to f32")
        }
        var signed = try CLIF.interpreter(Self.conversion("fcvt_from_sint", from: type, to: .f64))
        for _ in 0 ..< 200 {
            let value = source.value(bits: type.bits)
            let negative = value >> UInt128(type.bits - 1) & 1 == 1
            let magnitude = negative ? (0 &- value) & (type.bits == 128 ? .max : (1 << UInt128(type.bits)) - 1) : value
            let expected = Self.nearest(magnitude, precision: 53)
            #expect(try signed.call(functionIndex: 0, arguments: [IntegerSemanticsTests.value(value, type)])
                    == .values([.f64(negative ? -expected : expected)]), "s\(type.bits) \(value) to f64")
        }
    }

    @Test func promotionAndDemotion() throws {
        let promote = Self.conversion("fpromote", from: .f32, to: .f64)
        #expect(try CLIF.run(promote, nil, [.f32(0x1p-149)]) == .values([.f64(0x1p-149)]))
        #expect(try CLIF.run(promote, nil, [DataValue(type: .f32, low: 0xFF80_0001)]).single?.low == 0x7FF8_0000_0000_0000)
        let demote = Self.conversion("fdemote", from: .f64, to: .f32)
        #expect(try CLIF.run(demote, nil, [.f64(1 + 0x1p-24)]) == .values([.f32(1)]))
        #expect(try CLIF.run(demote, nil, [.f64(1 + 0x1p-24 + 0x1p-40)]) == .values([.f32(1 + 0x1p-23)]))
        #expect(try CLIF.run(demote, nil, [.f64(1e300)]) == .values([.f32(.infinity)]))
        #expect(try CLIF.run(demote, nil, [.f64(0x1p-160)]) == .values([.f32(0)]))
    }
}
