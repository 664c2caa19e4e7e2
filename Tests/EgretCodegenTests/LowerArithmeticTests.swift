import Testing
import EgretIR
@testable import EgretCodegen

/// Lowering of arithmetic, bitwise logic, shifts and conversions: the VCode text of
/// small functions (`addl %v2, %v1, %v0` is v0 = v1 + v2 before allocation).
struct LowerArithmeticTests {
    @Test func narrowAdditionRunsAt32Bits() throws {
        let text = LowerTest.function("(i8, i8) -> i8", """
            block0(v0: i8, v1: i8):
                v2 = iadd v0, v1
                return v2
            """)
        #expect(try LowerTest.lines(text) == ["addl %v2, %v1, %v0", "retq"])
    }

    @Test func constantsFoldIntoImmediatesWhenTheyFit() throws {
        let text = LowerTest.function("(i64) -> i64", """
            block0(v0: i64):
                v1 = iconst.i64 -5
                v2 = iadd v0, v1
                v3 = iconst.i64 0x1_0000_0000
                v4 = iadd v2, v3
                return v4
            """)
        // -5 is an immediate and its iconst is never emitted; 2^32 needs movabs.
        #expect(try LowerTest.lines(text) == ["addq $-5, %v3, %v1", "movabsq $4294967296, %v2", "addq %v2, %v1, %v0",
                                              "retq"])
        #expect(try LowerTest.rules(text, opcode: .iadd) == ["iadd_imm", "iadd"])
    }

    @Test func narrowConstantsAreSignExtendedImmediates() throws {
        let text = LowerTest.function("(i16) -> i16", """
            block0(v0: i16):
                v1 = iconst.i16 0xffff
                v2 = iadd v1, v0
                v3 = isub v2, v1
                return v3
            """)
        #expect(try LowerTest.lines(text) == ["addl $-1, %v2, %v1", "subl $-1, %v1, %v0", "retq"])
        #expect(try LowerTest.rules(text, opcode: .iadd) == ["iadd_imm_lhs"])
    }

    @Test func iconstMaterialisesAtItsWidth() throws {
        let text = """
            function %f() -> i8, i64 {
            block0:
                v0 = iconst.i8 200
                v1 = iconst.i64 -1
                return v0, v1
            }
            """
        // A narrow constant is sign-extended from its width: 200 at i8 is -56 (0xc8).
        #expect(try LowerTest.lines(text) == ["movl $-56, %v0", "movq $-1, %v1", "retq"])
    }

    @Test func multiplyAndHighHalves() throws {
        let text = LowerTest.function("(i32, i32) -> i32, i32", """
            block0(v0: i32, v1: i32):
                v2 = imul v0, v1
                v3 = umulhi v0, v1
                return v2, v3
            """)
        #expect(try LowerTest.lines(text) == ["imull %v3, %v2, %v0", "mull %v3 # %v2 -> %v4, %v1", "retq"])
        let narrow = LowerTest.function("(i8, i8) -> i8", """
            block0(v0: i8, v1: i8):
                v2 = smulhi v0, v1
                return v2
            """)
        // 8 bits: the product of the sign-extended operands, bits 8-15.
        #expect(try LowerTest.lines(narrow) == ["movsbl %v1, %v2", "movsbl %v3, %v4", "imull %v4, %v2, %v5",
                                                "sarl $8, %v5, %v0", "retq"])
        let constant = LowerTest.function("(i64) -> i64", """
            block0(v0: i64):
                v1 = iconst.i64 10
                v2 = imul v1, v0
                return v2
            """)
        #expect(try LowerTest.lines(constant) == ["imulq $10, %v1, %v0", "retq"])
    }

    @Test func absoluteValueAndMinMaxReadFlagsAtTheExactWidth() throws {
        let text = LowerTest.function("(i8, i8) -> i8, i8", """
            block0(v0: i8, v1: i8):
                v2 = iabs v0
                v3 = umax v2, v1
                return v2, v3
            """)
        #expect(try LowerTest.lines(text) == ["negb %v3, %v4", "cmovsl %v3, %v4, %v0", "cmpb %v2, %v0",
                                              "cmoval %v0, %v2, %v1", "retq"])
    }

    @Test func bitwiseSelectNotAndMask() throws {
        let text = LowerTest.function("(i64, i64, i64) -> i64", """
            block0(v0: i64, v1: i64, v2: i64):
                v3 = bitselect v0, v1, v2
                v4 = bnot v3
                v5 = bmask.i64 v4
                return v5
            """)
        #expect(try LowerTest.lines(text) == [
            "andq %v4, %v5, %v7", "notq %v4, %v8", "andq %v6, %v8, %v9", "orq %v9, %v7, %v3",
            "notq %v3, %v2", "negq %v2, %v1", "sbbq %v1, %v1, %v0", "retq",
        ])
        let narrow = LowerTest.function("(i16) -> i8", """
            block0(v0: i16):
                v1 = bmask.i8 v0
                return v1
            """)
        // neg at the operand's width decides; sbb at 32 bits fills the result.
        #expect(try LowerTest.lines(narrow) == ["negw %v2, %v1", "sbbl %v1, %v1, %v0", "retq"])
    }

    // MARK: Shifts

    @Test func narrowShiftCountsAreMaskedToTheWidth() throws {
        let text = LowerTest.function("(i8, i32) -> i8, i8, i8", """
            block0(v0: i8, v1: i32):
                v2 = ishl v0, v1
                v3 = sshr v0, v1
                v4 = iconst.i32 11
                v5 = ushr v0, v4
                return v2, v3, v5
            """)
        // x86 masks an 8-bit shift's count to 5 bits; CLIF to 3: `and $7` first. A
        // constant count is masked here (11 → 3). Right shifts run at 8 bits.
        #expect(try LowerTest.lines(text) == [
            "andl $7, %v6, %v7", "shll %v7, %v4, %v0", "andl $7, %v6, %v5", "sarb %v5, %v4, %v1",
            "shrb $3, %v4, %v2", "movb %v2, (%v3)", "retq",
        ])
        #expect(try LowerTest.rules(text, opcode: .ishl) == ["ishl_narrow"])
    }

    @Test func wideShiftsAndRotatesUseTheHardwareMask() throws {
        let text = LowerTest.function("(i64, i64, i32) -> i64, i64, i32", """
            block0(v0: i64, v1: i64, v2: i32):
                v3 = rotl v0, v1
                v4 = iconst.i64 -1
                v5 = rotr v0, v4
                v6 = ushr v2, v1
                return v3, v5, v6
            """)
        #expect(try LowerTest.lines(text) == ["rolq %v5, %v6, %v0", "rorq $63, %v6, %v1", "shrl %v5, %v4, %v2",
                                              "movl %v2, (%v3)", "retq"])
    }

    @Test func narrowRotatesNeedNoMask() throws {
        let text = LowerTest.function("(i16, i8) -> i16", """
            block0(v0: i16, v1: i8):
                v2 = rotr v0, v1
                return v2
            """)
        #expect(try LowerTest.lines(text) == ["rorw %v2, %v1, %v0", "retq"])
    }

    // MARK: Conversions

    @Test func extensionsDefineTheUpperBits() throws {
        let text = LowerTest.function("(i8, i16, i32) -> i64, i32", """
            block0(v0: i8, v1: i16, v2: i32):
                v3 = sextend.i64 v0
                v4 = uextend.i32 v1
                v5 = uextend.i64 v2
                v6 = sextend.i16 v0
                v7 = iadd v3, v5
                v8 = uextend.i32 v6
                v9 = iadd v4, v8
                return v7, v9
            """)
        #expect(try LowerTest.lines(text) == [
            "movsbq %v7, %v5", "movzwl %v9, %v2", "movl %v8, %v6", "movsbl %v7, %v4",
            "addq %v6, %v5, %v0", "movzwl %v4, %v3", "addl %v3, %v2, %v1", "retq",
        ])
    }

    @Test func reduceAndBitcastAreCopies() throws {
        let text = LowerTest.function("(i64) -> i16, i64", """
            block0(v0: i64):
                v1 = ireduce.i16 v0
                v2 = bitcast.i64 v0
                return v1, v2
            """)
        #expect(try LowerTest.lines(text) == ["movq %v2, %v0", "movq %v2, %v1", "retq"])
    }

    @Test func unusedPureInstructionsAreNotLowered() throws {
        let text = LowerTest.function("(i64) -> i64", """
            block0(v0: i64):
                v1 = iconst.i64 7
                v2 = imul v0, v1
                v3 = bnot v2
                return v0
            """)
        #expect(try LowerTest.lines(text) == ["retq"])
    }
}
