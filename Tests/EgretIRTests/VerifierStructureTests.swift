import Testing
@testable import EgretIR

/// Entity references, the layout and block structure: one test per kind of error, each
/// checking that the message starts with the instruction and sits at its location.
struct VerifierStructureTests {
    @Test func operandThatIsNeverDefined() {
        var b = TestFunctionBuilder(params: [.i32], returns: [.i32])
        let x = b.block(0, .i32)[0]                          // line 2
        let sum = b.binary(.iadd, x, Value(9))               // line 3
        b.ret(sum)
        VerifierExpectations.expect(b.function, "uses v9, which is not defined", instruction: "v1 = iadd v0, v9", line: 3)
    }

    @Test func operandListOutOfThePool() {
        var b = TestFunctionBuilder(params: [.i32], returns: [.i32])
        let x = b.block(0, .i32)[0]
        let sum = b.binary(.iadd, x, x)
        b.ret(sum)
        b.function.insts[0].arguments = PoolRange(start: 1000, count: 2)
        VerifierExpectations.expect(b.function, "operand list is out of the value pool's bounds",
                                    instruction: "v1 = iadd ?", line: 3)
    }

    @Test func branchToAnUndeclaredBlock() {
        var b = TestFunctionBuilder()
        b.block(0)
        b.jump(7)                                            // line 3
        VerifierExpectations.expect(b.function, "branches to block7, which is not declared", instruction: "jump block7",
                                    line: 3)
    }

    @Test func branchToADeclaredBlockOutsideTheLayout() {
        var b = TestFunctionBuilder()
        b.block(0)
        b.jump(1)
        b.block(1)
        b.ret()
        b.function.layout.removeLast()
        VerifierExpectations.expect(b.function, "branches to block1, which is not in the layout", instruction: "jump block1",
                                    line: 3)
    }

    @Test func branchToTheEntryBlock() {
        var b = TestFunctionBuilder()
        b.block(0)
        b.jump(1)
        b.block(1)
        b.jump(0)                                            // line 5
        VerifierExpectations.expect(b.function, "branches to the entry block block0", instruction: "jump block0", line: 5)
    }

    @Test func blockPlacedTwice() {
        var b = TestFunctionBuilder()
        b.block(0)
        b.jump(1)
        b.block(1)
        b.ret()
        b.function.layout.append(Block(1))
        let problem = VerifierExpectations.problem(b.function, containing: "block1: is placed in the layout more than once")
        #expect(problem?.location == EgretIR.SourceLocation(line: 4, column: 1))
    }

    @Test func instructionPlacedTwice() {
        var b = TestFunctionBuilder()
        b.block(0)
        b.jump(1)
        b.block(1)
        b.ret()
        b.function.blocks[1].insts.insert(Inst(1), at: 0)
        _ = VerifierExpectations.problem(b.function, containing: "lists inst1, which is already placed (in block1)")
    }

    @Test func emptyBlock() {
        var b = TestFunctionBuilder()
        b.block(0)
        b.jump(1)
        b.block(1)                                           // line 4
        let problem = VerifierExpectations.problem(b.function, containing: "block1: is empty")
        #expect(problem?.location == EgretIR.SourceLocation(line: 4, column: 1))
    }

    @Test func blockWithoutTerminator() {
        VerifierText.expect("""
            function %f(i32) {
            block0(v0: i32):
                v1 = iadd v0, v0
            }
            """, "block0 does not end with a terminator", instruction: "v1 = iadd v0, v0", line: 3)
    }

    @Test func terminatorBeforeTheEndOfTheBlock() {
        // Cranelift's bad_layout.clif.
        VerifierText.expect("""
            function %test_2(i32) {
                block0(v0: i32):
                    jump block2
                    brif v0, block2, block3
                block2:
                    jump block3
                block3:
                    return
            }
            """, "a terminator instruction was encountered before the end of block0", instruction: "jump block2", line: 3)
    }

    @Test func entryBlockParametersDoNotMatchTheSignature() {
        VerifierText.expect("""
            function %entry_block_signature_mismatch(i32) {
                block0:
                    return
            }
            """, "block0: entry block parameters (0) must match function signature (1)", line: 2)
        VerifierText.expect("""
            function %entry_block_arg_type(i32) {
                block0(v0: f32):
                    return
            }
            """, "block0: entry block parameter 0 (v0) expected to have type i32, got f32", line: 2)
    }

    @Test func coldEntryBlock() {
        var b = TestFunctionBuilder()
        b.block(0)
        b.ret()
        b.function.blocks[0].isCold = true
        _ = VerifierExpectations.problem(b.function, containing: "entry block cannot be marked as cold")
    }

    @Test func functionWithoutBlocks() {
        let function = TestFunctionBuilder().function
        _ = VerifierExpectations.problem(function, containing: "function %f: has no blocks")
    }

