import Foundation
import Testing
import EgretIR
@testable import EgretHarness
import EgretTestSupport

/// The run-test driver judges each run line and each file correctly.
struct FiletestRunnerTests {
    let runner = FiletestRunner()

    @Test func passingAndFailingLinesAreCounted() {
        let outcome = runner.run(fileName: "t.clif", text: """
            test run
            function %add(i32, i32) -> i32 {
            block0(v0: i32, v1: i32):
                v2 = iadd v0, v1
                return v2
            }
            ; run: %add(1, 2) == 3
            ; run: %add(1, 2) == 4
            ; run: %add(1, 2) != 4
            ; run: %add(0x7fff_ffff, 1) == -2147483648
            """)
        #expect(outcome.diagnostics.isEmpty)
        #expect(outcome.passed == 3)
        #expect(outcome.failed == 1)
        #expect(outcome.exitStatus == 1)
        #expect(outcome.messages.count == 1)
        #expect(outcome.messages.first?.hasPrefix("t.clif:8:") == true)
        #expect(outcome.messages.first?.contains("expected 4") == true)
    }

    @Test func trapsAreResultsThatCanBeExpected() {
        let outcome = runner.run(fileName: "t.clif", text: """
            function %div(i64, i64) -> i64 {
            block0(v0: i64, v1: i64):
                v2 = sdiv v0, v1
                return v2
            }
            ; run: %div(7, 0) == trap int_divz
            ; run: %div(0x8000_0000_0000_0000, -1) == trap int_ovf
            ; run: %div(7, 2) == trap int_divz
            """)
        #expect(outcome.passed == 2)
        #expect(outcome.failed == 1)
    }

    @Test func badInputIsAnErrorWithALocation() {
        let outcome = runner.run(fileName: "bad.clif", text: """
            function %f(i32) -> i32 {
            block0(v0: i32):
                v1 = frobnicate v0
                return v1
            }
            """)
        #expect(outcome.exitStatus == 2)
        let diagnostic = outcome.diagnostics.first
        #expect(diagnostic?.location.line == 3)
        #expect(diagnostic?.description.hasPrefix("bad.clif:3:") == true)
    }

    @Test func invalidSSAIsAnError() {
        let outcome = runner.run(fileName: "ssa.clif", text: """
            function %f(i32) -> i32 {
            block0(v0: i32):
                v1 = iadd v0, v2
                v2 = iconst.i32 1
                return v1
            }
            """)
        #expect(outcome.exitStatus == 2)
        #expect(outcome.diagnostics.first?.location.line == 3)
    }

    @Test func summaryStatusOrdersFailureBeforeBadInputBeforeUnsupported() {
        var summary = SuiteSummary()
        #expect(summary.exitStatus == 0)
        var unsupported = FileOutcome(fileName: "u")
        unsupported.unsupported = 1
        summary.add(unsupported)
        #expect(summary.exitStatus == 3)
        var bad = FileOutcome(fileName: "b")
        bad.diagnostics = [Diagnostic(.error, "x")]
        summary.add(bad)
        #expect(summary.exitStatus == 2)
        var failed = FileOutcome(fileName: "f")
        failed.failed = 1
        summary.add(failed)
        #expect(summary.exitStatus == 1)
        #expect(summary.line == "0 passed, 1 failed, 1 unsupported")
    }
}
