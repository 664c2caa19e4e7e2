import Testing
import EgretIR
@testable import EgretCodegen

/// Loads, stores and stack slots: address shapes folded into memory operands, the
/// memory flags' trap code on each operand, extending loads, truncating stores.
struct LowerMemoryTests {
    static let text = LowerTest.function("(i64, i64) -> i64", """
            ss0 = explicit_slot 32, align = 16
        block0(v0: i64, v1: i64):
            v2 = stack_addr.i64 ss0+8
            store notrap v1, v2+8
            v3 = iconst.i64 40
            v4 = iadd v0, v3
            v5 = uload16.i64 v4-2
            v6 = iadd v0, v1
            v7 = sload32.i64 user3 v6+4
            istore16 v7, v0
            v8 = iconst.i32 300
            istore8 v8, v2
            v9 = load.i64 v2+8
            v10 = iadd v5, v9
            v11 = iadd v10, v7
            return v11
        """)

    @Test func addressesFoldIntoMemoryOperands() throws {
        #expect(try LowerTest.lines(Self.text) == [
            "movq %v6, ss0+16",           // stack_addr ss0+8, offset 8
            "movzwl 38(%v5), %v3",        // iadd v0, 40, offset -2
            "movslq 4(%v5,%v6), %v2",     // iadd v0, v1, offset 4
            "movw %v2, (%v5)",
            "movb $44, ss0+8",            // 300 truncated to 8 bits
            "movq ss0+16, %v4",
            "addq %v4, %v3, %v1",
            "addq %v2, %v1, %v0",
            "retq",
        ])
        let lowered = try LowerTest.lower(Self.text)
        #expect(lowered.frame.stackSlots == [FrameRequirements.StackSlot(size: 32, alignment: 16)])
    }

    @Test func addressShapesPickTheirRules() throws {
        #expect(try LowerTest.rules(Self.text, opcode: .store) == ["store_stack_slot"])
        #expect(try LowerTest.rules(Self.text, opcode: .uload16) == ["uload16_base_offset"])
        #expect(try LowerTest.rules(Self.text, opcode: .sload32) == ["sload32_base_index"])
        #expect(try LowerTest.rules(Self.text, opcode: .istore16) == ["istore16"])
        #expect(try LowerTest.rules(Self.text, opcode: .istore8) == ["istore8_imm_stack_slot"])
    }

    @Test func memoryOperandsCarryTheFlagsTrapCode() throws {
        let lowered = try LowerTest.lower(Self.text)
        let codes = lowered.vcode.insts.compactMap { $0.memoryOperand.map { $0.trap } }
        // notrap, heap_oob (default), user3, heap_oob, heap_oob, heap_oob.
        #expect(codes == [nil, .heapOutOfBounds, TrapCode.user(3), .heapOutOfBounds, .heapOutOfBounds, .heapOutOfBounds])
    }

    @Test func narrowLoadsZeroExtendIntoAFullRegister() throws {
        let text = LowerTest.function("(i64) -> i8, i16, i32", """
            block0(v0: i64):
                v1 = load.i8 notrap v0
                v2 = load.i16 notrap v0+2
                v3 = sload8.i32 notrap v0+4
                return v1, v2, v3
            """)
        #expect(try LowerTest.lines(text).prefix(3) == ["movzbl (%v4), %v0", "movzwl 2(%v4), %v1", "movsbl 4(%v4), %v2"])
    }

    @Test func aTrappingLoadStaysEvenWhenUnused() throws {
        let text = LowerTest.function("(i64) -> i64", """
            block0(v0: i64):
                v1 = load.i64 notrap v0
                v2 = load.i64 v0+8
                return v0
            """)
        #expect(try LowerTest.lines(text) == ["movq 8(%v0), %v1", "retq"])
    }

    @Test func stackAddrIsALeaOfTheSlot() throws {
        let text = LowerTest.function("() -> i64", """
                ss0 = explicit_slot 8
                ss1 = explicit_slot 24, align = 8
            block0:
                v0 = stack_addr.i64 ss1+12
                return v0
            """)
        #expect(try LowerTest.lines(text) == ["leaq ss1+12, %v0", "retq"])
    }

    @Test func displacementsThatDoNotFitStayInRegisters() throws {
        let text = LowerTest.function("(i64) -> i64", """
            block0(v0: i64):
                v1 = iconst.i64 0x1_0000_0000
                v2 = iadd v0, v1
                v3 = load.i64 notrap v2
                return v3
            """)
        #expect(try LowerTest.rules(text, opcode: .load) == ["load_base_index"])
    }
}
