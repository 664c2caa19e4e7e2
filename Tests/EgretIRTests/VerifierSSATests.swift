import Testing
@testable import EgretIR

/// SSA form: every use in a reachable block is dominated by its definition (after
/// Cranelift's defs_dominates_uses.clif and unreachable_code.clif).
struct VerifierSSATests {
    @Test func useBeforeTheDefinitionInTheSameBlock() {
        VerifierText.expect("""
            function %non_dominating(i32) -> i32 system_v {
            block0(v0: i32):
                v1 = iadd.i32 v2, v0
                v2 = iadd.i32 v1, v0
                return v2
            }
            """, "uses value v2 before its definition", instruction: "v1 = iadd v2, v0", line: 3)
    }

    @Test func instructionThatUsesItsOwnResult() {
        VerifierText.expect("""
            function %inst_uses_its_own_values(i32) -> i32 system_v {
            block0(v0: i32):
                v1 = iadd.i32 v1, v0
                return v1
            }
            """, "uses value v1 from itself", instruction: "v1 = iadd v1, v0", line: 3)
    }

    @Test func valueOfOneArmUsedAtTheJoin() {
        VerifierText.expect("""
            function %diamond(i32) -> i32 {
            block0(v0: i32):
                brif v0, block1, block2
            block1:
                v1 = iconst.i32 1
                jump block3
            block2:
                jump block3
            block3:
                v2 = iadd v1, v0
                return v2
            }
            """, "uses value v1 from non-dominating block1", instruction: "v2 = iadd v1, v0", line: 10)
    }

    @Test func loopBodyValueUsedAfterTheLoop() {
        // The loop header dominates the exit; the body does not.
        VerifierText.expect("""
            function %loop(i32) -> i32 {
            block0(v0: i32):
                jump block1
            block1:
                brif v0, block2, block3
            block2:
                v1 = iconst.i32 5
                jump block1
            block3:
                return v1
            }
            """, "uses value v1 from non-dominating block2", instruction: "return v1", line: 10)
    }

    @Test func blockArgumentsAreUsesAtTheBranch() {
        VerifierText.expect("""
            function %args(i32) -> i32 {
            block0(v0: i32):
                brif v0, block1, block2
            block1:
                v1 = iconst.i32 1
                jump block3(v1)
            block2:
                jump block3(v1)
            block3(v2: i32):
                return v2
            }
            """, "uses value v1 from non-dominating block1", instruction: "jump block3(v1)", line: 8)
    }

    @Test func parameterOfAnUnreachableBlockUsedInTheEntry() {
        VerifierText.expect("""
            function %arg2(i32) -> i32 {
            block0(v0: i32):
                v1 = iadd v0, v10
                return v1

            block1(v10: i32):
                v11 = iadd v0, v10
                return v11
            }
            """, "uses value v10, a parameter of non-dominating block1", instruction: "v1 = iadd v0, v10", line: 3)
    }

    @Test func unreachableBlocksAreNotCheckedForDominance() {
        // Cranelift's unreachable_code.clif: uses in unreachable blocks may name values of
        // other unreachable blocks, or even later values of their own block.
        VerifierText.expectValid("""
            function %test() -> i32 {
            block0:
                v0 = iconst.i32 0
                v1 = iconst.i32 0
                jump block2
            block2:
                jump block4
            block4:
                jump block2
            block3(v2: i32):
                v4 = iadd.i32 v1, v2
                jump block9(v4)
            block9(v7: i32):
                v9 = iadd.i32 v2, v7
                v10 = iadd.i32 v11, v7
                v11 = iconst.i32 1
                return v9
            }
            """)
    }

    @Test func definitionOutsideTheLayout() {
        // Only code can build this: a result of an instruction no block contains.
        var b = TestFunctionBuilder(params: [.i32], returns: [.i32])
        let x = b.block(0, .i32)[0]
        let sum = b.binary(.iadd, x, x)
        b.ret(sum)                                                // line 4
        b.function.blocks[0].insts.removeFirst()
        VerifierExpectations.expect(b.function, "uses value v1, whose defining instruction is not in any block",
                                    instruction: "return v1", line: 4)
    }

    @Test func irreducibleLoopsVerify() {
        // Two entries into a cycle: neither block dominates the other, the entry both.
        VerifierText.expectValid("""
            function %irreducible(i32) -> i32 {
            block0(v0: i32):
                brif v0, block1(v0), block2(v0)
            block1(v1: i32):
                brif v1, block2(v1), block3(v1)
            block2(v2: i32):
                brif v2, block1(v2), block3(v2)
            block3(v3: i32):
                v4 = iadd v3, v0
                return v4
            }
            """)
    }
}
