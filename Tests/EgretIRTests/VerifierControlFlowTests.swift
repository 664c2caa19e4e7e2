import Testing
@testable import EgretIR

/// Block arguments, calls, returns, tail calls and `try_call`: one test per kind of
/// error (after Cranelift's type_check.clif, return-call.clif and exceptions.clif).
struct VerifierControlFlowTests {
    @Test func jumpWithArgumentsOfTheWrongTypes() {
        let problems = VerifierText.problems("""
            function %jump_args() {
            block0:
                v0 = iconst.i16 10
                v3 = iconst.i64 20
                jump block1(v0, v3)
            block1(v10: i64, v11: i16):
                return
            }
            """)
        #expect(problems.map(\.message) == [
            "`jump block1(v0, v3)`: arg v0 has type i16, expected i64 (the type of block1's parameter v10)",
            "`jump block1(v0, v3)`: arg v3 has type i64, expected i16 (the type of block1's parameter v11)",
        ])
        #expect(problems.allSatisfy { $0.location.line == 5 })
    }

    @Test func brifWithTooFewArguments() {
        VerifierText.expect("""
            function %brif_args() {
            block0:
                v0 = iconst.i16 10
                v1 = iconst.i16 10
                brif v0, block1(v1), block2(v1)
            block1(v2: i16):
                return
            block2(v3: f32, v4: i8):
                return
            }
            """, "mismatched argument count for block2: got 1, expected 2",
            instruction: "brif v0, block1(v1), block2(v1)", line: 5)
    }

    @Test func branchTableEntryWithoutItsArgument() {
        VerifierText.expect("""
            function %jump_table_args() {
            block0:
                v0 = iconst.i32 0
                br_table v0, block2, [block1]
            block1(v5: i32):
                return
            block2:
                return
            }
            """, "mismatched argument count for block1: got 0, expected 1", instruction: "br_table v0, block2, [block1]",
            line: 4)
    }

    @Test func branchToTheEntryBlock() {
        VerifierText.expect("""
            function %back_to_entry() {
            block0:
                jump block1
            block1:
                jump block0
            }
            """, "branches to the entry block block0", instruction: "jump block0", line: 5)
    }

    @Test func returnThatDoesNotMatchTheSignature() {
        VerifierText.expect("""
            function %incorrect_return_type() -> f32 {
            block0:
                v0 = iconst.i32 1
                return v0
            }
            """, "result 0 (v0) has type i32, must match function signature of f32", instruction: "return v0", line: 4)
        VerifierText.expect("""
            function %too_few_return_values() -> f32, i64 {
            block0:
                return
            }
            """, "arguments of return must match function signature: got 0 values, the function returns 2",
            instruction: "return", line: 3)
    }

    @Test func callWithTheWrongArguments() {
        let text = """
            function %calls(i64) {
                fn2 = %great_fn(i32, f32) -> i32
            block0(v0: i64):
                v1 = call fn2()
                v2 = call fn2(v0, v0)
                return
            }
            """
        VerifierText.expect(text, "mismatched argument count: got 0, expected 2", instruction: "v1 = call fn2()", line: 4)
        VerifierText.expect(text, "arg 0 (v0) has type i64, expected i32", instruction: "v2 = call fn2(v0, v0)", line: 5)
        VerifierText.expect(text, "arg 1 (v0) has type i64, expected f32", instruction: "v2 = call fn2(v0, v0)", line: 5)
    }

    @Test func callWithTheWrongResults() {
        // The parser takes result counts from the signature; code can get them wrong.
        var b = TestFunctionBuilder(params: [.i32])
        let sig = b.signature([.i32], [.i32])
        let callee = b.functionReference("g", sig)
        let x = b.block(0, .i32)[0]
        b.add(.call, .invalid, [x], results: []) { $0.entity = callee.index }                 // line 3
        b.add(.call, .invalid, [x], results: [.i64]) { $0.entity = callee.index }             // line 4
        b.ret()
        VerifierExpectations.expect(b.function, "has 0 result values, but the callee's signature (i32) -> i32 returns 1",
                                    instruction: "call fn0(v0)", line: 3)
        VerifierExpectations.expect(b.function, "result 0 (v1) has type i64, expected i32", instruction: "v1 = call fn0(v0)",
                                    line: 4)
    }

    @Test func indirectCallWithAnArgumentOfTheWrongType() {
        VerifierText.expect("""
            function %fn_call_incorrect_arg_type(i64) {
                sig9 = (f32)
            block0(v0: i64):
                v1 = iconst.i32 56
                call_indirect sig9, v0(v1)
                return
            }
            """, "arg 0 (v1) has type i32, expected f32", instruction: "call_indirect sig9, v0(v1)", line: 5)
    }

    /// `%caller(i32) -> callerReturns callerConv` tail-calling `%wow(i32) -> calleeReturns calleeConv`.
    static func tailCall(_ callerReturns: String, _ callerConv: String, _ calleeReturns: String,
                        _ calleeConv: String) -> String {
        """
        function %caller(i32)\(callerReturns) \(callerConv) {
            fn0 = %wow(i32)\(calleeReturns) \(calleeConv)
        block0(v0: i32):
            return_call fn0(v0)
        }
        """
    }

    @Test func tailCallRules() {
        VerifierText.expectValid(Self.tailCall(" -> i32", "tail", " -> i32", "tail"))
        VerifierText.expect(Self.tailCall(" -> i32", "fast", " -> i32", "tail"),
                            "callee's calling convention (`tail`) must match caller's (`fast`)",
                            instruction: "return_call fn0(v0)", line: 4)
        VerifierText.expect(Self.tailCall(" -> i32", "system_v", " -> i32", "system_v"),
                            "calling convention `system_v` does not support tail calls",
                            instruction: "return_call fn0(v0)", line: 4)
        VerifierText.expect(Self.tailCall("", "tail", " -> i32", "tail"), "results of callee must match caller",
                            instruction: "return_call fn0(v0)", line: 4)
        VerifierText.expect(Self.tailCall(" -> i32", "tail", " -> i64", "tail"),
                            "result 0 has type i64, must match function signature of i32",
                            instruction: "return_call fn0(v0)", line: 4)
    }

    /// `try_call` to `%g(i32) -> f32 tail` passing `normal` to block1 and `handler` to
    /// block2 (tag1) and block3 (default).
    static func tryCall(normal: String, handler: String, blocks: String, callee: String = "(i32) -> f32 tail") -> String {
        """
        function %f(i32) -> i32 {
            sig0 = (i32) -> f32 tail
            fn0 = %g\(callee)
        block0(v1: i32):
            v2 = f64const 0x1.0
            try_call fn0(v1), sig0, block1(\(normal)), [ tag1: block2(\(handler)), default: block3 ]
        \(blocks)
        block3:
            v10 = iconst.i32 3
            return v10
        }
        """
    }

    static let normalBlocks = """
        block1(v3: f32, v4: f64):
            v5 = iconst.i32 1
            return v5
        block2(v6: i64):
            v7 = iconst.i32 2
            return v7
        """

    @Test func tryCallBlockArguments() {
        VerifierText.expectValid(Self.tryCall(normal: "ret0, v2", handler: "exn0", blocks: Self.normalBlocks))
        VerifierText.expect(Self.tryCall(normal: "ret0, v2", handler: "exn0", blocks: """
            block1(v3: i32, v4: f64):
                return v3
            block2(v6: i64):
                return v1
            """), "arg ret0 has type f32, expected i32",
            instruction: "try_call fn0(v1), sig0, block1(ret0, v2), [tag1: block2(exn0), default: block3]", line: 6)
        VerifierText.expect(Self.tryCall(normal: "ret0, v2", handler: "exn0", blocks: """
            block1(v3: f32, v4: f64):
                return v1
            block2(v6: i32):
                return v6
            """), "arg exn0 has type i64, expected i32",
            instruction: "try_call fn0(v1), sig0, block1(ret0, v2), [tag1: block2(exn0), default: block3]", line: 6)
        VerifierText.expect(Self.tryCall(normal: "ret0, v2", handler: "exn2", blocks: Self.normalBlocks),
                            "out-of-bounds `exn2` block argument (calling convention `tail` delivers 2 payload values)",
                            line: 6)
        VerifierText.expect(Self.tryCall(normal: "ret1, v2", handler: "exn0", blocks: Self.normalBlocks),
                            "out-of-bounds `ret1` block argument (the callee returns 1 values)", line: 6)
        VerifierText.expect(Self.tryCall(normal: "exn0, v2", handler: "exn0", blocks: """
            block1(v3: i64, v4: f64):
                return v1
            block2(v6: i64):
                return v1
            """), "`exn0` block argument used outside the exception handlers of a `try_call`", line: 6)
        VerifierText.expect(Self.tryCall(normal: "ret0, v2", handler: "ret0", blocks: """
            block1(v3: f32, v4: f64):
                return v1
            block2(v6: f32):
                return v1
            """), "`ret0` block argument used outside the normal-return target of a `try_call`", line: 6)
    }

    @Test func tryCallSignatureAndConvention() {
        VerifierText.expect(Self.tryCall(normal: "ret0, v2", handler: "exn0", blocks: Self.normalBlocks,
                                         callee: "(i64) -> f32 tail"),
                            "exception table signature sig0 did not match function fn0's signature sig1", line: 6)
        VerifierText.expect("""
            function %f5(i32) -> i32 {
                sig0 = (i32) -> f32 windows_fastcall
                fn0 = %g(i32) -> f32 windows_fastcall
            block0(v1: i32):
                try_call fn0(v1), sig0, block1(ret0), [ default: block2 ]
            block1(v3: f32):
                return v1
            block2:
                return v1
            }
            """, "calling convention `windows_fastcall` of callee does not support exceptions",
            instruction: "try_call fn0(v1), sig0, block1(ret0), [default: block2]", line: 5)
    }

    @Test func exceptionHandlerIndex() {
        let text = """
            function %f6() -> i64 {
                sig0 = () tail
                fn0 = %g() tail
            block0:
                v1 = get_exception_handler_address.i64 block1, 1
                v2 = get_exception_handler_address.i64 block1, -1
                jump block1
            block1:
                try_call fn0(), sig0, block2(), [ default: block3() ]
            block2:
                return v1
            block3:
                return v1
            }
            """
        VerifierText.expect(text, "exception handler index 1 is out-of-range",
                            instruction: "v1 = get_exception_handler_address.i64 block1, 1", line: 5)
        VerifierText.expect(text, "exception handler index -1 cannot be negative",
                            instruction: "v2 = get_exception_handler_address.i64 block1, -1", line: 6)
    }
}
