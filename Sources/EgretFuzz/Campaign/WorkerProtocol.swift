import EgretCodegen
import EgretHarness
import Foundation

/// The line protocol between a campaign and its worker processes (`egret fuzz-worker`).
///
///     parent → worker                      worker → parent
///                                          ready   (once, when set up)
///     cases START COUNT STRIDE             one line per case, in order:
///                                            ok INDEX INSTRUCTIONS INPUTS
///                                            finding INDEX {json Finding}
///     check PATH                           verdict clean | verdict {json Finding}
///     stats                                stats {json WorkerStatistics}
///
/// A worker whose compiled code faulted outside any trap record writes `restart`
/// before that case's answer and exits after it (WorkerProcess.restart): its memory
/// may be corrupt, so the parent sends what remains to a fresh worker.
///
/// Before running a case the worker writes its text to its in-flight file, so a case
/// that kills the worker is on disk; the parent also knows it (the first index without
/// an answer) and can regenerate it from (seed, index).
/// Answers carry JSON on one line (WireFormat).
public enum WorkerProtocol {}

/// What a worker accumulates between `stats` requests.
public struct WorkerStatistics: Codable, Sendable {
    /// `opcode.type` → instructions generated.
    public var coverage: [String: Int] = [:]
    /// How the interpreter's runs ended (`values`, `trap int_divz`, …).
    public var outcomes: [String: Int] = [:]
    /// Control-flow, call and compile shapes → cases that had them.
    public var shapes: [String: Int] = [:]
    /// Why cases of real CLIF were not judged → how many (`egret fuzz --from`).
    public var skipped: [String: Int] = [:]

    public init() {}

    public mutating func merge(_ other: WorkerStatistics) {
        coverage.merge(other.coverage, uniquingKeysWith: +)
        outcomes.merge(other.outcomes, uniquingKeysWith: +)
        shapes.merge(other.shapes, uniquingKeysWith: +)
        skipped.merge(other.skipped, uniquingKeysWith: +)
    }
}

/// The worker side: reads commands on standard input until it closes.
public struct CampaignWorker {
    public let runner: CaseRunner
    public let inflightPath: String

    public init(runner: CaseRunner, inflightPath: String) {
        self.runner = runner
        self.inflightPath = inflightPath
    }

    /// The in-flight file, open for the worker's lifetime.
    ///
    /// Each case overwrites it in place with one `pwrite` at offset 0, padded with
    /// newlines to the longest text written so far (blank lines end a `.clif` file
    /// harmlessly, and the reader trims them), so the file never holds a mix of two
    /// cases. Opening it with O_TRUNC for every case made the file system free and
    /// reallocate its blocks each time: a sixth of a worker's time. Nothing is synced:
    /// the text is in the page cache, which outlives a crashed worker, and the case can
    /// be regenerated from (seed, index) anyway.
    final class InflightFile {
        private let descriptor: Int32
        private var buffer: [UInt8] = []

        init(path: String) {
            descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        }

        deinit { if descriptor >= 0 { close(descriptor) } }

        func write(_ text: String) {
            guard descriptor >= 0 else { return }
            let longest = buffer.count
            buffer.removeAll(keepingCapacity: true)
            buffer.append(contentsOf: text.utf8)
            if buffer.count < longest { buffer.append(contentsOf: repeatElement(UInt8(ascii: "\n"), count: longest - buffer.count)) }
            _ = buffer.withUnsafeBytes { bytes in pwrite(descriptor, bytes.baseAddress, bytes.count, 0) }
        }
    }

    /// Serves commands until standard input closes. The entry point of `egret
    /// fuzz-worker`; the loop runs on a thread of its own (WorkerSide.runOnWorkerThread).
    public func serve() {
        WorkerSide.runOnWorkerThread { self.serveOnThisThread() }
    }

    private func serveOnThisThread() {
        var statistics = WorkerStatistics()
        let inflight = InflightFile(path: inflightPath)
        WorkerSide.dieWithParent()
        setvbuf(stdout, nil, _IOFBF, 1 << 16)
        // Set up (a seed corpus loaded, tables built): cases are timed from here.
        print(WorkerProcess.ready)
        fflush(stdout)
        while let line = readLine() {
            let words = line.split(separator: " ", maxSplits: 1)
            guard let command = words.first else { continue }
            switch command {
            case "cases":
                let numbers = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
                guard numbers.count == 3 else { break }
                var index = numbers[0]
                for _ in 0 ..< numbers[1] {
                    let result = runner.run(index: index) { text in inflight.write(text) }
                    for key in result.coverage { statistics.coverage[key, default: 0] += 1 }
                    for key in result.shapes { statistics.shapes[key, default: 0] += 1 }
                    if let reason = result.skipReason { statistics.skipped[reason, default: 0] += 1 }
                    statistics.outcomes.merge(result.outcomes, uniquingKeysWith: +)
                    if JITModule.processTainted { print(WorkerProcess.restart) }
                    if let finding = result.finding {
                        print("finding \(index) \(WireFormat.encode(finding))")
                    } else {
                        print("ok \(index) \(result.instructions) \(result.inputs)")
                    }
                    fflush(stdout)
                    if JITModule.processTainted { return }
                    index &+= numbers[2] // wraps only past the last case
                }
            case "check":
                let path = words.count > 1 ? String(words[1]) : ""
                let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
                let verdict = runner.oracle.check(text: text, fileName: "case.clif")
                if JITModule.processTainted { print(WorkerProcess.restart) }
                print("verdict " + (verdict.finding.map { WireFormat.encode($0) } ?? "clean"))
                fflush(stdout)
                if JITModule.processTainted { return }
            case "stats":
                print("stats \(WireFormat.encode(statistics))")
                statistics = WorkerStatistics()
                fflush(stdout)
            default:
                print("error unknown command")
                fflush(stdout)
            }
        }
    }
}
