import Testing
@testable import EgretIR

/// Type constraints of the opcode table, and the immediates and flags the table cannot
/// express: one test per kind of error (many after Cranelift's verifier tests
/// type_check.clif, bitcast.clif, simd-lane-index.clif, constant.clif).
struct VerifierTypeTests {
    static let i8x16 = IRType(lane: .i8, laneCountLog2: 4)

    @Test func controllingTypeOutsideTheOpcodesSet() {
        // The parser refuses to infer such a type; code can still build it.
        var b = TestFunctionBuilder(params: [.f32], returns: [.f32])
        let x = b.block(0, .f32)[0]
        let sum = b.binary(.iadd, x, x)                      // line 3
        b.ret(sum)
        VerifierExpectations.expect(b.function, "has an invalid controlling type f32 (allowed: i8, i16, i32, i64 or i128, or a vector of such lanes)",
                                    instruction: "v1 = iadd v0, v0", line: 3)
    }

    @Test func polymorphicInstructionWithoutControllingType() {
        // The parser always records the controlling type; code building functions must too.
        var b = TestFunctionBuilder(params: [.i32], returns: [.i32])
        let x = b.block(0, .i32)[0]
        let sum = b.add(.iadd, .invalid, [x, x], results: [.i32])[0]
        b.ret(sum)
        VerifierExpectations.expect(b.function, "has no controlling type", instruction: "v1 = iadd v0, v0", line: 3)
    }

    @Test func operandOfTheWrongType() {
        VerifierText.expect("""
            function %type_mismatch_controlling_variable() {
            block0:
                v0 = iconst.i32 5
                v1 = iconst.i64 6
                v2 = iadd v0, v1
                return
            }
            """, "arg 1 (v1) has type i64, expected i32", instruction: "v2 = iadd v0, v1", line: 5)
    }

    @Test func extendThatDoesNotWiden() {
        VerifierText.expect("""
            function %bad_extend(i128) {
            block0(v0: i128):
                v1 = iconst.i32 10
                v2 = uextend.i16 v1
                return
            }
            """, "arg 0 (v1) has type i32, expected i8, i16, i32, i64 or i128, narrower than i16",
            instruction: "v2 = uextend.i16 v1", line: 4)
    }

    @Test func reduceThatDoesNotNarrow() {
        VerifierText.expect("""
            function %bad_reduce() {
            block0:
                v0 = iconst.i8 10
                v1 = ireduce.i64 v0
                return
            }
            """, "arg 0 (v0) has type i8, expected i8, i16, i32, i64 or i128, wider than i64",
            instruction: "v1 = ireduce.i64 v0", line: 4)
    }

    @Test func resultOfTheWrongType() {
        // The parser gives results their inferred types; code can give them others.
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
        // Cranelift stores an iconst zero-extended from its width, and so does Egret's
        // parser (`iconst.i8 -1` is 255); code must store it that way too.
        VerifierText.expectValid("""
            function %f() {
            block0:
                v0 = iconst.i8 -1
                v1 = iconst.i8 255
                v2 = iconst.i32 0xffff_ffff
                v3 = iconst.i64 -1
                return
            }
            """)
        var b = TestFunctionBuilder()
        b.block(0)
        _ = b.iconst(.i8, 255)
        _ = b.iconst(.i8, -1)                                // line 4
        _ = b.iconst(.i16, 0x1_0000)                         // line 5
        _ = b.iconst(.i64, -1)
        b.ret()
        VerifierExpectations.expect(b.function, "constant immediate -1 is out of bounds for i8", instruction: "v1 = iconst.i8 -1",
                                    line: 4)
        VerifierExpectations.expect(b.function, "constant immediate 65536 is out of bounds for i16",
                                    instruction: "v2 = iconst.i16 65536", line: 5)
        #expect(VerifierExpectations.problems(b.function).count == 2)
    }

    @Test func laneIndexOutOfRange() {
        let text = """
            function %lanes(i32x4) {
            block0(v0: i32x4):
                v1 = extractlane v0, 4
                v2 = iconst.i32 42
                v3 = insertlane v0, v2, 7
                return
            }
            """
        VerifierText.expect(text, "the lane 4 does not index into the type i32x4", instruction: "v1 = extractlane v0, 4",
                            line: 3)
        VerifierText.expect(text, "the lane 7 does not index into the type i32x4",
                            instruction: "v3 = insertlane v0, v2, 7", line: 5)
    }

    @Test func shuffleMaskOutOfRange() {
        VerifierText.expect("""
            function %bad_shuffle(i8x16, i8x16) {
            block0(v0: i8x16, v1: i8x16):
                v2 = shuffle v0, v1, [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 32]
                return
            }
            """, "shuffle immediate index 32 is larger than the maximum 31", instruction: "v2 = shuffle v0, v1, const0",
            line: 3)
        var b = TestFunctionBuilder(params: [Self.i8x16, Self.i8x16])
        b.function.constants.append(Array(0 ..< 8))
        let params = b.block(0, Self.i8x16, Self.i8x16)
        _ = b.add(.shuffle, Self.i8x16, params, results: [Self.i8x16]) { $0.entity = 0 }
        b.ret()
        VerifierExpectations.expect(b.function, "the shuffle immediate const0 is 8 bytes long, not 16",
                                    instruction: "v2 = shuffle v0, v1, const0", line: 3)
    }

