import EgretHarness
import Foundation

/// Judges cases in a worker process (`egret fuzz-worker`'s `check`), so a case that
/// crashes or hangs the backend takes down only the worker: the reducer, the
/// corpus replay and a campaign confirming a crash all judge through it. Each case is
/// written to `scratch` first; the worker's standard error goes to `scratch.log`, where
/// a crash leaves its report.
public final class IsolatedChecker {
    public let command: [String]
    public let scratch: String
    public let timeout: Double
    private var worker: WorkerProcess?
    /// The finding of the last case judged.
    public private(set) var lastFinding: Finding?

    public init(command: [String], scratch: String, timeout: Double) {
        self.command = command
        self.scratch = scratch
        self.timeout = timeout
    }

    /// The failure signature of `text`, or nil when it passes.
    public func signature(of text: String) -> FailureSignature? {
        lastFinding = nil
        guard FileManager.default.createFile(atPath: scratch, contents: Data(text.utf8)) else {
            lastFinding = Finding(signature: FailureSignature(kind: .invalidCase, location: "cannot write the case"),
                                  detail: "cannot write \(scratch)")
            return lastFinding?.signature
        }
        // A worker that exited after its last answer (or could not start) is replaced
        // once; a second failure to start is the harness's own problem.
        for attempt in 0 ..< 2 {
            if worker == nil { worker = try? WorkerProcess(command: command, errorLog: scratch + ".log") }
            guard let process = worker, process.send("check \(scratch)") else {
                worker?.kill()
                worker = nil
                if attempt == 0 { continue }
                lastFinding = Finding(signature: FailureSignature(kind: .invalidCase, location: "the worker did not start"),
                                      detail: "the worker did not start (\(command.joined(separator: " ")))")
                return lastFinding?.signature
            }
            return answer(from: process)
        }
        return nil
    }

    private func answer(from process: WorkerProcess) -> FailureSignature? {
        var line = process.readLine(timeout: timeout)
        let restart = line == WorkerProcess.restart
        if restart { line = process.readLine(timeout: timeout) }
        guard let line else {
            let timedOut = process.timedOut
            process.kill()
            worker = nil
            let how = timedOut ? "no answer within \(WorkerProcess.seconds(timeout))" : process.crashDescription
            let signature = FailureSignature(kind: timedOut ? .timeout : .crash, location: FailureSignature.normalised(how))
            lastFinding = Finding(signature: signature,
                                  detail: timedOut ? "the worker hung running the case (\(how))"
                                                   : "the worker crashed running the case: \(how)")
            return signature
        }
        if restart {
            process.finish()
            worker = nil
        }
        guard line.hasPrefix("verdict "), line != "verdict clean" else { return nil }
        lastFinding = WireFormat.decode(Finding.self, line.dropFirst(8))
        return lastFinding?.signature
    }

    public func finish() {
        worker?.finish()
        worker = nil
    }
}
