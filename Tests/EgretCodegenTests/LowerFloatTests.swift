import Testing
import EgretIR
@testable import EgretCodegen

/// Lowering of f32/f64: which rule each float instruction takes and what it emits.
struct LowerFloatTests {
    @Test func arithmeticIsOneScalarInstruction() throws {
        let text = LowerTest.function("(f32, f32) -> f32", """
            block0(v0: f32, v1: f32):
                v2 = fmul v0, v1
                return v2
            """)
        #expect(try LowerTest.mnemonics(text) == ["mulss", "retq"])
        let double = LowerTest.function("(f64, f64) -> f64", """
            block0(v0: f64, v1: f64):
                v2 = fdiv v0, v1
                return v2
            """)
        #expect(try LowerTest.mnemonics(double) == ["divsd", "retq"])
    }

    @Test func aSingleUseFcmpFusesIntoItsBranchAndSelect() throws {
        let branch = """
            function %f(f64, f64) -> i32 {
            block0(v0: f64, v1: f64):
                v2 = fcmp eq v0, v1
                brif v2, block1, block2
            block1:
                v3 = iconst.i32 1
                return v3
            block2:
                v4 = iconst.i32 2
                return v4
            }
            """
        #expect(try LowerTest.rules(branch, opcode: .brif) == ["brif_fcmp"])
        #expect(try LowerTest.rules(branch, opcode: .fcmp).isEmpty, "the fused fcmp is not lowered on its own")
        // eq needs ZF and not PF: jp to the else edge, je to the then edge.
        #expect(try LowerTest.mnemonics(branch).prefix(4) == ["ucomisd", "jp", "je", "jmp"])

        let select = LowerTest.function("(f32, f32, i64, i64) -> i64", """
            block0(v0: f32, v1: f32, v2: i64, v3: i64):
                v4 = fcmp ne v0, v1
                v5 = select v4, v2, v3
                return v5
            """)
        #expect(try LowerTest.rules(select, opcode: .select) == ["select_fcmp"])
        #expect(try LowerTest.mnemonics(select) == ["ucomiss", "cmovpq", "cmovneq", "retq"])
    }

    @Test func anFcmpWithTwoUsesIsMaterialised() throws {
        let text = LowerTest.function("(f64, f64) -> i8", """
            block0(v0: f64, v1: f64):
                v2 = fcmp lt v0, v1
                v3 = select v2, v2, v2
                return v3
            """)
        #expect(try LowerTest.rules(text, opcode: .fcmp) == ["fcmp"])
        #expect(try LowerTest.rules(text, opcode: .select) == ["select"])
    }

    @Test func bitcastsBetweenClassesUseMovdAndMovq() throws {
        let text = LowerTest.function("(i32) -> i32", """
            block0(v0: i32):
                v1 = bitcast.f32 v0
                v2 = fneg v1
                v3 = bitcast.i32 v2
                return v3
            """)
        #expect(try LowerTest.rules(text, opcode: .bitcast) == ["bitcast_to_float", "bitcast_from_float"])
        #expect(try LowerTest.mnemonics(text) == ["movd", "movl", "movd", "xorps", "movd", "retq"])
    }

    /// Trapping conversions check NaN first (bad_toint), then both bounds (int_ovf).
    @Test func checkedConversionsTrapWithTheCLIFCodes() throws {
        let text = LowerTest.function("(f64) -> i32", """
            block0(v0: f64):
                v1 = fcvt_to_sint.i32 v0
                return v1
            """)
        let lowered = try LowerTest.lower(text)
        let traps = lowered.vcode.insts.compactMap(\.trapCode)
        #expect(traps == [.badConversionToInteger, .integerOverflow, .integerOverflow])
    }
}
