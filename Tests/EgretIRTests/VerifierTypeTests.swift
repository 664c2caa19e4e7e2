import Testing
@testable import EgretIR

/// Type constraints of the opcode table, and the immediates and flags the table cannot
/// express: one test per kind of error.
struct VerifierTypeTests {
    static let i32x4 = IRType(lane: .i32, laneCountLog2: 2)
    static let i64x2 = IRType(lane: .i64, laneCountLog2: 1)
    static let i8x16 = IRType(lane: .i8, laneCountLog2: 4)

    @Test func controllingTypeOutsideTheOpcodesSet() {
        var b = TestFunctionBuilder(params: [.f32], returns: [.f32])
        let x = b.block(0, .f32)[0]
        let sum = b.binary(.iadd, x, x)                      // line 3
        b.ret(sum)
        VerifierExpectations.expect(b.function, "has an invalid controlling type f32 (allowed: i8, i16, i32, i64 or i128, or a vector of such lanes)",
                                    instruction: "v1 = iadd v0, v0", line: 3)
    }

    @Test func polymorphicInstructionWithoutControllingType() {
        var b = TestFunctionBuilder(params: [.i32], returns: [.i32])
        let x = b.block(0, .i32)[0]
        let sum = b.add(.iadd, .invalid, [x, x], results: [.i32])[0]
        b.ret(sum)
        VerifierExpectations.expect(b.function, "has no controlling type", instruction: "v1 = iadd v0, v0", line: 3)
    }

    @Test func operandOfTheWrongType() {
        // Cranelift's type_check.clif: `iadd v0, v1` with an i32 and an i64.
        var b = TestFunctionBuilder(params: [.i32, .i64])
        let params = b.block(0, .i32, .i64)
        _ = b.binary(.iadd, params[0], params[1])           // line 3
        b.ret()
        VerifierExpectations.expect(b.function, "arg 1 (v1) has type i64, expected i32", instruction: "v2 = iadd v0, v1",
                                    line: 3)
    }

    @Test func extendThatDoesNotWiden() {
        var b = TestFunctionBuilder(params: [.i32])
        let x = b.block(0, .i32)[0]
        _ = b.add(.uextend, .i16, [x], results: [.i16])      // line 3
        b.ret()
        VerifierExpectations.expect(b.function, "arg 0 (v0) has type i32, expected i8, i16, i32, i64 or i128, narrower than i16",
                                    instruction: "v1 = uextend.i16 v0", line: 3)
    }

    @Test func resultOfTheWrongTypeAndCount() {
        var b = TestFunctionBuilder(params: [.i32])
        let x = b.block(0, .i32)[0]
        _ = b.add(.icmp, .i32, [x, x], results: [.i32]) { $0.intCC = .eq }          // line 3
        _ = b.add(.iadd, .i32, [x, x], results: [.i32, .i32])                      // line 4
        b.ret()
        VerifierExpectations.expect(b.function, "result 0 (v1) has type i32, expected i8", instruction: "v1 = icmp eq v0, v0",
                                    line: 3)
        VerifierExpectations.expect(b.function, "has 2 result values, expected 1", instruction: "v2, v3 = iadd v0, v0",
                                    line: 4)
    }

    @Test func integerConstantOutOfBounds() {
        // Cranelift stores an iconst zero-extended from its width; so does Egret's parser.
        var b = TestFunctionBuilder()
        b.block(0)
        _ = b.iconst(.i8, 255)
        _ = b.iconst(.i8, -1)                                // line 4
        _ = b.iconst(.i16, 0x1_0000)                         // line 5
        _ = b.iconst(.i32, 0xffff_ffff)
        _ = b.iconst(.i64, -1)
        b.ret()
        VerifierExpectations.expect(b.function, "constant immediate -1 is out of bounds for i8", instruction: "v1 = iconst.i8 -1",
                                    line: 4)
        VerifierExpectations.expect(b.function, "constant immediate 65536 is out of bounds for i16",
                                    instruction: "v2 = iconst.i16 65536", line: 5)
        #expect(VerifierExpectations.problems(b.function).count == 2)
    }

    @Test func laneIndexOutOfRange() {
        var b = TestFunctionBuilder(params: [Self.i32x4])
        let vector = b.block(0, Self.i32x4)[0]
        let lane = b.add(.extractlane, Self.i32x4, [vector], results: [.i32]) { $0.immediate = 4 }[0]      // line 3
        _ = b.add(.insertlane, Self.i32x4, [vector, lane], results: [Self.i32x4]) { $0.immediate = 7 }   // line 4
        b.ret()
        VerifierExpectations.expect(b.function, "the lane 4 does not index into the type i32x4",
                                    instruction: "v1 = extractlane v0, 4", line: 3)
        VerifierExpectations.expect(b.function, "the lane 7 does not index into the type i32x4",
                                    instruction: "v2 = insertlane v0, v1, 7", line: 4)
    }

    @Test func shuffleMaskOutOfRange() {
        var b = TestFunctionBuilder(params: [Self.i8x16, Self.i8x16])
        b.function.constants.append(Array(0 ..< 15) + [32])
        b.function.constants.append(Array(0 ..< 8))
        let params = b.block(0, Self.i8x16, Self.i8x16)
        _ = b.add(.shuffle, Self.i8x16, params, results: [Self.i8x16]) { $0.entity = 0 }     // line 3
        _ = b.add(.shuffle, Self.i8x16, params, results: [Self.i8x16]) { $0.entity = 1 }     // line 4
        b.ret()
        VerifierExpectations.expect(b.function, "shuffle immediate index 32 is larger than the maximum 31",
                                    instruction: "v2 = shuffle v0, v1, const0", line: 3)
        VerifierExpectations.expect(b.function, "the shuffle immediate const1 is 8 bytes long, not 16",
                                    instruction: "v3 = shuffle v0, v1, const1", line: 4)
    }

