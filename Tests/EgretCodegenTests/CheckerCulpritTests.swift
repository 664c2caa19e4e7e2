import EgretIR
import EgretTestSupport
import Testing
@_spi(Testing) @testable import EgretCodegen

/// Lowering records which IR instruction each machine instruction came from, and a
/// register allocation the checker rejects is reported against that instruction and
/// its rule, not only the machine instruction.
struct CheckerCulpritTests {
    /// Arithmetic whose every rule is distinct, a branch whose arguments need an edge
    /// block, and stack parameters (System V passes the seventh and eighth integers on
    /// the stack).
    static let text = """
        function %f(i32, i64, i64, i64, i64, i64, i64, i64) -> i64 system_v {
        block0(v0: i32, v1: i64, v2: i64, v3: i64, v4: i64, v5: i64, v6: i64, v7: i64):
            v8 = iadd v0, v0
            v9 = isub v1, v7
            v10 = iconst.i64 3
            v11 = imul v9, v10
            v12 = uextend.i64 v8
            brif v0, block1(v11, v12), block2
        block1(v13: i64, v14: i64):
            v15 = bxor v13, v14
            return v15
        block2:
            v16 = iadd v6, v1
            return v16
        }
        """

    static func function() throws -> Function {
        try #require(try CLIFParser.parse(text, fileName: "culprit.clif").functions.first)
    }

    static let recording = LoweringOptions(recordRules: true, recordSources: true)

    static func compile(misallocating rule: String?) throws -> CompiledFunction {
        var options = Compiler.Options()
        options.checkAllocation = true
        options.hooks = rule.map { Misallocation(rule: $0).hooks }
        return try Compiler.compile(try function(), options: options)
    }