    @Test func vectorConstantOfTheWrongSize() {
        VerifierText.expect("""
            function %incorrect_constant_size() {
                const13 = 0x0102030405
            block0:
                v0 = vconst.i32x4 const13
                return
            }
            """, "expects const13 to have a size of 16 bytes but it has 5", instruction: "v0 = vconst.i32x4 const13",
            line: 4)
    }

    @Test func bitcastRules() {
        let text = """
            function %bitcasts(i32, i32x4) {
            block0(v0: i32, v1: i32x4):
                v2 = bitcast.i64 v0
                v3 = bitcast.f32 notrap v0
                v4 = bitcast.i64x2 v1
                v5 = bitcast.i64x2 big v1
                v6 = bitcast.f32 little v0
                return
            }
            """
        VerifierText.expect(text, "the bitcast argument v0 has a type of 32 bits, which doesn't match an expected type of 64 bits",
                            instruction: "v2 = bitcast.i64 v0", line: 3)
        VerifierText.expect(text, "only accepts the `big` or `little` memory flags",
                            instruction: "v3 = bitcast.f32 notrap v0", line: 4)
        VerifierText.expect(text, "byte order specifier (`big` or `little`) required", instruction: "v4 = bitcast.i64x2 v1",
                            line: 5)
        #expect(VerifierText.problems(text).count == 3)
    }

    @Test func readonlyStore() {
        VerifierText.expect("""
            function %ro_store() {
            block0:
                v0 = iconst.i64 0
                v1 = iconst.i64 0
                store.i64 readonly v0, v1
                return
            }
            """, "a store instruction cannot have the `readonly` memory flag", instruction: "store readonly v0, v1", line: 5)
    }

    @Test func addressThatIsNotPointerSized() {
        VerifierText.expect("""
            function %narrow_address(i32) -> i8 {
            block0(v0: i32):
                v1 = load.i8 v0+16
                return v1
            }
            """, "invalid pointer width (got 32, expected 64) encountered v0", instruction: "v1 = load.i8 v0+16", line: 3)
    }

    @Test func globalValueOfTheWrongType() {
        VerifierText.expect("""
            function %symbol_value_wrong_type() {
                gv0 = symbol %sym
            block0:
                v1 = symbol_value.i32 gv0
                return
            }
            """, "global_value instruction with type i32 references global value with type i64",
            instruction: "v1 = symbol_value.i32 gv0", line: 4)
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
        // Cranelift's argument-extension.clif and preserve-all-abi.clif; declarations have
        // no location of their own, so problems sit at the function's header.
        VerifierText.expect("""
            function %float_with_sext(f32 sext) -> f32 {
            block0(v0: f32):
                return v0
            }
            """, "function %float_with_sext: the function's signature: parameter 0 has invalid extension `sext`", line: 1)
        VerifierText.expect("""
            function %f1(i64) {
                sig0 = () -> i8 preserve_all
            block0(v0: i64):
                v1 = call_indirect sig0, v0()
                return
            }
            """, "sig0: a signature with the `preserve_all` ABI cannot have return values", line: 1)
    }

    @Test func globalValueCycleAndUndeclaredVMContext() {
        // Cranelift's memory.clif and undeclared_vmctx.clif.
        VerifierText.expect("""
            function %cycle() {
                gv0 = load.i32 notrap aligned gv1
                gv1 = load.i32 notrap aligned gv0-32
            block1:
                return
            }
            """, "global value cycle: [gv0, gv1]", line: 1)
        VerifierText.expect("""
            function %vmglobal_err(i64) -> i64 {
                gv4 = vmctx
            block0(v0: i64):
                return v0
            }
            """, "undeclared vmctx reference gv4", line: 1)
        VerifierText.expectValid("""
            function %vmglobal_ok(i64 vmctx) -> i64 {
                gv4 = vmctx
                gv5 = load.i64 notrap aligned readonly gv4+8
            block0(v0: i64):
                return v0
            }
            """)
    }

    @Test func instructionsThatNeedASetting() {
        let body = """
            function %fp() -> i64 {
            block0:
                v0 = get_frame_pointer.i64
                return v0
            }
            """
        VerifierText.expect("target x86_64\n" + body,
                            "get_frame_pointer cannot be used without `set preserve_frame_pointers=true`",
                            instruction: "v0 = get_frame_pointer.i64", line: 4)
        VerifierText.expectValid("set preserve_frame_pointers=true\ntarget x86_64\n" + body)
    }
}
