import EgretCodegen
import EgretIR
import Foundation

/// `egret run` with every file run in worker processes (`egret run-worker`), so
/// nothing compiled code does — a jump to a wild address, a store over its own frame,
/// an endless loop — and no crash of Egret itself ends the run: it becomes the result
/// of the run line it happened in.
///
///     parent → worker                          worker → parent
///                                              ready
///     file {json FileRequest}                  stage loading | stage compiling
///                                              line N          (run line N starts)
///                                              verdict N {json LineVerdict}
///                                              done {json FileOutcome}
///
/// A worker that dies or outlives `timeout` in run line N is replaced, and the file is
/// sent again with N decided ("crashed: SIGSEGV …", "timed out …") and every verdict
/// received so far, so no line runs twice. Compiled code that faults where no trap
/// record explains it taints its process: the worker sends the verdict, then
/// `restart`, and exits. A worker lost while loading or compiling a file makes the
/// file one failure. Files run on `jobs` workers at once; outcomes are reported in
/// file order.
public struct IsolatedFiletestSuite {
    /// How to start a worker: the executable and its arguments.
    public var workerCommand: [String]
    public var jobs: Int
    /// Seconds one stage (loading, compiling) or one run line may take.
    public var timeout: Double
    /// Where workers' standard error goes (one file per job), for crash reports.
    public var scratch: String

    public init(workerCommand: [String], jobs: Int, timeout: Double, scratch: String) {
        self.workerCommand = workerCommand
        self.jobs = max(1, jobs)
        self.timeout = timeout
        self.scratch = scratch
    }

    /// Runs the files, handing every outcome to `report` in file order.
    public func run(files: [String], report: (FileOutcome) -> Void) -> SuiteSummary {
        let results = OrderedResults(count: files.count)
        let next = NextIndex()
        for job in 0 ..< min(jobs, max(1, files.count)) {
            Thread.detachNewThread {
                let driver = FileDriver(suite: self, job: job)
                while let index = next.take(below: files.count) {
                    results.put(index, driver.run(files[index]))
                }
                driver.finish()
            }
        }
        var summary = SuiteSummary()
        for index in files.indices {
            let outcome = results.wait(index)
            summary.add(outcome)
            report(outcome)
        }
        return summary
    }

    /// The `file` request: the path and the run lines already decided.
    struct FileRequest: Codable {
        var path: String
        var decided: [DecidedLine]
    }

    struct DecidedLine: Codable {
        var line: UInt32
        var verdict: LineVerdict
    }

    /// One job's worker and the files it runs.
    final class FileDriver {
        let suite: IsolatedFiletestSuite
        let errorLog: String
        private var worker: WorkerProcess?

        init(suite: IsolatedFiletestSuite, job: Int) {
            self.suite = suite
            errorLog = "\(suite.scratch)/run-worker-\(job).log"
        }

        func run(_ path: String) -> FileOutcome {
            var decided: [UInt32: LineVerdict] = [:]
            while true {
                if worker == nil { worker = try? WorkerProcess(command: suite.workerCommand, errorLog: errorLog) }
                let request = FileRequest(path: path, decided: decided.map { DecidedLine(line: $0.key, verdict: $0.value) })
                guard let process = worker, process.send("file " + WireFormat.encode(request)) else {
                    worker?.kill()
                    worker = nil
                    var outcome = FileOutcome(fileName: path)
                    outcome.diagnostics.append(Diagnostic(.error, "cannot start a worker process (\(suite.workerCommand.joined(separator: " ")))",
                                                          file: path))
                    return outcome
                }
                var stage = "loading"
                var current: UInt32?
                var restarting = false
                while true {
                    guard let line = process.readLine(timeout: suite.timeout) else {
                        let timedOut = process.timedOut
                        process.kill()
                        worker = nil
                        if restarting { break }
                        let how = timedOut ? "timed out (no result within \(WorkerProcess.seconds(suite.timeout)))"
                                           : "crashed: \(process.crashDescription)"
                        guard let line = current else { return FileOutcome.lost(fileName: path, stage: stage, how: how) }
                        decided[line] = .failed(how)
                        break
                    }
                    let parts = line.split(separator: " ", maxSplits: 2)
                    switch parts.first {
                    case "stage": stage = parts.dropFirst().joined(separator: " ")
                    case "line": current = parts.count > 1 ? UInt32(parts[1]) : nil
                    case "verdict":
                        if parts.count == 3, let number = UInt32(parts[1]),
                           let verdict = WireFormat.decode(LineVerdict.self, parts[2]) {
                            decided[number] = verdict
                        }
                        current = nil
                    case "restart": restarting = true
                    case "done":
                        if restarting {
                            process.finish()
                            worker = nil
                        }
                        let text = line.dropFirst(5)
                        if let outcome = WireFormat.decode(FileOutcome.self, text) { return outcome }
                        return FileOutcome.lost(fileName: path, stage: stage, how: "sent an unreadable answer")
                    default: break
                    }
                }
            }
        }

