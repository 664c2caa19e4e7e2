import Testing
@testable import EgretIR

/// Block arguments, calls, returns, tail calls and `try_call`: one test per kind of
/// error (most after Cranelift's type_check.clif, return-call.clif, exceptions.clif).
struct VerifierControlFlowTests {
    @Test func jumpWithTheWrongArguments() {
        var b = TestFunctionBuilder()
        b.block(0)
        let narrow = b.iconst(.i16, 10)
        let wide = b.iconst(.i64, 20)
        b.jump(1, [narrow, wide])                            // line 5
        b.block(1, .i64, .i16)
        b.ret()
        let problems = VerifierExpectations.problems(b.function)
        #expect(problems.map(\.message) == [
            "`jump block1(v0, v1)`: arg v0 has type i16, expected i64 (the type of block1's parameter v2)",
            "`jump block1(v0, v1)`: arg v1 has type i64, expected i16 (the type of block1's parameter v3)",
        ])
        #expect(problems.allSatisfy { $0.location == EgretIR.SourceLocation(line: 5, column: 5) })
    }

    @Test func brifWithTooFewArguments() {
        var b = TestFunctionBuilder()
        b.block(0)
        let x = b.iconst(.i16, 10)
        b.brif(x, 1, [x], 2, [x])                            // line 4
        b.block(1, .i16)
        b.ret()
        b.block(2, .f32, .i8)
        b.ret()
        VerifierExpectations.expect(b.function, "mismatched argument count for block2: got 1, expected 2",
                                    instruction: "brif v0, block1(v0), block2(v0)", line: 4)
    }

    @Test func branchTableEntryWithArgumentsMissing() {
        var b = TestFunctionBuilder()
        b.block(0)
        let index = b.iconst(.i32, 0)
        b.add(.br_table, .invalid, [index], targets: [(2, []), (1, [])])    // line 4
        b.block(1, .i32)
        b.ret()
        b.block(2)
        b.ret()
        VerifierExpectations.expect(b.function, "mismatched argument count for block1: got 0, expected 1",
                                    instruction: "br_table v0, block2, [block1]", line: 4)
    }

    @Test func returnThatDoesNotMatchTheSignature() {
        var b = TestFunctionBuilder(returns: [.f32])
        b.block(0)
        let one = b.iconst(.i32, 1)
        b.ret(one)                                           // line 4
        VerifierExpectations.expect(b.function, "result 0 (v0) has type i32, must match function signature of f32",
                                    instruction: "return v0", line: 4)

        var count = TestFunctionBuilder(returns: [.f32, .i64])
        count.block(0)
        count.ret()
        VerifierExpectations.expect(count.function, "arguments of return must match function signature: got 0 values, the function returns 2",
                                    instruction: "return", line: 3)
    }

    @Test func callWithTheWrongArgumentsAndResults() {
        var b = TestFunctionBuilder(params: [.i64])
        let sig = b.signature([.i32, .f32], [.i32])
        let callee = b.functionReference("great_fn", sig)
        let x = b.block(0, .i64)[0]
        b.add(.call, .invalid, [], results: [.i32]) { $0.entity = callee.index }              // line 3
        b.add(.call, .invalid, [x, x], results: []) { $0.entity = callee.index }              // line 4
        b.ret()
        VerifierExpectations.expect(b.function, "mismatched argument count: got 0, expected 2",
                                    instruction: "v1 = call fn0()", line: 3)
        VerifierExpectations.expect(b.function, "arg 0 (v0) has type i64, expected i32", instruction: "call fn0(v0, v0)",
                                    line: 4)
        VerifierExpectations.expect(b.function, "has 0 result values, but the callee's signature (i32, f32) -> i32 returns 1",
                                    instruction: "call fn0(v0, v0)", line: 4)
    }

    @Test func indirectCallWithAnArgumentOfTheWrongType() {
        var b = TestFunctionBuilder(params: [.i64])
        let sig = b.signature([.f32], [])
        let address = b.block(0, .i64)[0]
        let value = b.iconst(.i32, 56)
        b.add(.call_indirect, .invalid, [address, value]) { $0.entity = sig.index }      // line 4
        b.ret()
        VerifierExpectations.expect(b.function, "arg 0 (v1) has type i32, expected f32",
                                    instruction: "call_indirect sig0, v0(v1)", line: 4)
    }

    @Test func tailCallRules() {
        // return-call.clif, test_2 / test_3 / test_5 / test_7.
        func tailCall(caller: CallConv, callee: CallConv, callerReturns: [IRType], calleeReturns: [IRType]) -> Function {
            var b = TestFunctionBuilder(params: [.i32], returns: callerReturns, callConv: caller)
            let sig = b.signature([.i32], calleeReturns, callee)
            let reference = b.functionReference("wow", sig)
            let x = b.block(0, .i32)[0]
            b.add(.return_call, .invalid, [x]) { $0.entity = reference.index }
            return b.function
        }
        VerifierExpectations.expectValid(tailCall(caller: .tail, callee: .tail, callerReturns: [.i32], calleeReturns: [.i32]))
        VerifierExpectations.expect(tailCall(caller: .fast, callee: .tail, callerReturns: [.i32], calleeReturns: [.i32]),
                                    "callee's calling convention (`tail`) must match caller's (`fast`)",
                                    instruction: "return_call fn0(v0)", line: 3)
        let notTail = tailCall(caller: .tail, callee: .fast, callerReturns: [.i32], calleeReturns: [.i32])
        VerifierExpectations.expect(notTail, "calling convention `fast` does not support tail calls",
                                    instruction: "return_call fn0(v0)", line: 3)
        VerifierExpectations.expect(tailCall(caller: .tail, callee: .tail, callerReturns: [], calleeReturns: [.i32]),
                                    "results of callee must match caller", instruction: "return_call fn0(v0)", line: 3)
        VerifierExpectations.expect(tailCall(caller: .tail, callee: .tail, callerReturns: [.i32], calleeReturns: [.i64]),
                                    "result 0 has type i64, must match function signature of i32",
                                    instruction: "return_call fn0(v0)", line: 3)
    }

    /// `try_call fn0(v0), sig0, block1(<normal>), [tag1: block2(<handler>)]` with the
    /// callee returning `returns` under `callConv`.
    static func tryCall(normal: [BlockArg], normalParams: [IRType], handler: [BlockArg], handlerParams: [IRType],
                        returns: [IRType] = [.i32], callConv: CallConv = .tail,
                        calleeSignature: Signature? = nil) -> Function {
        var b = TestFunctionBuilder(params: [.i32])
        let sig = b.signature([.i32], returns, callConv)
        var calleeSig = sig
        if let calleeSignature {
            b.function.signatures.append(calleeSignature)
            calleeSig = SigRef(b.function.signatures.count - 1)
        }
        let callee = b.functionReference("g", calleeSig)
        b.function.exceptionTables.append(ExceptionTableData(signature: sig, handlerTags: [.tag(1)]))
        let x = b.block(0, .i32)[0]
        b.add(.try_call, .invalid, [x], targets: [(1, normal), (2, handler)]) {   // line 3
            $0.entity = 0
            $0.immediate = Int64(callee.index)
        }
        b.block(1, types: normalParams)
        b.ret()
        b.block(2, types: handlerParams)
        b.ret()
        return b.function
    }

    @Test func tryCallBlockArguments() {
        VerifierExpectations.expectValid(Self.tryCall(normal: [.tryCallReturn(0)], normalParams: [.i32],
                                                      handler: [.tryCallException(0), .tryCallException(1)],
                                                      handlerParams: [.i64, .i64]))
        let wrongReturnType = Self.tryCall(normal: [.tryCallReturn(0)], normalParams: [.f32], handler: [], handlerParams: [])
        VerifierExpectations.expect(wrongReturnType, "arg ret0 has type i32, expected f32",
                                    instruction: "try_call fn0(v0), sig0, block1(ret0), [tag1: block2]", line: 3)
        let payloadType = Self.tryCall(normal: [], normalParams: [], handler: [.tryCallException(0)], handlerParams: [.i32])
        VerifierExpectations.expect(payloadType, "arg exn0 has type i64, expected i32",
                                    instruction: "try_call fn0(v0), sig0, block1, [tag1: block2(exn0)]", line: 3)
        let outOfBounds = Self.tryCall(normal: [], normalParams: [], handler: [.tryCallException(2)], handlerParams: [.i64])
        VerifierExpectations.expect(outOfBounds, "out-of-bounds `exn2` block argument",
                                    instruction: "try_call fn0(v0), sig0, block1, [tag1: block2(exn2)]", line: 3)
        let exceptionOnNormal = Self.tryCall(normal: [.tryCallException(0)], normalParams: [.i64], handler: [],
                                             handlerParams: [])
        VerifierExpectations.expect(exceptionOnNormal, "`exn0` block argument used outside the exception handlers",
                                    instruction: "try_call fn0(v0), sig0, block1(exn0), [tag1: block2]", line: 3)
        let returnOnHandler = Self.tryCall(normal: [], normalParams: [], handler: [.tryCallReturn(0)],
                                           handlerParams: [.i32])
        VerifierExpectations.expect(returnOnHandler, "`ret0` block argument used outside the normal-return target",
                                    instruction: "try_call fn0(v0), sig0, block1, [tag1: block2(ret0)]", line: 3)
        let returnOutOfBounds = Self.tryCall(normal: [.tryCallReturn(1)], normalParams: [.i32], handler: [],
                                             handlerParams: [])
        VerifierExpectations.expect(returnOutOfBounds, "out-of-bounds `ret1` block argument",
                                    instruction: "try_call fn0(v0), sig0, block1(ret1), [tag1: block2]", line: 3)
    }

    @Test func tryCallSignatureAndConvention() {
        let mismatch = Self.tryCall(normal: [], normalParams: [], handler: [], handlerParams: [],
                                    calleeSignature: Signature(params: [AbiParam(.i64)], returns: [AbiParam(.i32)],
                                                               callConv: .tail))
        VerifierExpectations.expect(mismatch, "exception table signature sig0 did not match function fn0's signature sig1",
                                    instruction: "try_call fn0(v0), sig0, block1, [tag1: block2]", line: 3)
        let windows = Self.tryCall(normal: [], normalParams: [], handler: [], handlerParams: [], callConv: .windowsFastcall)
        VerifierExpectations.expect(windows, "calling convention `windows_fastcall` of callee does not support exceptions",
                                    instruction: "try_call fn0(v0), sig0, block1, [tag1: block2]", line: 3)
    }

    @Test func exceptionHandlerIndex() {
        var b = TestFunctionBuilder(returns: [.i64])
        let sig = b.signature([], [], .tail)
        let callee = b.functionReference("g", sig)
        b.function.exceptionTables.append(ExceptionTableData(signature: sig, handlerTags: [.catchAll]))
        b.block(0)
        let address = b.add(.get_exception_handler_address, .i64, results: [.i64]) { $0.entity = 1; $0.immediate = 1 }[0]
        _ = b.add(.get_exception_handler_address, .i64, results: [.i64]) { $0.entity = 1; $0.immediate = -1 }  // line 4
        b.jump(1)
        b.block(1)
        b.add(.try_call, .invalid, targets: [(2, []), (3, [])]) { $0.entity = 0; $0.immediate = Int64(callee.index) }
        b.block(2)
        b.ret(address)
        b.block(3)
        b.ret(address)
        VerifierExpectations.expect(b.function, "exception handler index 1 is out-of-range",
                                    instruction: "v0 = get_exception_handler_address.i64 block1, 1", line: 3)
        VerifierExpectations.expect(b.function, "exception handler index -1 cannot be negative",
                                    instruction: "v1 = get_exception_handler_address.i64 block1, -1", line: 4)
    }
}
