import EgretIR
import EgretInterpreter
import Foundation
import Testing
@testable import EgretFuzz

@Suite struct ReducerTests {
    /// A stand-in failure: the module is valid and still has a `umulhi` whose first
    /// result reaches a return through the first function.
    static func stillHasUmulhi(_ text: String) -> Bool {
        guard let module = try? CLIFParser.parse(text), IRVerifier.verify(module).isEmpty else { return false }
        return text.contains("umulhi") && !module.runDirectives.isEmpty
    }

    @Test func reducesAGeneratedCaseToAFewInstructions() throws {
        let generator = ModuleGenerator(configuration: .narrowed(to: [.umulhi, .iadd, .bxor]))
        let original = try #require((0 ..< 50 as Range<UInt64>).lazy
            .map { generator.generate(seed: 5, index: $0).text }
            .first { Self.stillHasUmulhi($0) && Self.instructions($0) > 30 })
        let (reduced, result) = CaseReducer(stillFails: Self.stillHasUmulhi).reduce(original)
        #expect(Self.stillHasUmulhi(reduced))
        #expect(result.instructionsBefore > 30)
        #expect(result.instructionsAfter <= 5, "\(reduced)")
        // A fixpoint: reducing again changes nothing.
        #expect(CaseReducer(stillFails: Self.stillHasUmulhi).reduce(reduced).text == reduced)
    }

    @Test func branchesBecomeJumpsAndBlocksMerge() {
        let text = """
            function %f(i32) -> i32 {
            block0(v0: i32):
                brif v0, block1(v0), block2

            block1(v1: i32):
                v2 = iadd v1, v1
                return v2

            block2:
                v3 = isub v0, v0
                return v3
            }
            ; print: %f(3)
            """
        // The "failure": a non-zero result with no constant in the function, so the brif
        // must become the jump to block1, and block1 then merges into block0.
        let (reduced, _) = CaseReducer { !$0.contains("iconst") && Self.returnsNonZero($0) }.reduce(text)
        #expect(!reduced.contains("brif"))
        #expect(!reduced.contains("block1"))
        #expect(!reduced.contains("block2"))
    }

    static func instructions(_ text: String) -> Int {
        (try? CLIFParser.parse(text)).map(CaseReducer.instructionCount) ?? 0
    }

    /// Dropping a block parameter drops the argument of every branch to the block, and
    /// only there; the parameter becomes a zero.
    @Test func blockParametersGoWithTheirArguments() throws {
        let module = try CLIFParser.parse("""
            function %f(i32) -> i32 {
            block0(v0: i32):
                brif v0, block2(v0, v0), block3(v0)

            block2(v1: i32, v2: i32):
                v3 = iadd v1, v2
                return v3

            block3(v4: i32):
                return v4
            }
            """)
        let site = try #require(ReductionPasses.blockSites(module).firstIndex { $0.block == Block(2) })
        let candidates = ReductionPasses.dropBlockParameter(module, site)
        #expect(candidates.count == 2)
        let text = try #require(CaseReducer.validText(of: candidates[1]))
        #expect(text.contains("brif v0, block2(v0), block3(v0)"), "\(text)")
        #expect(text.contains("block2(v1: i32):"), "\(text)")
        #expect(text.contains("iconst.i32 0"), "\(text)")
    }

    /// `%g` calls `%f`, which computes a `umulhi`; neither needs its parameters or
    /// returns for that.
    static let unusedSignature = """
        function %f(i64, i64, i32) -> i64, i32 system_v {
        block0(v0: i64, v1: i64, v2: i32):
            v3 = umulhi v0, v1
            return v3, v2
        }

        function %g(i64, i32) -> i64 system_v {
            fn0 = %f(i64, i64, i32) -> i64, i32 system_v
        block0(v0: i64, v1: i32):
            v2, v3 = call fn0(v0, v0, v1)
            v4 = iadd v2, v0
            return v4
        }
        ; run: %g(3, 4) == 3
        """

    /// The stand-in failure: valid, runs, and `%g` still calls a function with a `umulhi`.
    static func callsUmulhi(_ text: String) -> Bool {
        guard valid(text), text.contains("umulhi"), text.contains("call fn0"),
              let module = try? CLIFParser.parse(text), let directive = module.runDirectives.first,
              var interpreter = try? Interpreter(module: module) else { return false }
        return (try? interpreter.call(functionIndex: directive.functionIndex, arguments: directive.arguments)) != nil
    }

    @Test func unusedParametersAndReturnsGo() {
        #expect(Self.callsUmulhi(Self.unusedSignature))
        let (reduced, _) = CaseReducer(stillFails: Self.callsUmulhi).reduce(Self.unusedSignature)
        #expect(Self.callsUmulhi(reduced))
        let lines = reduced.split(separator: "\n").map(String.init)
        #expect(lines.contains("function %f() {"), "\(reduced)")
        #expect(lines.contains("function %g() {"), "\(reduced)")
        #expect(lines.contains("    fn0 = %f()"), "\(reduced)")
        #expect(lines.contains("    call fn0()"), "\(reduced)")
        #expect(lines.contains("; print: %g()"), "\(reduced)")
    }

    @Test func signatureEditsKeepEveryUseConsistent() throws {
        let module = try CLIFParser.parse(Self.unusedSignature)
        // Dropping the second parameter of %f: its entry block, %g's declaration and
        // call follow.
        let candidates = ReductionPasses.dropFunctionParameter(module, 0)
        #expect(candidates.count == 3)
        let second = try #require(CaseReducer.validText(of: candidates[1]))
        #expect(second.contains("function %f(i64, i32) -> i64, i32 {"), "\(second)")
        #expect(second.contains("block0(v0: i64, v2: i32):"), "\(second)")
        #expect(second.contains("fn0 = %f(i64, i32) -> i64, i32"), "\(second)")
        #expect(second.contains("v2, v3 = call fn0(v0, v1)"), "\(second)")
        // Dropping the first return of %f: every return loses it, the caller defines
        // the result it received as a zero.
        let returns = ReductionPasses.dropReturnValue(module, 0)
        #expect(returns.count == 2)
        let first = try #require(CaseReducer.validText(of: returns[0]))
        #expect(first.contains("    return v2"), "\(first)")
        #expect(first.contains("    v3 = call fn0(v0, v0, v1)"), "\(first)")
        #expect(first.contains("iconst.i64 0"), "\(first)")
        // Dropping %g's return: its run line no longer expects a value.
        let gReturn = try #require(ReductionPasses.dropReturnValue(module, 1).first)
        #expect(CaseReducer.validText(of: gReturn)?.contains("; print: %g(3, 4)") == true)
    }

    /// Declarations nothing uses go, and the ones left are renumbered everywhere.
    @Test func unusedDeclarationsGoAndTheRestAreRenumbered() throws {
        let module = try CLIFParser.parse("""
            function %f(i64) -> i64 {
                ss0 = explicit_slot 8
                ss1 = explicit_slot 16
                sig0 = (i64) -> i64
                fn0 = %g(i64) -> i64
                fn1 = %h(i64) -> i64
            block0(v0: i64):
                v1 = stack_addr.i64 ss1
                v2 = func_addr.i64 fn1
                v3 = call_indirect sig0, v2(v0)
                return v3
            }

            function %h(i64) -> i64 {
            block0(v0: i64):
                return v0
            }
            """)
        let candidate = try #require(ReductionPasses.dropUnusedDeclarations(module, 0).first)
        let text = try #require(CaseReducer.validText(of: candidate))
        #expect(!text.contains("ss1") && !text.contains("%g") && !text.contains("fn1"), "\(text)")
        #expect(text.contains("v1 = stack_addr.i64 ss0") && text.contains("func_addr.i64 fn0"), "\(text)")
        #expect(ReductionPasses.dropUnusedDeclarations(candidate, 0).isEmpty)
    }

    static func returnsNonZero(_ text: String) -> Bool {
        guard valid(text), let module = try? CLIFParser.parse(text), let directive = module.runDirectives.first,
              var interpreter = try? Interpreter(module: module),
              let outcome = try? interpreter.call(functionIndex: directive.functionIndex, arguments: directive.arguments),
              case .values(let values) = outcome else { return false }
        return values.first.map { $0.low != 0 } ?? false
    }

    static func valid(_ text: String) -> Bool {
        guard let module = try? CLIFParser.parse(text) else { return false }
        return IRVerifier.verify(module).isEmpty
    }
}

