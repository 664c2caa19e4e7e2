import Testing
@testable import EgretIR

/// Module-level checks: run directives against the signatures of the functions they
/// call, and callees a run directive needs that the file does not define.
struct VerifierModuleTests {
    /// `function %add(i32, i32) -> i32` (and, with `callee`, a caller `%twice` that calls
    /// it by that name).
    static func module(callee: String = "add", declaredParams: [IRType] = [.i32, .i32]) -> Module {
        var add = TestFunctionBuilder("add", params: [.i32, .i32], returns: [.i32])
        let params = add.block(0, .i32, .i32)
        add.ret(add.binary(.iadd, params[0], params[1]))

        var twice = TestFunctionBuilder("twice", params: [.i32], returns: [.i32])
        let sig = twice.signature(declaredParams, [.i32])
        let reference = twice.functionReference(callee, sig)
        let x = twice.block(0, .i32)[0]
        let arguments = declaredParams.map { _ in x }
        let sum = twice.add(.call, .invalid, arguments, results: [.i32]) { $0.entity = reference.index }[0]
        twice.ret(sum)
        twice.function.location = EgretIR.SourceLocation(line: 20, column: 1)

        var module = Module()
        module.fileName = "test.clif"
        module.functions = [add.function, twice.function]
        return module
    }

    static func directive(_ function: String, index: Int, _ arguments: [DataValue], _ expectation: RunDirective.Expectation,
                          line: Int) -> RunDirective {
        RunDirective(function: .testCase(function), functionIndex: index, arguments: arguments, expectation: expectation,
                     location: EgretIR.SourceLocation(line: line, column: 3), text: "%\(function)(…)")
    }

    @Test func wellFormedModuleVerifiesClean() {
        var module = Self.module()
        module.runDirectives = [
            Self.directive("add", index: 0, [.int(1, .i32), .int(2, .i32)], .values(.equal, [.int(3, .i32)]), line: 10),
            Self.directive("twice", index: 1, [.int(1, .i32)], .values(.notEqual, [.int(3, .i32)]), line: 30),
            Self.directive("twice", index: 1, [.int(1, .i32)], .trap(.integerOverflow), line: 31),
        ]
        #expect(IRVerifier.verify(module).isEmpty)
    }

    @Test func directiveWithTheWrongArguments() {
        var module = Self.module()
        module.runDirectives = [
            Self.directive("add", index: 0, [.int(1, .i32)], .values(.equal, [.int(3, .i32)]), line: 10),
            Self.directive("add", index: 0, [.int(1, .i32), .int(2, .i64)], .none, line: 11),
        ]
        let problems = IRVerifier.verify(module)
        #expect(problems.map(\.message) == [
            "run directive `%add(…)` passes 1 arguments, but %add takes 2",
            "run directive `%add(…)`: argument 1 has type i64, but %add takes i32",
        ])
        #expect(problems.map(\.location.line) == [10, 11])
        #expect(problems.allSatisfy { $0.file == "test.clif" })
    }

    @Test func directiveExpectingTheWrongResults() {
        var module = Self.module()
        module.runDirectives = [
            Self.directive("add", index: 0, [.int(1, .i32), .int(2, .i32)],
                           .values(.equal, [.int(3, .i32), .int(4, .i32)]), line: 10),
            Self.directive("add", index: 0, [.int(1, .i32), .int(2, .i32)], .values(.equal, [.f32(3)]), line: 11),
        ]
        #expect(IRVerifier.verify(module).map(\.message) == [
            "run directive `%add(…)` expects 2 values, but %add returns 1",
            "run directive `%add(…)`: expected value 0 has type f32, but %add returns i32",
        ])
    }

    @Test func directiveCallingAFunctionThatDoesNotExist() {
        var module = Self.module()
        module.runDirectives = [Self.directive("nope", index: 7, [], .none, line: 12)]
        #expect(IRVerifier.verify(module).map(\.message) == [
            "run directive `%nope(…)` calls %nope, which is not defined in this file",
        ])
    }

    @Test func calleeNotDefinedInTheModule() {
        var module = Self.module(callee: "missing")
        module.runDirectives = [Self.directive("twice", index: 1, [.int(1, .i32)], .none, line: 30)]
        let problems = IRVerifier.verify(module)
        #expect(problems.map(\.message) == [
            "function %twice calls %missing (as fn0), which is not defined in this file; the run directive at line 30 needs it",
        ])
        #expect(problems.first?.location.line == 20)
        // Without a run directive needing it, an external callee is fine.
        module.runDirectives = []
        #expect(IRVerifier.verify(module).isEmpty)
        // Cranelift libcalls are provided by the runtime.
        var libcall = Self.module(callee: "CeilF32")
        libcall.runDirectives = [Self.directive("twice", index: 1, [.int(1, .i32)], .none, line: 30)]
        #expect(IRVerifier.verify(libcall).isEmpty)
    }

    @Test func calleeDeclaredWithAnotherSignature() {
        var module = Self.module(declaredParams: [.i32])
        module.runDirectives = [Self.directive("twice", index: 1, [.int(1, .i32)], .none, line: 30)]
        #expect(IRVerifier.verify(module).map(\.message) == [
            "function %twice declares fn0 = %add with signature (i32) -> i32, but %add is defined with (i32, i32) -> i32",
        ])
    }

    @Test func functionProblemsCarryTheModulesFileName() {
        var module = Self.module()
        module.fileName = "calls.clif"
        module.functions[0].signature.returns = [AbiParam(.i64)]
        let problems = IRVerifier.verify(module)
        #expect(problems.count == 1)
        #expect(problems.first?.file == "calls.clif")
        #expect(problems.first?.message.hasPrefix("`return v2`: result 0 (v2) has type i32") == true)
    }

    @Test func problemsComeInSourceOrder() throws {
        let module = try CLIFParser.parse("""
            function %second_problem_first(i32) -> i64 {
            block0(v0: i32):
                jump block1
            block1:
                v1 = iadd v0, v2
                v2 = iconst.i32 1
                return v0
            }
            function %other() {
            block0:
                v0 = iconst.i8 1
                return v0
            }
            """, fileName: "order.clif")
        let problems = IRVerifier.verify(module)
        #expect(problems.map(\.location.line) == [5, 7, 12])
        #expect(problems.allSatisfy { $0.file == "order.clif" })
    }

    @Test func pointerWidthFollowsTheTargets() throws {
        let body = """
            function %addr32_64(i64) -> i64 {
                ss0 = explicit_slot 16
            block0(v0: i64):
                v1 = stack_addr.i32 ss0+8
                v2 = stack_addr.i64 ss0+8
                store.i64 v0, v1
                v3 = load.i64 v2
                return v3
            }
            """
        // x86-64 (or no target): addresses are i64.
        let x64 = try CLIFParser.parse("test run\ntarget x86_64\n" + body, fileName: "x64.clif")
        #expect(IRVerifier.verify(x64).map(\.message) == [
            "`store v0, v1`: invalid pointer width (got 32, expected 64) encountered v1",
        ])
        // A 32-bit target checks i32 addresses...
        let pulley = try CLIFParser.parse("test verifier\ntarget pulley32\n" + body, fileName: "p.clif")
        #expect(IRVerifier.verify(pulley).map(\.message) == [
            "`v3 = load.i64 v2`: invalid pointer width (got 64, expected 32) encountered v2",
        ])
        // ...unless the file is only interpreted, which Cranelift does without an ISA.
        let interpreted = try CLIFParser.parse("test interpret\ntarget pulley32\n" + body, fileName: "i.clif")
        #expect(IRVerifier.verify(interpreted).isEmpty)
    }
}
