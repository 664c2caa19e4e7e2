import Testing
import EgretIR
@testable import EgretCodegen

/// Compares, selects, branches and traps: flags producers next to their consumers,
/// icmp fused into a single consumer, block arguments as parallel moves, edge blocks
/// on critical edges, and the VCode block structure.
struct LowerControlFlowTests {
    @Test func icmpMaterialisesWithSetcc() throws {
        let text = LowerTest.function("(i16, i16) -> i8, i8", """
            block0(v0: i16, v1: i16):
                v2 = icmp ult v0, v1
                v3 = iconst.i16 10
                v4 = icmp sgt v3, v0
                return v2, v4
            """)
        // A constant on the left compares the other way round: 10 > v0 ⇔ v0 < 10.
        #expect(try LowerTest.lines(text) == ["cmpw %v3, %v2", "setb %v0", "cmpw $10, %v2", "setl %v1", "retq"])
    }

    @Test func aSingleUseIcmpFusesIntoSelect() throws {
        let text = LowerTest.function("(i32, i32, i64, i64) -> i64", """
            block0(v0: i32, v1: i32, v2: i64, v3: i64):
                v4 = icmp sle v0, v1
                v5 = select v4, v2, v3
                return v5
            """)
        #expect(try LowerTest.lines(text) == ["cmpl %v3, %v4", "cmovleq %v1, %v2, %v0", "retq"])
        #expect(try LowerTest.rules(text, opcode: .select) == ["select_icmp"])
    }