@Suite struct CorpusTests {
    static func scratch(_ name: String) -> String {
        let path = NSTemporaryDirectory() + "egret-corpus-tests-\(getpid())-\(name)"
        try? FileManager.default.removeItem(atPath: path)
        return path
    }

    static let failingLooking = """
        test run
        target x86_64
        function %f(i32) -> i32 system_v {
        block0(v0: i32):
            return v0
        }
        ; print: %f(1)
        """

    @Test func theContentHashIgnoresTheHeaderAndIsStable() {
        let header = "; egret corpus: value-mismatch: x\n; status: open\n; seed 1, case 2, found 2026-01-01\n"
        #expect(Corpus.contentHash(Self.failingLooking) == Corpus.contentHash(header + Self.failingLooking))
        #expect(Corpus.contentHash(Self.failingLooking).count == 16)
        #expect(Corpus.contentHash(Self.failingLooking) != Corpus.contentHash(Self.failingLooking + "\n"))
    }

    @Test func storeMergeAndReplay() throws {
        let first = Corpus(directory: Self.scratch("a")), second = Corpus(directory: Self.scratch("b"))
        let finding = Finding(signature: FailureSignature(kind: .valueMismatch, location: "jit[declared]: values differ"),
                              detail: "example")
        let path = try first.store(finding, text: Self.failingLooking, seed: 1, caseIndex: 2)
        #expect(path.hasSuffix("value-mismatch/\(Corpus.contentHash(Self.failingLooking)).clif"))
        #expect(first.knownSignatures() == ["value-mismatch: jit[declared]: values differ"])
        // Merging brings new signatures only.
        #expect(try second.merge(from: first).count == 1)
        #expect(try second.merge(from: first).isEmpty)
        // The stored case passes now, but it is open: reported, not failed.
        let replay = CorpusReplay.replay(second)
        #expect(replay.exitStatus == 0)
        #expect(replay.open.count == 1 && replay.open.first?.stillFails == false)
    }

    @Test func theProjectCorpusReplaysClean() {
        var directory = URL(fileURLWithPath: #filePath)
        for _ in 0 ..< 3 { directory.deleteLastPathComponent() }
        let corpus = Corpus(directory: directory.appendingPathComponent("Corpus").path)
        let replay = CorpusReplay.replay(corpus)
        #expect(!corpus.entries().isEmpty)
        #expect(replay.failed.isEmpty, "\(replay.failed.map { "\($0.path): \($0.why)" })")
    }
}