    @Test func everyMachineInstructionHasTheSourceThatEmittedIt() throws {
        let function = try Self.function()
        let lowered = try X64Lowering.lower(function, options: Self.recording)
        try #require(lowered.vcodeSources.count == lowered.vcode.insts.count)
        let sources = lowered.vcode.insts.indices.map(lowered.source(ofVCode:))
        // Each lowered IR instruction's code is one run, in its block.
        var seen: Set<Inst> = []
        for (index, source) in sources.enumerated() {
            guard case .instruction(let inst) = source else { continue }
            if index > 0, sources[index - 1] == source { continue }
            #expect(seen.insert(inst).inserted, "\(function.opcodeAndType(of: inst)) in two places")
            #expect(lowered.appliedRules[inst] != nil, "\(function.opcodeAndType(of: inst)) has code but no rule")
        }
        #expect(Set(lowered.appliedRules.keys) == seen)
        // v8 = iadd is inst 0: one add.
        let iaddCode = sources.indices.filter { sources[$0] == .instruction(Inst(0)) }
        #expect(iaddCode.map { lowered.vcode.insts[$0].description.hasPrefix("addl") } == [true])
        // The two stack parameters (v6, v7) are loaded on entry, before any rule's code.
        let parameterLoads = sources.indices.filter { sources[$0] == .parameters }
        #expect(parameterLoads == [0, 1], "\(lowered.text)")
        // The edge block to block1 holds the moves of v10 and v11 and its jmp; none of
        // it is the brif's.
        let edgeBlock = try #require(lowered.vcode.blocks.first { block in
            block.instRange.allSatisfy { sources[$0] == .blockArguments }
        })
        #expect(edgeBlock.instRange.count >= 2)
        #expect(lowered.vcode.insts[edgeBlock.instRange.last ?? 0].description.hasPrefix("jmp"))
    }

    @Test func aJumpsArgumentMovesAreBlockArgumentsAndItsJmpIsItsOwn() throws {
        let text = """
            function %g(i64, i64) -> i64 system_v {
            block0(v0: i64, v1: i64):
                jump block1(v1, v0)
            block1(v2: i64, v3: i64):
                v4 = isub v2, v3
                return v4
            }
            """
        let lowered = try LowerTest.lower(text, options: Self.recording)
        let jump = Inst(0)
        let entry = lowered.vcode.blocks[0].instRange
        let sources = entry.map(lowered.source(ofVCode:))
        // Swapping the two parameters: three moves through a temporary, then the jmp.
        #expect(sources.dropLast().allSatisfy { $0 == .blockArguments } && sources.count >= 3, "\(lowered.text)")
        #expect(sources.last == .instruction(jump))
    }

    @Test func aFunctionOfOneBlockHasItsSourcesInOrder() throws {
        let text = """
            function %h(i64, i64) -> i64 system_v {
            block0(v0: i64, v1: i64):
                v2 = imul v0, v1
                v3 = iadd v2, v0
                return v3
            }
            """
        let lowered = try LowerTest.lower(text, options: Self.recording)
        let sources = lowered.vcode.insts.indices.map(lowered.source(ofVCode:))
        try #require(lowered.vcodeSources.count == lowered.vcode.insts.count)
        // Runs of imul, iadd, return, in that order, with nothing else between.
        var runs: [VCodeSource] = []
        for source in sources where runs.last != source { runs.append(source) }
        #expect(runs == [.instruction(Inst(0)), .instruction(Inst(1)), .instruction(Inst(2))], "\(lowered.text)")
    }

    @Test func theRealAllocationPasses() throws {
        _ = try Self.compile(misallocating: nil)
    }

    /// A wrong register in the code of each rule is reported against the instruction
    /// that rule lowered.
    @Test(arguments: [("iadd", "iadd.i32"), ("isub", "isub.i64"), ("imul_imm", "imul.i64"), ("bxor", "bxor.i64")])
    func aRejectedAllocationNamesTheIRInstructionAndRule(rule: (name: String, instruction: String)) throws {
        let error = #expect(throws: CodegenError.self) { try Self.compile(misallocating: rule.name) }
        guard case .rejectedAllocation(let rejection)? = error else {
            Issue.record("not a rejected allocation: \(String(describing: error))")
            return
        }
        #expect(rejection.function == .testCase("f"))
        #expect(rejection.instruction == rule.instruction)
        #expect(rejection.rule == rule.name)
        #expect(rejection.culprit == "\(rule.instruction) via \(rule.name)")
        let function = try Self.function()
        guard case .instruction(let inst) = rejection.source else {
            Issue.record("\(rejection.source) is not an instruction")
            return
        }
        #expect(function.opcodeAndType(of: inst) == rule.instruction)
        #expect(rejection.failure.problem == .useReadsWrongValue)
        let text = "\(error.map(String.init(describing:)) ?? "")"
        #expect(text.hasPrefix("register allocation: checker: in %f, \(rule.instruction) (rule \(rule.name)) at vcode "
                               + "\(rejection.failure.instruction) ("), "\(text)")
        #expect(text.hasSuffix(rejection.failure.detail))
        #expect(rejection.failure.detail.hasPrefix("use of %v"))
    }

    /// What compiling records on its hot path: nothing, so a failure is traced by
    /// lowering the function again.
    @Test func aFailureInCodeLoweredWithoutRecordingIsTracedByLoweringAgain() throws {
        let function = try Self.function()
        let plain = try X64Lowering.lower(function)
        #expect(plain.vcodeSources.isEmpty && plain.appliedRules.isEmpty)
        let recorded = try X64Lowering.lower(function, options: Self.recording)
        try #require(recorded.vcode.insts == plain.vcode.insts)
        let environment = Compiler.registerEnvironment(for: plain.frame.convention)
        let allocation = try RegisterAllocator.allocate(plain.vcode, environment: environment)
        let wrong = Misallocation(rule: "imul_imm").applied(to: allocation, of: recorded, environment: environment)
        let error = #expect(throws: RegAllocError.self) { try RegAllocChecker.check(plain.vcode, wrong) }
        let failure = try #require(error?.checkerFailure)
        let rejection = try #require(RejectedAllocation(failure, in: function, lowered: plain, options: LoweringOptions()))
        #expect(rejection.culprit == "imul.i64 via imul_imm")
        #expect(rejection.source == .instruction(Inst(3)))
    }

    /// With the IR released after lowering (as `egret compile` does, to halve the
    /// memory of a huge function), a rejection is the checker's own error; compiling
    /// again with the IR kept traces the same failure.
    @Test func aRejectionWithTheIRReleasedIsTheCheckersErrorAndTracesWhenCompiledAgain() throws {
        var options = Compiler.Options()
        options.checkAllocation = true
        options.hooks = Misallocation(rule: "isub").hooks
        options.releaseIRAfterLowering = true
        let untraced = #expect(throws: RegAllocError.self) { try Compiler.compile(try Self.function(), options: options) }
        let failure = try #require(untraced?.checkerFailure)
        options.releaseIRAfterLowering = false
        let traced = #expect(throws: CodegenError.self) { try Compiler.compile(try Self.function(), options: options) }
        guard case .rejectedAllocation(let rejection)? = traced else {
            Issue.record("not a rejected allocation: \(String(describing: traced))")
            return
        }
        #expect(rejection.failure == failure)
        #expect(rejection.culprit == "isub.i64 via isub")
    }

    @Test func anUnknownRuleMisallocatesNothing() throws {
        _ = try Self.compile(misallocating: "no_such_rule")
    }
}
