import Testing
@testable import EgretIR

/// SSA form: every use in a reachable block is dominated by its definition (after
/// Cranelift's defs_dominates_uses.clif and unreachable_code.clif).
struct VerifierSSATests {
    @Test func useBeforeTheDefinitionInTheSameBlock() {
        var b = TestFunctionBuilder(params: [.i32], returns: [.i32])
        let x = b.block(0, .i32)[0]
        _ = b.add(.iadd, .i32, [Value(2), x], results: [.i32])    // line 3: v1 = iadd v2, v0
        let second = b.add(.iadd, .i32, [Value(1), x], results: [.i32])[0]
        b.ret(second)
        VerifierExpectations.expect(b.function, "uses value v2 before its definition", instruction: "v1 = iadd v2, v0",
                                    line: 3)
    }

    @Test func instructionThatUsesItsOwnResult() {
        var b = TestFunctionBuilder(params: [.i32], returns: [.i32])
        let x = b.block(0, .i32)[0]
        let sum = b.add(.iadd, .i32, [Value(1), x], results: [.i32])[0]
        b.ret(sum)
        VerifierExpectations.expect(b.function, "uses value v1 from itself", instruction: "v1 = iadd v1, v0", line: 3)
    }

    @Test func valueOfOneArmUsedAtTheJoin() {
        var b = TestFunctionBuilder(params: [.i32], returns: [.i32])
        let x = b.block(0, .i32)[0]
        b.brif(x, 1, [], 2, [])
        b.block(1)                                                // line 4
        let one = b.iconst(.i32, 1)                               // line 5: v1
        b.jump(3)
        b.block(2)
        b.jump(3)
        b.block(3)                                                // line 9
        let sum = b.binary(.iadd, one, x)                         // line 10
        b.ret(sum)
        VerifierExpectations.expect(b.function, "uses value v1 from non-dominating block1", instruction: "v2 = iadd v1, v0",
                                    line: 10)
    }

    @Test func loopBodyValueUsedAfterTheLoop() {
        // The header dominates the exit, the body does not.
        var b = TestFunctionBuilder(params: [.i32], returns: [.i32])
        let x = b.block(0, .i32)[0]
        b.jump(1)
        b.block(1)
        b.brif(x, 2, [], 3, [])
        b.block(2)
        let inBody = b.iconst(.i32, 5)                            // v1
        b.jump(1)
        b.block(3)
        b.ret(inBody)                                             // line 10
        VerifierExpectations.expect(b.function, "uses value v1 from non-dominating block2", instruction: "return v1",
                                    line: 10)
    }

    @Test func parameterOfAnUnreachableBlockUsedInTheEntry() {
        var b = TestFunctionBuilder(params: [.i32], returns: [.i32])
        let x = b.block(0, .i32)[0]
        let sum = b.add(.iadd, .i32, [x, Value(3)], results: [.i32])[0]    // line 3
        b.ret(sum)
        let param = b.block(1, .i32)[0]                                    // v2
        b.ret(param)
        // Renumber so that the parameter is v3, as in Cranelift's unreachable_code.clif.
        b.function.reserveValue(Value(3))
        b.function.values[3] = b.function.values[2]
        b.function.values[2] = .undefined
        b.function.valuePool[Int(b.function.blocks[1].params.start)] = Value(3)
        b.function.valuePool[Int(b.function.insts[2].arguments.start)] = Value(3)
        VerifierExpectations.expect(b.function, "uses value v3, a parameter of non-dominating block1",
                                    instruction: "v1 = iadd v0, v3", line: 3)
    }

    @Test func blockArgumentsAreUsesAtTheBranch() {
        var b = TestFunctionBuilder(params: [.i32], returns: [.i32])
        let x = b.block(0, .i32)[0]
        b.brif(x, 1, [], 2, [])
        b.block(1)
        let one = b.iconst(.i32, 1)                               // v1
        b.jump(3, [one])
        b.block(2)
        b.jump(3, [one])                                          // line 8
        let joined = b.block(3, .i32)[0]
        b.ret(joined)
        VerifierExpectations.expect(b.function, "uses value v1 from non-dominating block1", instruction: "jump block3(v1)",
                                    line: 8)
    }

    @Test func definitionOutsideTheLayout() {
        var b = TestFunctionBuilder(params: [.i32], returns: [.i32])
        let x = b.block(0, .i32)[0]
        let sum = b.binary(.iadd, x, x)
        b.ret(sum)                                                // line 4
        b.function.blocks[0].insts.removeFirst()
        VerifierExpectations.expect(b.function, "uses value v1, whose defining instruction is not in any block",
                                    instruction: "return v1", line: 4)
    }

    @Test func irreducibleLoopsVerify() {
        // Two entries into a cycle: neither block dominates the other.
        var b = TestFunctionBuilder(params: [.i32], returns: [.i32])
        let x = b.block(0, .i32)[0]
        b.brif(x, 1, [x], 2, [x])
        let first = b.block(1, .i32)[0]
        b.brif(first, 2, [first], 3, [first])
        let second = b.block(2, .i32)[0]
        b.brif(second, 1, [second], 3, [second])
        let result = b.block(3, .i32)[0]
        let sum = b.binary(.iadd, result, x)
        b.ret(sum)
        VerifierExpectations.expectValid(b.function)
    }
}
