import Testing
import EgretIR
@testable import EgretCodegen

/// Division lowering: the trap codes CLIF requires come out of explicit checks and of
/// the divide's own trap record (`idivl` carries int_divz), and i8/i16 divide at 32
/// bits on extended operands.
struct LowerDivisionTests {
    @Test func unsignedNarrowDivisionZeroExtendsAndClearsTheHighHalf() throws {
        let text = LowerTest.function("(i8, i8) -> i8", """
            block0(v0: i8, v1: i8):
                v2 = udiv v0, v1
                return v2
            """)
        let lowered = try LowerTest.lower(text)
        #expect(lowered.vcode.insts.map(\.description) == [
            "movzbl %v1, %v2", "movzbl %v3, %v4", "movl $0, %v5", "divl %v4 # %v2, %v5 -> %v0, %v6", "retq",
        ])
        // A zero divisor faults in the divide itself, recorded as int_divz.
        #expect(lowered.vcode.insts[3].trapCode == .integerDivisionByZero)
    }

    @Test func signedDivisionChecksMinimumByMinusOneFirst() throws {
        let text = LowerTest.function("(i64, i64) -> i64", """
            block0(v0: i64, v1: i64):
                v2 = sdiv v0, v1
                return v2
            """)
        let lowered = try LowerTest.lower(text)
        // d == -1 and n - 1 overflows (n == MIN): trap int_ovf, branch-free.
        #expect(lowered.vcode.insts.map(\.description) == [
            "cmpq $-1, %v2", "sete %v1", "cmpq $1, %v4", "seto %v3", "andb %v3, %v1, %v5", "je .+4; ud2",
            "cqto # %v4 -> %v6", "idivq %v2 # %v4, %v6 -> %v0, %v7", "retq",
        ])
        #expect(lowered.vcode.insts[5].trapCode == .integerOverflow)
        #expect(lowered.vcode.insts[7].trapCode == .integerDivisionByZero)
    }

    @Test func signedRemainderDividesByOneInsteadOfMinusOne() throws {
        let text = LowerTest.function("(i16, i16) -> i16", """
            block0(v0: i16, v1: i16):
                v2 = srem v0, v1
                return v2
            """)
        // MIN % -1 is 0 in CLIF but faults in idiv: n % 1 == n % -1 == 0, no trap.
        #expect(try LowerTest.lines(text) == [
            "movl $1, %v1", "movswl %v2, %v3", "cmpw $-1, %v2", "cmovel %v1, %v3, %v4", "movswl %v5, %v6",
            "cltd # %v6 -> %v7", "idivl %v4 # %v6, %v7 -> %v8, %v0", "retq",
        ])
        let lowered = try LowerTest.lower(text)
        #expect(!lowered.vcode.insts.contains { $0.trapCode == .integerOverflow })
    }

    @Test func constantDivisorsNeedNoChecks() throws {
        let text = LowerTest.function("(i32) -> i32, i32", """
            block0(v0: i32):
                v1 = iconst.i32 8
                v2 = udiv v0, v1
                v3 = urem v0, v1
                return v2, v3
            """)
        #expect(try LowerTest.lines(text) == ["shrl $3, %v2, %v0", "andl $7, %v2, %v1", "retq"])
        #expect(try LowerTest.rules(text, opcode: .udiv) == ["udiv_pow2"])

        let signed = LowerTest.function("(i32) -> i32", """
            block0(v0: i32):
                v1 = iconst.i32 -7
                v2 = sdiv v0, v1
                return v2
            """)
        #expect(try LowerTest.lines(signed) == ["movl $-7, %v1", "cltd # %v2 -> %v3", "idivl %v1 # %v2, %v3 -> %v0, %v4",
                                                "retq"])
        #expect(try LowerTest.rules(signed, opcode: .sdiv) == ["sdiv_const"])
    }

    @Test func minusOneAndZeroConstantsKeepTheChecks() throws {
        let text = LowerTest.function("(i8) -> i8, i8", """
            block0(v0: i8):
                v1 = iconst.i8 -1
                v2 = sdiv v0, v1
                v3 = iconst.i8 0
                v4 = udiv v0, v3
                return v2, v4
            """)
        #expect(try LowerTest.rules(text, opcode: .sdiv) == ["sdiv"])
        #expect(try LowerTest.rules(text, opcode: .udiv) == ["udiv"])
    }

    @Test func largePowerOfTwoRemainderUsesARegisterMask() throws {
        let text = LowerTest.function("(i64) -> i64", """
            block0(v0: i64):
                v1 = iconst.i64 0x1_0000_0000
                v2 = urem v0, v1
                return v2
            """)
        #expect(try LowerTest.lines(text) == ["movabsq $4294967295, %v1", "andq %v1, %v2, %v0", "retq"])
    }
}