    @Test func vectorConstantOfTheWrongSize() {
        // Cranelift's constant.clif.
        var b = TestFunctionBuilder()
        b.function.constants.append([1, 2, 3, 4, 5])
        b.block(0)
        _ = b.add(.vconst, Self.i32x4, results: [Self.i32x4]) { $0.entity = 0 }
        b.ret()
        VerifierExpectations.expect(b.function, "expects const0 to have a size of 16 bytes but it has 5",
                                    instruction: "v0 = vconst.i32x4 const0", line: 3)
    }

    @Test func bitcastRules() {
        // Cranelift's bitcast.clif.
        var b = TestFunctionBuilder(params: [.i32, Self.i32x4])
        let params = b.block(0, .i32, Self.i32x4)
        _ = b.add(.bitcast, .i64, [params[0]], results: [.i64])                               // line 3
        _ = b.add(.bitcast, .f32, [params[0]], results: [.f32]) { $0.flags.trapCode = nil }    // line 4
        _ = b.add(.bitcast, Self.i64x2, [params[1]], results: [Self.i64x2])                   // line 5
        _ = b.add(.bitcast, Self.i64x2, [params[1]], results: [Self.i64x2]) { $0.flags.endianness = .big }
        b.ret()
        VerifierExpectations.expect(b.function, "the bitcast argument v0 has a type of 32 bits, which doesn't match an expected type of 64 bits",
                                    instruction: "v2 = bitcast.i64 v0", line: 3)
        VerifierExpectations.expect(b.function, "only accepts the `big` or `little` memory flags",
                                    instruction: "v3 = bitcast.f32 notrap v0", line: 4)
        VerifierExpectations.expect(b.function, "byte order specifier (`big` or `little`) required",
                                    instruction: "v4 = bitcast.i64x2 v1", line: 5)
        #expect(VerifierExpectations.problems(b.function).count == 3)
    }

    @Test func readonlyStore() {
        var b = TestFunctionBuilder(params: [.i64])
        let address = b.block(0, .i64)[0]
        b.add(.store, .i64, [address, address]) { $0.flags.readonly = true }
        b.ret()
        VerifierExpectations.expect(b.function, "a store instruction cannot have the `readonly` memory flag",
                                    instruction: "store readonly v0, v0", line: 3)
    }

    @Test func addressThatIsNotPointerSized() {
        var b = TestFunctionBuilder(params: [.i32])
        let address = b.block(0, .i32)[0]
        _ = b.add(.load, .i8, [address], results: [.i8]) { $0.offset = 16 }
        b.ret()
        VerifierExpectations.expect(b.function, "invalid pointer width (got 32, expected 64) encountered v0",
                                    instruction: "v1 = load.i8 v0+16", line: 3)
    }

    @Test func globalValueOfTheWrongType() {
        var b = TestFunctionBuilder()
        b.function.globalValues.append(.symbol(name: .testCase("sym"), offset: 0, colocated: false, threadLocal: false))
        b.block(0)
        _ = b.add(.symbol_value, .i32, results: [.i32]) { $0.entity = 0 }
        b.ret()
        VerifierExpectations.expect(b.function, "global_value instruction with type i32 references global value with type i64",
                                    instruction: "v0 = symbol_value.i32 gv0", line: 3)
    }

    @Test func floatConstantBitsWiderThanTheType() {
        var b = TestFunctionBuilder()
        b.block(0)
        _ = b.add(.f32const, .invalid, results: [.f32]) { $0.immediate = 0x1_0000_0000 }
        b.ret()
        VerifierExpectations.expect(b.function, "bit pattern 0x100000000 is wider than 32 bits",
                                    instruction: "v0 = f32const 0x100000000", line: 3)
    }

    @Test func signatureRules() {
        // Cranelift's argument-extension.clif and preserve-all-abi.clif.
        var b = TestFunctionBuilder(returns: [.i8], callConv: .preserveAll)
        b.function.signature.params = [AbiParam(.f32, extension_: .sext)]
        b.function.signatures.append(Signature(params: [AbiParam(.invalid)], returns: []))
        b.block(0, .f32)
        let zero = b.iconst(.i8, 0)
        b.ret(zero)
        _ = VerifierExpectations.problem(b.function, containing: "the function's signature: parameter 0 has invalid extension `sext`")
        _ = VerifierExpectations.problem(b.function, containing: "the function's signature: a signature with the `preserve_all` ABI cannot have return values")
        _ = VerifierExpectations.problem(b.function, containing: "sig0: parameter 0 has an invalid type")
    }

    @Test func globalValueCycleAndUndeclaredVMContext() {
        // Cranelift's memory.clif and undeclared_vmctx.clif.
        var b = TestFunctionBuilder()
        b.function.globalValues = [
            .load(base: GlobalValue(1), offset: 0, type: .i64, flags: .trusted),
            .load(base: GlobalValue(0), offset: -32, type: .i64, flags: .trusted),
            .vmContext,
        ]
        b.block(0)
        b.ret()
        _ = VerifierExpectations.problem(b.function, containing: "global value cycle: [gv0, gv1]")
        _ = VerifierExpectations.problem(b.function, containing: "undeclared vmctx reference gv2")
    }
}
