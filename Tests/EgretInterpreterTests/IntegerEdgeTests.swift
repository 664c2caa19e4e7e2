import EgretIR
import Testing
@testable import EgretInterpreter

/// Integer opcodes with special cases the oracle tests do not single out: trap codes,
/// extensions between every pair of widths, iconcat/isplit, bmask, selects, constants.
struct IntegerEdgeTests {
    static let types: [IRType] = [.i8, .i16, .i32, .i64, .i128]

    @Test func divisionTrapsWithCraneliftsCodes() throws {
        let sdiv = CLIF.unaryOrBinary("sdiv", .i32, operands: 2)
        #expect(try CLIF.run(sdiv, nil, [.int(7, .i32), .int(0, .i32)]) == .trap(.integerDivisionByZero))
        #expect(try CLIF.run(sdiv, nil, [.int(Int64(Int32.min), .i32), .int(-1, .i32)]) == .trap(.integerOverflow))
        #expect(try CLIF.run(sdiv, nil, [.int(-7, .i32), .int(2, .i32)]) == .values([.int(-3, .i32)]))
        let srem = CLIF.unaryOrBinary("srem", .i64, operands: 2)
        #expect(try CLIF.run(srem, nil, [.int(Int64.min, .i64), .int(-1, .i64)]) == .values([.int(0, .i64)]))
        #expect(try CLIF.run(srem, nil, [.int(-7, .i64), .int(2, .i64)]) == .values([.int(-1, .i64)]))
        #expect(try CLIF.run(srem, nil, [.int(1, .i64), .int(0, .i64)]) == .trap(.integerDivisionByZero))
        let udiv = CLIF.unaryOrBinary("udiv", .i128, operands: 2)
        #expect(try CLIF.run(udiv, nil, [.i128(1 << 100), .i128(0)]) == .trap(.integerDivisionByZero))
        let sdiv128 = CLIF.unaryOrBinary("sdiv", .i128, operands: 2)
        #expect(try CLIF.run(sdiv128, nil, [.i128(1 << 127), .i128(.max)]) == .trap(.integerOverflow))
    }

    @Test func uaddOverflowTrapUsesItsOwnCode() throws {
        let text = """
            function %f(i32, i32) -> i32 {
            block0(v0: i32, v1: i32):
                v2 = uadd_overflow_trap v0, v1, user42
                return v2
            }
            """
        #expect(try CLIF.run(text, nil, [.int(-1, .i32), .int(1, .i32)]) == .trap(.user(42)!))
        #expect(try CLIF.run(text, nil, [.int(-2, .i32), .int(1, .i32)]) == .values([.int(-1, .i32)]))
    }

    @Test(arguments: types)
    func conditionalTrapsTestTheWholeValue(type: IRType) throws {
        let text = """
            function %f(\(type)) -> i8 {
            block0(v0: \(type)):
                trapz v0, user3
                trapnz v0, user4
                v1 = iconst.i8 1
                return v1
            }
            """
        #expect(try CLIF.run(text, nil, [.int(0, type)]) == .trap(.user(3)!))
        #expect(try CLIF.run(text, nil, [.int(1, type)]) == .trap(.user(4)!))
        if type == .i128 {
            // Only the high half is non-zero.
            #expect(try CLIF.run(text, nil, [.i128(1 << 100)]) == .trap(.user(4)!))
        }
    }

    @Test func trapCodesOfEveryKind() throws {
        for code in ["stk_ovf", "int_ovf", "heap_oob", "int_divz", "bad_toint", "user1", "user250"] {
            let text = "function %f() {\nblock0:\n    trap \(code)\n}\n"
            #expect(try CLIF.run(text, nil, []) == .trap(TrapCode(name: Substring(code))!))
        }
    }

    @Test(arguments: types, types)
    func extensionsAndReductions(from: IRType, to: IRType) throws {
        guard from != to else { return }
        let opcodes = from.bits < to.bits ? ["uextend", "sextend"] : ["ireduce"]
        var source = EdgeValues(seed: UInt64(from.bits * 1000 + to.bits))
        for opcode in opcodes {
            let text = """
                function %f(\(from)) -> \(to) {
                block0(v0: \(from)):
                    v1 = \(opcode).\(to) v0
                    return v1
                }
                """
            var interpreter = try CLIF.interpreter(text)
            for _ in 0 ..< 50 {
                let x = source.value(bits: from.bits)
                let outcome = try interpreter.call(functionIndex: 0, arguments: [IntegerSemanticsTests.value(x, from)])
                let toMask: UInt128 = to.bits == 128 ? .max : (1 << UInt128(to.bits)) - 1
                var expected = x & toMask
                if opcode == "sextend" && x >> UInt128(from.bits - 1) & 1 == 1 {
                    expected = (x | ~((1 << UInt128(from.bits)) - 1)) & toMask
                }
                #expect(outcome.single?.wide == expected, "\(opcode) \(from)->\(to) of \(x)")
            }
        }
    }

