import Testing
import EgretIR
@testable import EgretCodegen

/// Bit counting and reordering on the baseline ISA (no LZCNT/TZCNT/POPCNT), and the
/// overflow family's flag results.
struct LowerBitsOverflowTests {
    @Test func clzAndCtzHandleZero() throws {
        let text = LowerTest.function("(i8) -> i8, i8", """
            block0(v0: i8):
                v1 = clz v0
                v2 = ctz v0
                return v1, v2
            """)
        #expect(try LowerTest.lines(text) == [
            // clz: bsr of the zero-extended value, -1 for zero, then 7 - index.
            "movzbl %v3, %v4", "movl $-1, %v5", "bsrl %v4, %v6", "cmovel %v5, %v6, %v7", "movl $7, %v8",
            "subl %v7, %v8, %v0",
            // ctz: a stop bit at 8 makes bsf return 8 for zero.
            "orl $256, %v3, %v2", "bsfl %v2, %v1", "retq",
        ])
    }

    @Test func wideCtzSelectsTheWidthForZero() throws {
        let text = LowerTest.function("(i64) -> i64", """
            block0(v0: i64):
                v1 = ctz v0
                return v1
            """)
        #expect(try LowerTest.lines(text) == ["movq $64, %v1", "bsfq %v3, %v2", "cmoveq %v1, %v2, %v0", "retq"])
    }

    @Test func clsCountsFromTheSignExtendedValue() throws {
        let text = LowerTest.function("(i16) -> i16", """
            block0(v0: i16):
                v1 = cls v0
                return v1
            """)
        #expect(try LowerTest.mnemonics(text) == ["movswl", "sarl", "xorl", "movl", "bsrl", "cmovel", "movl", "subl",
                                                  "retq"])
    }

    @Test func popcountIsASWARSum() throws {
        let text = LowerTest.function("(i64) -> i64", """
            block0(v0: i64):
                v1 = popcnt v0
                return v1
            """)
        let lines = try LowerTest.lines(text)
        #expect(lines.contains("movabsq $6148914691236517205, %v3"))   // 0x5555…
        #expect(lines.filter { $0.hasPrefix("movabsq") }.count == 4)
        #expect(lines.suffix(2) == ["shrq $56, %v15, %v0", "retq"])
    }

    @Test func bitReverseSwapsWithinBytesThenBytes() throws {
        let text = LowerTest.function("(i16, i32) -> i16, i32", """
            block0(v0: i16, v1: i32):
                v2 = bitrev v0
                v3 = bswap v1
                return v2, v3
            """)
        let lines = try LowerTest.lines(text)
        #expect(lines.count == 18)
        #expect(lines.filter { $0.hasPrefix("andl $1431655765") }.count == 2)
        #expect(lines.suffix(3) == ["rolw $8, %v18, %v0", "bswapl %v2, %v1", "retq"])
    }

    // MARK: Overflow

    @Test func overflowFlagsComeFromTheExactWidth() throws {
        let text = LowerTest.function("(i16, i16, i8) -> i16, i8, i16, i8", """
            block0(v0: i16, v1: i16, v2: i8):
                v3, v4 = sadd_overflow v0, v1
                v5, v6 = usub_overflow_bin v0, v1, v2
                return v3, v4, v5, v6
            """)
        #expect(try LowerTest.lines(text) == [
            "addw %v6, %v5, %v0", "seto %v1",
            // neg turns the borrow-in into CF for sbb.
            "negb %v8, %v7", "sbbw %v6, %v5, %v2", "setb %v4",
            "movw %v2, (%v3)", "movb %v4, 8(%v3)", "retq",
        ])
    }

    @Test func multiplyOverflow() throws {
        let wide = LowerTest.function("(i32, i32) -> i32, i8", """
            block0(v0: i32, v1: i32):
                v2, v3 = umul_overflow v0, v1
                return v2, v3
            """)
        #expect(try LowerTest.lines(wide) == ["mull %v3 # %v2 -> %v0, %v4", "seto %v1", "retq"])
        let narrow = LowerTest.function("(i8, i8) -> i8, i8", """
            block0(v0: i8, v1: i8):
                v2, v3 = smul_overflow v0, v1
                return v2, v3
            """)
        #expect(try LowerTest.lines(narrow) == ["imulb %v3 # %v2 -> %v0", "seto %v1", "retq"])
    }

    @Test func uaddOverflowTrapFoldsAnImmediate() throws {
        let text = LowerTest.function("(i64) -> i64", """
            block0(v0: i64):
                v1 = iconst.i64 16
                v2 = uadd_overflow_trap v0, v1, heap_oob
                return v2
            """)
        let lowered = try LowerTest.lower(text)
        #expect(lowered.vcode.insts.map(\.description) == ["addq $16, %v1, %v0", "jae .+4; ud2", "retq"])
        #expect(lowered.vcode.insts[1].trapCode == .heapOutOfBounds)
    }
}
