import EgretIR
import Foundation
import Testing
@testable import EgretHarness

/// The parent side of the run-worker protocol, against scripted workers, and the
/// reading of crash reports.
struct WorkerProcessTests {
    static let file = "/nonexistent/case.clif"

    /// A shell worker: `ready`, then for each request the script's answer.
    static func suite(_ answer: String, timeout: Double = 5) -> IsolatedFiletestSuite {
        let script = "echo ready; while read -r request; do \(answer); done"
        return IsolatedFiletestSuite(workerCommand: ["/bin/sh", "-c", script], jobs: 1, timeout: timeout,
                                     scratch: NSTemporaryDirectory())
    }

    static func outcome(_ suite: IsolatedFiletestSuite) -> FileOutcome {
        var outcomes: [FileOutcome] = []
        _ = suite.run(files: [file]) { outcomes.append($0) }
        return outcomes[0]
    }

    /// The done line a worker sends for a file whose line 7 got `verdict`.
    static func done(failed: Int, passed: Int, message: String) -> String {
        var outcome = FileOutcome(fileName: file)
        outcome.failed = failed
        outcome.passed = passed
        if !message.isEmpty { outcome.messages = [message] }
        return "done " + WireFormat.encode(outcome)
    }

    /// A worker killed by SIGSEGV in run line 7: the line is decided as crashed with
    /// the signal's name, and the file is sent again to a fresh worker with it.
    @Test func aWorkerThatDiesInARunLineDecidesThatLine() throws {
        let again = Self.done(failed: 1, passed: 0, message: "decided again")
        let answer = """
            case "$request" in *'"decided":[]'*) echo 'stage loading'; echo 'line 7'; kill -SEGV $$ ;; \
            *'crashed: SIGSEGV'*) echo '\(again)' ;; *) echo 'done {}' ;; esac
            """
        let outcome = Self.outcome(Self.suite(answer))
        #expect(outcome.messages == ["decided again"])
    }

    /// A worker that dies while loading the file (before any run line) makes the file
    /// one failure that names the stage.
    @Test func aWorkerThatDiesWhileCompilingFailsTheFile() throws {
        let outcome = Self.outcome(Self.suite("echo 'stage compiling'; kill -SEGV $$"))
        #expect(outcome.failed == 1)
        #expect(outcome.messages.first?.hasPrefix("\(Self.file): egret crashed: SIGSEGV") == true, "\(outcome.messages)")
        #expect(outcome.messages.first?.hasSuffix("while compiling the file") == true)
    }

    /// A worker that outlives the time limit in a run line is killed; the line is
    /// decided as timed out.
    @Test func aRunLineThatOutlivesTheLimitIsDecidedAsTimedOut() throws {
        let answer = """
            case "$request" in *'"decided":[]'*) echo 'line 3'; exec sleep 30 ;; \
            *'timed out (no result within 0.5 s)'*) echo '\(Self.done(failed: 1, passed: 0, message: "ok"))' ;; \
            *) echo 'done {}' ;; esac
            """
        let started = Date()
        let outcome = Self.outcome(Self.suite(answer, timeout: 0.5))
        #expect(outcome.messages == ["ok"])
        #expect(Date().timeIntervalSince(started) < 10)
    }

    /// A worker that says `restart` after a verdict exits; the verdicts it sent are
    /// kept and the file goes on in a fresh worker.
    @Test func aRestartKeepsTheVerdictsSent() throws {
        let verdict = WireFormat.encode(LineVerdict.failed("tainted"))
        let answer = """
            case "$request" in *'"decided":[]'*) echo 'line 4'; echo 'verdict 4 \(verdict)'; echo restart; exit 0 ;; \
            *'tainted'*) echo '\(Self.done(failed: 1, passed: 1, message: "resumed"))' ;; *) echo 'done {}' ;; esac
            """
        let outcome = Self.outcome(Self.suite(answer))
        #expect(outcome.messages == ["resumed"])
    }

    /// The Swift runtime's crash report: the headline and the first frame that is
    /// not the runtime's own.
    @Test func aCrashReportGivesItsHeadlineAndFrame() throws {
        let text = """
            *** Signal 4: Backtracing from 0x55f7c894a433... done ***

            *** Swift runtime failure: arithmetic overflow ***

            Thread 0 "egret" crashed:

              0 [inlined] [system] 0x000055f7c894a433 Swift runtime failure: arithmetic overflow in egret at //<compiler-generated>
              1                    0x000055f7c894a433 static FrameLayout.size(_:) + 275 in egret at /src/Sources/EgretCodegen/FrameLayout.swift:41:9
              2 [ra]               0x000055f7c894a771 main + 368 in egret at /src/Sources/egret/main.swift:3:14

            Registers:
            """
        let report = try #require(WorkerCrashReport(text))
        #expect(report.headline == "Swift runtime failure: arithmetic overflow")
        #expect(report.function == "static FrameLayout.size(_:)")
        #expect(report.source == "FrameLayout.swift:41:9")
        #expect("\(report)" == "Swift runtime failure: arithmetic overflow in static FrameLayout.size(_:) at FrameLayout.swift:41:9")
        #expect(WorkerCrashReport("no report here\n") == nil)
    }
}
