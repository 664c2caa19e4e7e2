import EgretIR
import Foundation
import Testing
@testable import EgretFuzz

/// `egret fuzz --from`: functions of existing files become cases, or are skipped with a
/// reason; the cases verify, run and are determined by (seed, index).
@Suite struct SeedCorpusTests {
    static let file = """
        test compile
        target aarch64

        function %add(i32, i32) -> i32 {
        block0(v0: i32, v1: i32):
            v2 = iadd v0, v1
            v3 = icmp slt v2, v0
            v4 = uextend.i32 v3
            v5 = iconst.i32 7
            v6 = imul v4, v5
            return v6
        }

        function %load(i64, i32) -> i32 {
        block0(v0: i64, v1: i32):
            v2 = load.i32 v0+8
            v3 = iadd v2, v1
            return v3
        }

        function %leaks() -> i64 {
            ss0 = explicit_slot 8
        block0:
            v0 = stack_addr.i64 ss0
            return v0
        }

        function %host(i32) -> i32 {
            fn0 = %elsewhere(i32) -> i32
        block0(v0: i32):
            v1 = call fn0(v0)
            return v1
        }

        function %caller(i32) -> i32 {
            fn0 = %add(i32, i32) -> i32
        block0(v0: i32):
            v1 = call fn0(v0, v0)
            return v1
        }

        function u0:1(i32) -> i32 {
        block0(v0: i32):
            return v0
        }

        function %vector(i32x4) -> i32x4 {
        block0(v0: i32x4):
            return v0
        }
        """

    static func corpus() -> SeedCorpus {
        var corpus = SeedCorpus()
        corpus.add(file: "example.clif", text: Self.file)
        corpus.add(file: "broken.clif", text: "function %f( {")
        return corpus
    }

    @Test func functionsAreTakenOrSkippedWithAReason() {
        let corpus = Self.corpus()
        #expect(corpus.entries.map { "\($0.slice.functions[0].name)" } == ["%add", "%load", "%caller"])
        #expect(corpus.skipped["calls a function the file does not define"] == 1)
        #expect(corpus.skipped["named like u0:0 (run lines call %names)"] == 1)
        #expect(corpus.skipped["takes or returns i32x4, a type the backend does not lower"] == 1)
        #expect(corpus.skipped.keys.contains { $0.hasPrefix("an address reaches data (return") })
        #expect(corpus.skipped.keys.contains { $0.hasPrefix("file does not parse") })
        // A pointer parameter receives the heap; a caller brings its callee along.
        #expect(corpus.entries[1].pointerParameters == [0])
        #expect(corpus.entries[2].slice.functions.map(\.name.description) == ["%caller", "%add"])
        // Written for another ISA: run on x86_64.
        #expect(corpus.entries[0].slice.targets.map(\.isa) == ["x86_64"])
    }

    @Test func casesVerifyRunAndAreDeterminedBySeedAndIndex() throws {
        let source = SeedCaseSource(corpus: Self.corpus(), mutations: 3)
        #expect(source.caseCount == 12)
        let oracle = DifferentialOracle()
        var mutated = 0
        for index in 0 ..< 12 as Range<UInt64> {
            let generated = source.generate(seed: 5, index: index)
            #expect(generated.text == source.generate(seed: 5, index: index).text)
            let module = try CLIFParser.parse(generated.text)
            #expect(IRVerifier.verify(module).isEmpty, "\(generated.text)")
            #expect(module.runDirectives.count == generated.inputCount)
            let verdict = oracle.check(module: module)
            #expect(verdict.finding == nil, "\(verdict.finding?.detail ?? "")\n\(generated.text)")
            if generated.shapes.contains(where: { $0.hasPrefix("seed: mutated") }) { mutated += 1 }
        }
        #expect(mutated >= 6, "later rounds mutate")
        // The load's pointer receives the heap.
        let load = source.generate(seed: 5, index: 1).text
        #expect(load.contains("; heap: 4096") && load.contains("%load(heap, "), "\(load)")
    }

    /// What the harness cannot judge at run time (an unsupported feature, a loop past
    /// the fuel, recursion at the edge of the stack budget) is counted as a skip, not
    /// reported as a finding.
    @Test func unjudgeableCasesAreSkippedNotFound() {
        let unsupported = Finding(signature: FailureSignature(kind: .unsupported, location: "stack_limit"),
                                  detail: "jit[declared]: unsupported: stack_limit")
        #expect(CaseRunner.skipReason(unsupported) == "backend: unsupported stack_limit")
        let fuel = Finding(signature: FailureSignature(kind: .invalidCase, location: "interpreter"),
                           detail: "interpreter on %f(1): out of fuel after 1000000 steps")
        #expect(CaseRunner.skipReason(fuel) == "runs past the interpreter's fuel")
        let edge = Finding(signature: FailureSignature(kind: .trapMismatch, location: "jit[declared]: trap"),
                           detail: "jit[declared] gave [3], the interpreter gave trap stk_ovf for %f(100000)")
        #expect(CaseRunner.skipReason(edge) == "recurses to the edge of the stack budget")
        let otherTrap = Finding(signature: FailureSignature(kind: .trapMismatch, location: "jit[declared]: trap"),
                                detail: "jit[declared] gave trap heap_oob, the interpreter gave trap int_divz for %f(0)")
        #expect(CaseRunner.skipReason(otherTrap) == nil)
        let mismatch = Finding(signature: FailureSignature(kind: .valueMismatch, location: "x"), detail: "")
        #expect(CaseRunner.skipReason(mismatch) == nil)
    }
}