        func finish() {
            worker?.finish()
            worker = nil
        }
    }

    /// The worker side: serves `file` requests until standard input closes (`egret
    /// run-worker`).
    public static func serve(runner: FiletestRunner) {
        WorkerSide.dieWithParent()
        WorkerSide.runOnWorkerThread {
            setvbuf(stdout, nil, _IOFBF, 1 << 16)
            print(WorkerProcess.ready)
            fflush(stdout)
            while let line = readLine() {
                guard line.hasPrefix("file "), let request = WireFormat.decode(FileRequest.self, line.dropFirst(5)) else {
                    continue
                }
                print("stage loading")
                fflush(stdout)
                var decided: [UInt32: LineVerdict] = [:]
                for item in request.decided { decided[item.line] = item.verdict }
                var hooks = FiletestRunner.Hooks()
                hooks.stage = { stage in
                    print("stage \(stage)")
                    fflush(stdout)
                }
                hooks.willRun = { line in
                    print("line \(line)")
                    fflush(stdout)
                }
                hooks.judged = { line, verdict in
                    print("verdict \(line) \(WireFormat.encode(verdict))")
                    guard !JITModule.processTainted else {
                        print(WorkerProcess.restart)
                        fflush(stdout)
                        return false
                    }
                    return true
                }
                let outcome = FiletestSuite.runFile(request.path, runner: runner, decided: decided, hooks: hooks)
                // A tainted worker exits without `done`; the parent sends the file again.
                if outcome.incomplete { exit(0) }
                print("done \(WireFormat.encode(outcome))")
                fflush(stdout)
            }
        }
    }
}

/// JSON on one line, for worker protocols.
public enum WireFormat {
    public static func encode<T: Encodable>(_ value: T) -> String {
        guard let data = try? JSONEncoder().encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    public static func decode<T: Decodable>(_ type: T.Type, _ text: Substring) -> T? {
        try? JSONDecoder().decode(type, from: Data(text.utf8))
    }
}

/// Outcomes by index, filled by driver threads and taken in order.
final class OrderedResults {
    private var outcomes: [FileOutcome?]
    private let condition = NSCondition()

    init(count: Int) {
        outcomes = Array(repeating: nil, count: count)
    }

    func put(_ index: Int, _ outcome: FileOutcome) {
        condition.lock()
        outcomes[index] = outcome
        condition.broadcast()
        condition.unlock()
    }

    func wait(_ index: Int) -> FileOutcome {
        condition.lock()
        defer { condition.unlock() }
        while outcomes[index] == nil { condition.wait() }
        let outcome = outcomes[index]!
        outcomes[index] = nil
        return outcome
    }
}

/// A shared counter handing out indices.
final class NextIndex {
    private var next = 0
    private let lock = NSLock()

    func take(below limit: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < limit else { return nil }
        next += 1
        return next - 1
    }
}