    @Test func anIcmpWithOtherUsesIsNotFused() throws {
        let text = LowerTest.function("(i32, i32, i8, i8) -> i8, i8", """
            block0(v0: i32, v1: i32, v2: i8, v3: i8):
                v4 = icmp eq v0, v1
                v5 = select_spectre_guard v4, v2, v3
                return v5, v4
            """)
        // select_spectre_guard is a cmov like select: never a branch.
        #expect(try LowerTest.lines(text) == ["cmpl %v5, %v4", "sete %v1", "testb %v1, %v1", "cmovnel %v2, %v3, %v0",
                                              "retq"])
        #expect(try LowerTest.rules(text, opcode: .select_spectre_guard) == ["select_spectre_guard"])
    }

    @Test func brifFusesItsIcmp() throws {
        let text = LowerTest.function("(i64) -> i64", """
            block0(v0: i64):
                v1 = iconst.i64 100
                v2 = icmp uge v0, v1
                brif v2, block1, block2
            block1:
                return v0
            block2:
                v3 = iconst.i64 0
                return v3
            """)
        #expect(try LowerTest.lines(text) == ["block0:", "cmpq $100, %v0", "jae .L1", "jmp .L2", "block1:", "retq",
                                              "block2:", "movq $0, %v1", "retq"])
        let lowered = try LowerTest.lower(text)
        #expect(lowered.vcode.blocks.map(\.successors) == [[1, 2], [], []])
    }

    @Test func brifOnAPlainValueTestsAtItsWidth() throws {
        let text = LowerTest.function("(i16) -> i16", """
            block0(v0: i16):
                brif v0, block1, block1
            block1:
                return v0
            """)
        // Both edges reach block1, which thus has two incoming edges: each is split.
        #expect(try LowerTest.lines(text) == ["block0:", "testw %v0, %v0", "jne .L1", "jmp .L2", "block1:", "jmp .L3",
                                              "block2:", "jmp .L3", "block3:", "retq"])
    }

    /// `jump block1(v0, v1, v2)` and the back edge `block1(v4, v3, v7)` swap two
    /// parameters: a cycle, broken with a temporary. v7, computed from v5 and passed
    /// back as v5, shares v5's register: `subl` updates it in place and the back edge
    /// moves only the swapped pair.
    @Test func blockArgumentsAreParallelMoves() throws {
        let text = LowerTest.function("(i32, i32, i32) -> i32", """
            block0(v0: i32, v1: i32, v2: i32):
                jump block1(v0, v1, v2)
            block1(v3: i32, v4: i32, v5: i32):
                v6 = iconst.i32 1
                v7 = isub v5, v6
                brif v7, block1(v4, v3, v7), block2
            block2:
                return v3
            """)
        #expect(try LowerTest.lines(text) == [
            "block0:", "movq %v4, %v1", "movq %v5, %v2", "movq %v6, %v0", "jmp .L1",
            "block1:", "subl $1, %v0", "testl %v0, %v0", "jne .L2", "jmp .L3",
            // The edge block of the back edge: v3 ↔ v4 through %v3.
            "block2:", "movq %v1, %v3", "movq %v2, %v1", "movq %v3, %v2", "jmp .L1",
            "block3:", "retq",
        ])
        let lowered = try LowerTest.lower(text)
        #expect(lowered.vcode.blocks.map(\.successors) == [[1], [2, 3], [1], []])
        #expect(lowered.blockMap == [0, 1, 3])
    }

    @Test func parallelMovesRotateAThreeCycle() throws {
        let text = LowerTest.function("(i64, i64, i64) -> i64", """
            block0(v0: i64, v1: i64, v2: i64):
                jump block1(v0, v1, v2)
            block1(v3: i64, v4: i64, v5: i64):
                brif v3, block2, block3
            block2:
                jump block1(v4, v5, v3)
            block3:
                return v5
            """)
        let lines = try LowerTest.lines(text)
        let block2 = try #require(lines.firstIndex(of: "block2:"))
        // v3 ← v4, v4 ← v5, v5 ← v3: one temporary, four moves.
        #expect(lines[(block2 + 1)...].prefix(5).filter { $0.hasPrefix("movq") }.count == 4)
    }

    @Test func brTableIsACompareChain() throws {
        let text = LowerTest.function("(i32, i64) -> i64", """
            block0(v0: i32, v1: i64):
                br_table v0, block1(v1), [block2, block1(v1), block3]
            block1(v2: i64):
                return v2
            block2:
                return v1
            block3:
                trap user9
            """)
        #expect(try LowerTest.lines(text) == [
            "block0:", "cmpl $0, %v2", "je .L4", "cmpl $1, %v2", "je .L2", "cmpl $2, %v2", "je .L5", "jmp .L1",
            "block1:", "movq %v1, %v0", "jmp .L3", "block2:", "movq %v1, %v0", "jmp .L3",
            "block3:", "retq", "block4:", "retq", "block5:", "ud2",
        ])
        let lowered = try LowerTest.lower(text)
        #expect(lowered.vcode.blocks[0].successors == [1, 4, 2, 5])
        #expect(lowered.vcode.insts.last?.trapCode == TrapCode.user(9))
    }

    @Test func conditionalTrapsCarryTheirCodes() throws {
        let text = LowerTest.function("(i64, i32)", """
            block0(v0: i64, v1: i32):
                trapz v0, user1
                v2 = iconst.i32 3
                v3 = icmp ugt v1, v2
                trapnz v3, int_ovf
                v4 = uadd_overflow_trap v1, v1, user2
                return
            """)
        let lowered = try LowerTest.lower(text)
        // `jne .+4; ud2` traps when the jump is not taken: trapz traps on zero.
        #expect(lowered.vcode.insts.map(\.description) == [
            "testq %v2, %v2", "jne .+4; ud2", "cmpl $3, %v0", "jbe .+4; ud2", "addl %v0, %v0, %v1", "jae .+4; ud2",
            "retq",
        ])
        #expect(lowered.vcode.insts.compactMap(\.trapCode) == [TrapCode.user(1), .integerOverflow, TrapCode.user(2)])
    }

    @Test func unreachableBlocksAreDropped() throws {
        let text = LowerTest.function("(i64) -> i64", """
            block0(v0: i64):
                return v0
            block1:
                v1 = iconst.i64 1
                jump block2(v1)
            block2(v2: i64):
                return v2
            """)
        let lowered = try LowerTest.lower(text)
        #expect(lowered.vcode.blocks.count == 1)
        #expect(lowered.blockMap == [0, nil, nil])
    }
}
