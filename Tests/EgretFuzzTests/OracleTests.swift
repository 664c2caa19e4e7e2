import EgretIR
import Testing
@testable import EgretFuzz

@Suite struct OracleTests {
    /// The harness's own half of "clean": no generated case is invalid or uses what the
    /// backend does not claim, and every input runs. (Backend bugs found on the way are
    /// stored in Corpus/ and replayed by CorpusTests.)
    @Test func generatedCasesAreValidAndSupported() {
        let runner = CaseRunner(seed: 11)
        var inputs = 0
        var findings: [String] = []
        for index in 0 ..< 150 as Range<UInt64> {
            let result = runner.run(index: index)
            inputs += result.inputs
            if let finding = result.finding, finding.signature.kind == .invalidCase || finding.signature.kind == .unsupported {
                findings.append("case \(index): \(finding.signature) \(finding.detail)")
            }
        }
        #expect(findings.isEmpty, "\(findings.prefix(5).joined(separator: "\n"))")
        #expect(inputs >= 150 * 3)
    }

    @Test func aWrongCompiledResultIsNotAFindingOfTheInterpreter() {
        // A case the verifier rejects is the harness's fault, not the backend's.
        let verdict = DifferentialOracle().check(text: "function %f() -> i32 {\nblock0:\n    return v9\n}\n")
        #expect(verdict.finding?.signature.kind == .invalidCase)
    }

    @Test func trapsAreComparedNotSkipped() {
        let text = """
            test run
            target x86_64
            function %f(i32, i32) -> i32 system_v {
            block0(v0: i32, v1: i32):
                v2 = udiv v0, v1
                return v2
            }
            ; print: %f(7, 0)
            ; print: %f(7, 2)
            """
        let verdict = DifferentialOracle().check(text: text)
        #expect(verdict.finding == nil)
        #expect(verdict.outcomes["trap int_divz"] == 1)
        #expect(verdict.outcomes["values"] == 1)
    }
}