    @Test func undeclaredEntities() {
        var b = TestFunctionBuilder(returns: [.i64])
        b.block(0)
        let address = b.add(.stack_addr, .i64, results: [.i64]) { $0.entity = 3 }[0]     // line 3
        _ = b.add(.call, .invalid, [address]) { $0.entity = 2 }                           // line 4
        _ = b.add(.call_indirect, .invalid, [address]) { $0.entity = 5 }                  // line 5
        _ = b.add(.symbol_value, .i64, results: [.i64]) { $0.entity = 0 }                 // line 6
        b.ret(address)
        VerifierExpectations.expect(b.function, "names ss3, which is not declared", instruction: "v0 = stack_addr.i64 ss3",
                                    line: 3)
        VerifierExpectations.expect(b.function, "names fn2, which is not declared", instruction: "call fn2(v0)", line: 4)
        VerifierExpectations.expect(b.function, "names sig5, which is not declared", instruction: "call_indirect sig5, v0()",
                                    line: 5)
        VerifierExpectations.expect(b.function, "names gv0, which is not declared", instruction: "v1 = symbol_value.i64 gv0",
                                    line: 6)
    }

    @Test func valueDefinedTwice() {
        var b = TestFunctionBuilder(params: [.i32], returns: [.i32])
        let x = b.block(0, .i32)[0]
        let sum = b.binary(.iadd, x, x)                      // line 3: v1
        let twice = b.binary(.imul, sum, x)                  // line 4: v2
        b.ret(twice)
        // Make the imul claim v1 as its result too.
        b.function.valuePool[Int(b.function.instResults[1].start)] = sum
        VerifierExpectations.expect(b.function, "result 0 (v1) is already defined elsewhere (result 0 of inst0)",
                                    instruction: "v1 = imul v1, v0", line: 4)
    }

    @Test func valueDataThatDisagreesWithThePools() {
        var b = TestFunctionBuilder(params: [.i32], returns: [.i32])
        let x = b.block(0, .i32)[0]
        let sum = b.binary(.iadd, x, x)
        b.ret(sum)
        b.function.values[sum.position].index = 3
        _ = VerifierExpectations.problem(b.function, containing: "v1 is recorded as result 3 of inst0, which does not define it")
    }

    @Test func wrongNumberOfOperandsForTheFormat() {
        var b = TestFunctionBuilder(params: [.i32], returns: [.i32])
        let x = b.block(0, .i32)[0]
        let sum = b.add(.iadd, .i32, [x, x, x], results: [.i32])[0]    // line 3
        b.ret(sum)
        VerifierExpectations.expect(b.function, "has 3 value operands, but iadd takes 2", instruction: "v1 = iadd v0, v0, v0",
                                    line: 3)
    }

    @Test func brifWithOneTarget() {
        var b = TestFunctionBuilder(params: [.i32])
        let x = b.block(0, .i32)[0]
        b.add(.brif, .i32, [x], targets: [(1, [])])         // line 3
        b.block(1)
        b.ret()
        VerifierExpectations.expect(b.function, "has 1 branch targets, but brif takes 2", instruction: "brif v0, block1",
                                    line: 3)
    }

    @Test func invalidCodes() {
        var b = TestFunctionBuilder(params: [.i32])
        let x = b.block(0, .i32)[0]
        _ = b.add(.icmp, .i32, [x, x], results: [.i8]) { $0.code = 42 }                  // line 3
        b.add(.trapz, .i32, [x]) { $0.code = 0 }                                         // line 4
        _ = b.add(.load, .i32, [x], results: [.i32]) { $0.flags.trapCode = TrapCode(raw: 0) }   // line 5
        b.add(.trap) { $0.trapCode = .integerOverflow }                                 // line 6
        VerifierExpectations.expect(b.function, "has an invalid condition code (42)", instruction: "v1 = icmp ? v0, v0",
                                    line: 3)
        VerifierExpectations.expect(b.function, "has an invalid trap code (0)", instruction: "trapz v0, user0", line: 4)
        VerifierExpectations.expect(b.function, "its memory flags have an invalid trap code (0)",
                                    instruction: "v2 = load.i32 user0 v0", line: 5)
    }

    @Test func fieldsTheFormatDoesNotTake() {
        var b = TestFunctionBuilder(params: [.i32], returns: [.i32])
        let x = b.block(0, .i32)[0]
        let sum = b.add(.iadd, .i32, [x, x], results: [.i32]) { $0.offset = 8; $0.flags.readonly = true }[0]
        b.ret(sum)
        VerifierExpectations.expect(b.function, "has an offset (8), which iadd does not take",
                                    instruction: "v1 = iadd v0, v0", line: 3)
        VerifierExpectations.expect(b.function, "has memory flags, which iadd does not take",
                                    instruction: "v1 = iadd v0, v0", line: 3)
    }
}