    @Test func concatenationAndSplitRoundTrip() throws {
        let text = """
            function %split64(i64) -> i32, i32 {
            block0(v0: i64):
                v1, v2 = isplit v0
                return v1, v2
            }
            function %concat32(i32, i32) -> i64 {
            block0(v0: i32, v1: i32):
                v2 = iconcat v0, v1
                return v2
            }
            function %split128(i128) -> i64, i64 {
            block0(v0: i128):
                v1, v2 = isplit v0
                return v1, v2
            }
            function %concat64(i64, i64) -> i128 {
            block0(v0: i64, v1: i64):
                v2 = iconcat v0, v1
                return v2
            }
            """
        #expect(try CLIF.run(text, "split64", [DataValue(type: .i64, low: 0x1122_3344_5566_7788)])
                == .values([DataValue(type: .i32, low: 0x5566_7788), DataValue(type: .i32, low: 0x1122_3344)]))
        #expect(try CLIF.run(text, "concat32", [.int(-1, .i32), .int(2, .i32)])
                == .values([DataValue(type: .i64, low: 0x2_FFFF_FFFF)]))
        let value: UInt128 = 0x0102_0304_0506_0708_090A_0B0C_0D0E_0F10
        #expect(try CLIF.run(text, "split128", [.i128(value)])
                == .values([DataValue(type: .i64, low: 0x090A_0B0C_0D0E_0F10), DataValue(type: .i64, low: 0x0102_0304_0506_0708)]))
        #expect(try CLIF.run(text, "concat64", [DataValue(type: .i64, low: 0x090A_0B0C_0D0E_0F10),
                                                 DataValue(type: .i64, low: 0x0102_0304_0506_0708)]) == .values([.i128(value)]))
    }

    @Test(arguments: types, types)
    func bmaskFillsTheResultType(from: IRType, to: IRType) throws {
        let text = """
            function %f(\(from)) -> \(to) {
            block0(v0: \(from)):
                v1 = bmask.\(to) v0
                return v1
            }
            """
        let allOnes: UInt128 = to.bits == 128 ? .max : (1 << UInt128(to.bits)) - 1
        #expect(try CLIF.run(text, nil, [.int(0, from)]).single?.wide == 0)
        #expect(try CLIF.run(text, nil, [.int(-128, from)]).single?.wide == allOnes)
        #expect(try CLIF.run(text, nil, [IntegerSemanticsTests.value(1 << UInt128(from.bits - 1), from)]).single?.wide
                == allOnes)
    }

    @Test(arguments: ["select", "select_spectre_guard"], types)
    func selectTestsTheWholeCondition(opcode: String, conditionType: IRType) throws {
        let text = """
            function %f(\(conditionType), i128, i128) -> i128 {
            block0(v0: \(conditionType), v1: i128, v2: i128):
                v3 = \(opcode) v0, v1, v2
                return v3
            }
            """
        let x: UInt128 = 0xAAAA << 64 | 1, y: UInt128 = 0xBBBB << 64 | 2
        let top = IntegerSemanticsTests.value(1 << UInt128(conditionType.bits - 1), conditionType)
        #expect(try CLIF.run(text, nil, [top, .i128(x), .i128(y)]).single?.wide == x)
        #expect(try CLIF.run(text, nil, [.int(0, conditionType), .i128(x), .i128(y)]).single?.wide == y)
    }

    @Test func bitselectTakesBitsFromEitherSide() throws {
        let text = """
            function %f(i16, i16, i16) -> i16 {
            block0(v0: i16, v1: i16, v2: i16):
                v3 = bitselect v0, v1, v2
                return v3
            }
            """
        #expect(try CLIF.run(text, nil, [DataValue(type: .i16, low: 0xFF00), DataValue(type: .i16, low: 0x1234),
                                         DataValue(type: .i16, low: 0xABCD)]).single?.low == 0x12CD)
    }

    @Test func constantsAreTruncatedToTheirType() throws {
        let text = """
            function %f() -> i8, i16, i32, i64 {
            block0:
                v0 = iconst.i8 -1
                v1 = iconst.i16 0xffff
                v2 = iconst.i32 -2
                v3 = iconst.i64 0x8000_0000_0000_0000
                return v0, v1, v2, v3
            }
            """
        #expect(try CLIF.run(text, nil, []) == .values([.int(-1, .i8), .int(-1, .i16), .int(-2, .i32),
                                                          .int(Int64.min, .i64)]))
    }

    @Test func bitcastBetweenIntegersAndFloatsKeepsBits() throws {
        let text = """
            function %f(f64) -> i64 {
            block0(v0: f64):
                v1 = bitcast.i64 v0
                return v1
            }
            function %g(i32) -> f32 {
            block0(v0: i32):
                v1 = bitcast.f32 v0
                return v1
            }
            """
        #expect(try CLIF.run(text, "f", [.f64(-0.0)]).single?.low == 0x8000_0000_0000_0000)
        #expect(try CLIF.run(text, "g", [DataValue(type: .i32, low: 0x7F80_0001)]).single
                == DataValue(type: .f32, low: 0x7F80_0001))
    }
}
