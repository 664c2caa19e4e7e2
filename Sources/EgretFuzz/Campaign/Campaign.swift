import EgretCodegen
import EgretHarness
import EgretIR
import Foundation

/// Everything `egret fuzz` takes.
public struct CampaignOptions: Sendable {
    public var seed: UInt64 = 1
    /// Stop after this many cases (of this shard); nil: run for `duration`.
    public var cases: UInt64? = 1000
    /// Stop after this many seconds, when `cases` is nil (or first reached).
    public var duration: Double?
    public var jobs: Int = 1
    /// This shard takes case indices ≡ `shardIndex` (mod `shardCount`).
    public var shardIndex: UInt64 = 0
    public var shardCount: UInt64 = 1
    public var corpusDirectory: String? = "Corpus"
    public var reportDirectory: String? = "Reports"
    /// `--ops`: opcode names the generator is narrowed to.
    public var opcodes: [String] = []
    /// `--types`: the value types to generate (default: every type the backend lowers).
    public var types: [String] = []
    /// `--functions`: the most functions a module has (1 … 8; nil: the configuration's).
    public var maxFunctions: Int?
    /// `--from`: take the functions of the `.clif` files under this directory instead of
    /// generating modules (SeedCaseSource).
    public var fromDirectory: String?
    /// `--mutations`: rounds of mutated functions after the round as written (`--from`).
    public var mutations: Int = 2
    /// How to start a worker: the executable and the arguments before the campaign's own.
    public var workerCommand: [String] = []
    /// Seconds a worker may take for one case before it counts as hung: generated cases
    /// run in milliseconds, so this only has to absorb a loaded machine.
    public var caseTimeout: Double = 5
    /// Cases sent to a worker at once.
    public var batchSize: UInt64 = 64
    /// Show a progress line (on a terminal, outside CI).
    public var progress: Bool = false
    /// Reduce every new finding.
    public var reduce: Bool = true
    /// Findings reduced at most per campaign (the rest are stored unreduced).
    public var maxReductions: Int = 8
    /// Test-only: workers compile with this planted bug (the self-test).
    public var plantedBug: String?
    /// Every this many cases also run through an object (`--aot-every`,
    /// CaseRunner.aheadOfTimeEvery).
    public var aheadOfTimeEvery: UInt64?

    public init() {}

    /// The generator configuration these options ask for.
    public func generatorConfiguration() throws -> GeneratorConfiguration {
        var configuration = GeneratorConfiguration()
        if !types.isEmpty {
            configuration.supportedTypes = []
            for name in types {
                guard let type = GeneratorConfiguration.typeNames[name] else {
                    throw CampaignError.badArgument("--types: unknown or ungeneratable type \(name)")
                }
                configuration.supportedTypes.append(type)
            }
            guard configuration.supportedTypes.contains(.i32), configuration.supportedTypes.contains(.i64) else {
                throw CampaignError.badArgument("--types must include i32 and i64 (loop counters and addresses)")
            }
        }
        if let maxFunctions {
            guard (1 ... 8).contains(maxFunctions) else {
                throw CampaignError.badArgument("--functions: \(maxFunctions) is not between 1 and 8")
            }
            configuration.functionCount = 1 ... maxFunctions
        }
        for name in opcodes {
            guard let opcode = Opcode(name: Substring(name)) else {
                throw CampaignError.badArgument("--ops: unknown opcode \(name)")
            }
            configuration.onlyOpcodes.insert(opcode)
        }
        return configuration
    }

    /// Worker arguments that reproduce this campaign's generator.
    func workerArguments(inflightPath: String) -> [String] {
        var arguments = workerCommand + ["--seed", String(seed), "--inflight", inflightPath]
        if !opcodes.isEmpty { arguments += ["--ops", opcodes.joined(separator: ",")] }
        if !types.isEmpty { arguments += ["--types", types.joined(separator: ",")] }
        if let maxFunctions { arguments += ["--functions", String(maxFunctions)] }
        if let plantedBug { arguments += ["--plant-bug", plantedBug] }
        if let aheadOfTimeEvery { arguments += ["--aot-every", String(aheadOfTimeEvery)] }
        if let fromDirectory { arguments += ["--from", fromDirectory, "--mutations", String(mutations)] }
        return arguments
    }

    /// Where this campaign's cases come from.
    public func caseSource() throws -> any CaseSource {
        let configuration = try generatorConfiguration()
        guard let fromDirectory else { return ModuleGenerator(configuration: configuration) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: fromDirectory, isDirectory: &isDirectory), isDirectory.boolValue
        else { throw CampaignError.badArgument("--from: \(fromDirectory) is not a directory") }
        return SeedCaseSource(corpus: SeedCorpus.load(directory: fromDirectory), mutations: mutations,
                              configuration: configuration)
    }
}

/// One finding of a campaign, with where it came from and what became of it.
public struct CampaignFinding: Sendable {
    public var finding: Finding
    public var seed: UInt64
    public var caseIndex: UInt64
    public var originalText: String
    public var reducedText: String?
    public var reduction: ReductionResult?
    public var corpusPath: String?
    /// Not new: an earlier finding or a corpus file has the same signature.
    public var isDuplicate: Bool = false
    /// Where the finding was written the moment it was made (`<report>/findings/`).
    public var journalPath: String?
}

/// What a campaign did.
public struct CampaignResult: Sendable {
    public var options: CampaignOptions
    public var cases: UInt64 = 0
    public var instructions: UInt64 = 0
    public var inputs: UInt64 = 0
    public var elapsed: Double = 0
    public var findings: [CampaignFinding] = []
    public var statistics = WorkerStatistics()
    /// (seconds since start, cases done) once a second.
    public var throughput: [(Double, UInt64)] = []
    public var workerRestarts: Int = 0
    /// Workers that died or hung on a case that then passed in a fresh worker (killed
    /// from outside, or stalled by a loaded machine): not findings.
    public var unconfirmedWorkerLosses: Int = 0
    /// The signal that interrupted the campaign (SIGINT, SIGTERM, SIGHUP), if one did.
    public var interruptedBy: Int32?
    /// Files that could not be written, each with the reason (the finding is kept in
    /// its journal file, or printed on standard error).
    public var storageErrors: [String] = []
    public var reportPath: String?

    public var casesPerSecond: Double { elapsed > 0 ? Double(cases) / elapsed : 0 }
    /// Functions that can be judged (`--from`), and those skipped before running, by reason.
    public var entries: Int = 0
    public var skippedBeforeRunning: [String: Int] = [:]
    /// Every skip (`--from`): before running, and cases the harness could not judge.
    public var skipped: [String: Int] { skippedBeforeRunning.merging(statistics.skipped, uniquingKeysWith: +) }
    /// Cases judged: run and not skipped.
    public var judgedCases: UInt64 { cases - UInt64(statistics.skipped.values.reduce(0, +)) }
    /// Findings that are new (not duplicates).
    public var newFindings: [CampaignFinding] { findings.filter { !$0.isDuplicate } }
}

/// A differential fuzzing campaign over worker processes (DESIGN.md §6).
///
///     Campaign ──cases START COUNT STRIDE──▶ worker 1 … J  (egret fuzz-worker)
///        ▲  ◀──ok / finding, one line per case──┘
///        └─ a worker that dies or hangs: the worker is replaced, the rest of its batch
///           resent, and the case in flight judged again in a fresh worker (with twice
///           the time limit): only a crash or hang that happens again is a finding.
///     every finding: journalled at once under Reports/<run>/findings/;
///     then: deduplicate by signature, reduce, store in Corpus/, write Reports/<run>/.
///
/// Guarantees: every case index of the shard up to the limit is judged or recorded
/// exactly once; nothing a case does ends the campaign; a finding is on disk the
/// moment it is made. `interrupt(signal:)` (SIGINT, SIGTERM, SIGHUP) stops the
/// workers; `run` then stores the findings unreduced and writes the report.
public final class Campaign {
    public let options: CampaignOptions
    /// Where cases come from: the generator, or real CLIF (`--from`).
    public let source: any CaseSource
    private let lock = NSLock()
    private var nextBatch: UInt64 = 0
    private var result: CampaignResult
    private var stopped = false
    private var interruptSignal: Int32?
    /// The live worker processes by job, so an interrupt can stop them.
    private var liveWorkers: [Int: WorkerProcess] = [:]
    /// Signatures already journalled: the journal keeps the first case of each.
    private var journalled: Set<String> = []
    private var journalDirectory: String = ""
    private let start = Date()
    private let runName: String

    public init(options: CampaignOptions) throws {
        self.options = options
        source = try options.caseSource()
        result = CampaignResult(options: options)
        if let seeds = source as? SeedCaseSource {
            result.entries = seeds.corpus.entries.count
            result.skippedBeforeRunning = seeds.corpus.skipped
        }
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        runName = "\(stamp)-seed\(options.seed)-shard\(options.shardIndex)of\(options.shardCount)"
    }

    /// Runs the campaign to its limit, then reduces, stores and reports.
    public func run(log: (String) -> Void = { _ in }) throws -> CampaignResult {
        let runDirectory = options.reportDirectory.map { "\($0)/\(runName)" }
        let scratch = runDirectory ?? NSTemporaryDirectory() + "egret-\(runName)"
        journalDirectory = scratch + "/findings"
        do {
            try FileManager.default.createDirectory(atPath: scratch + "/inflight", withIntermediateDirectories: true)
        } catch {
            throw CampaignError.badArgument("cannot create \(scratch)/inflight: \(Self.reason(error))")
        }
        let group = DispatchGroup()
        for job in 0 ..< max(1, options.jobs) {
            group.enter()
            Thread.detachNewThread { [self] in
                drive(worker: job, scratch: scratch)
                group.leave()
            }
        }
        let progress = ProgressLine(enabled: options.progress)
        while group.wait(timeout: .now() + 1) == .timedOut {
            lock.lock()
            let elapsed = Date().timeIntervalSince(start)
            result.throughput.append((elapsed, result.cases))
            let snapshot = (result.cases, result.findings.count, result.statistics.coverage.count)
            lock.unlock()
            progress.show(cases: snapshot.0, elapsed: elapsed, findings: snapshot.1, coverage: snapshot.2,
                          universe: OpcodeSignatures.coverageUniverse(configuration: source.configuration).count)
        }
        progress.finish()
        result.elapsed = Date().timeIntervalSince(start)
        result.throughput.append((result.elapsed, result.cases))
        result.findings.sort { $0.caseIndex < $1.caseIndex }
        result.interruptedBy = currentInterrupt
        processFindings(scratch: scratch, log: log)
        try? FileManager.default.removeItem(atPath: scratch + "/inflight")
        if let runDirectory {
            do {
                try CampaignReport(result: result, configuration: source.configuration).write(to: runDirectory)
                result.reportPath = runDirectory
            } catch {
                result.storageErrors.append("cannot write the report to \(runDirectory): \(Self.reason(error))")
            }
        } else if result.findings.allSatisfy({ $0.corpusPath != nil || $0.isDuplicate }) {
            try? FileManager.default.removeItem(atPath: scratch)
        }
        return result
    }

    /// Stops the campaign: no new batches, every worker killed. Safe from any thread
    /// (a signal handler's queue); `run` then stores what was found and reports.
    public func interrupt(signal: Int32) {
        lock.lock()
        stopped = true
        if interruptSignal == nil { interruptSignal = signal }
        let workers = Array(liveWorkers.values)
        lock.unlock()
        for worker in workers { worker.kill() }
    }

    var currentInterrupt: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return interruptSignal
    }

    /// A file-system error's own words, without Foundation's wrapping.
    static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError,
           underlying.domain == NSPOSIXErrorDomain, let code = POSIXErrorCode(rawValue: Int32(underlying.code)) {
            return String(cString: strerror(code.rawValue))
        }
        if nsError.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(nsError.code))) }
        return nsError.localizedDescription
    }

    /// The next batch of case indices of this shard, or nil when the campaign is over.
    private func takeBatch() -> (start: UInt64, count: UInt64)? {
        lock.lock()
        defer { lock.unlock() }
        if stopped { return nil }
        if let duration = options.duration, Date().timeIntervalSince(start) >= duration {
            stopped = true
            return nil
        }
        let first = nextBatch
        var count = max(1, options.batchSize)
        if let limit = options.cases ?? (options.duration == nil ? source.caseCount : nil) {
            if first >= limit { return nil }
            count = min(count, limit - first)
        }
        // Case indices past 2^64 - 1 do not exist: the campaign ends at the last one.
        let (offset, overflow) = first.multipliedReportingOverflow(by: options.shardCount)
        let (start, beyond) = options.shardIndex.addingReportingOverflow(offset)
        if overflow || beyond {
            stopped = true
            return nil
        }
        let later = (UInt64.max - start) / options.shardCount
        if later < count - 1 { count = later + 1 }
        let (next, done) = first.addingReportingOverflow(count)
        nextBatch = next
        stopped = done || later == count - 1
        return (start, count)
    }

    func currentFindings() -> [CampaignFinding] {
        lock.lock()
        defer { lock.unlock() }
        return result.findings
    }

    func replaceFindings(_ findings: [CampaignFinding]) {
        record { $0.findings = findings }
    }

    func record(_ body: (inout CampaignResult) -> Void) {
        lock.lock()
        body(&result)
        lock.unlock()
    }

    /// One worker thread: keeps one worker process busy, replacing it when it dies or
    /// asks to be restarted.
    private func drive(worker job: Int, scratch: String) {
        let inflight = "\(scratch)/inflight/worker-\(job).clif"
        let command = options.workerArguments(inflightPath: inflight)
        var process: WorkerProcess?
        let stride = options.shardCount
        defer { setLiveWorker(job, nil) }
        while let batch = takeBatch() {
            var index = batch.start
            var remaining = batch.count
            while remaining > 0 {
                if process == nil {
                    process = try? WorkerProcess(command: command, errorLog: "\(scratch)/inflight/worker-\(job).log")
                    setLiveWorker(job, process)
                }
                if currentInterrupt != nil {
                    process?.kill()
                    return
                }
                guard let worker = process, worker.send("cases \(index) \(remaining) \(stride)") else {
                    process?.kill()
                    process = nil
                    Thread.sleep(forTimeInterval: 0.1)
                    continue
                }
                var restartAfter = false
                while remaining > 0 {
                    guard let line = worker.readLine(timeout: options.caseTimeout) else {
                        // Dead or hung: the case in flight is `index`.
                        let timedOut = worker.timedOut
                        worker.kill()
                        process = nil
                        if currentInterrupt != nil { return }
                        let how = timedOut ? "no answer within \(WorkerProcess.seconds(options.caseTimeout))"
                                           : worker.crashDescription
                        confirmLostCase(index: index, inflight: inflight, job: job, scratch: scratch,
                                        timedOut: timedOut, how: how)
                        index &+= stride
                        remaining -= 1
                        break
                    }
                    if line == WorkerProcess.restart {
                        restartAfter = true
                        continue
                    }
                    handle(line, index: index)
                    // Wraps only past the batch's last case, which takeBatch keeps in range.
                    index &+= stride
                    remaining -= 1
                    if restartAfter {
                        worker.finish()
                        process = nil
                        record { $0.workerRestarts += 1 }
                        break
                    }
                }
            }
        }
        if let worker = process, worker.send("stats"), let line = worker.readLine(timeout: options.caseTimeout),
           line.hasPrefix("stats "), let statistics = WireFormat.decode(WorkerStatistics.self, line.dropFirst(6)) {
            record { $0.statistics.merge(statistics) }
        }
        process?.finish()
    }

    private func setLiveWorker(_ job: Int, _ worker: WorkerProcess?) {
        lock.lock()
        liveWorkers[job] = worker
        lock.unlock()
    }

    /// A worker died or hung on case `index`: the case is judged again in a fresh
    /// worker (a hang with twice the time limit). Only what that worker finds is a
    /// finding; a loss that does not happen again (a worker killed from outside, a
    /// stalled machine) is counted, not stored.
    private func confirmLostCase(index: UInt64, inflight: String, job: Int, scratch: String, timedOut: Bool,
                                 how: String) {
        // The in-flight file may end in padding newlines (CampaignWorker.InflightFile).
        let text = (try? String(contentsOfFile: inflight, encoding: .utf8))
            .map { String($0.reversed().drop { $0 == "\n" }.reversed()) + "\n" }
            ?? source.generate(seed: options.seed, index: index).text
        let checker = IsolatedChecker(command: options.workerArguments(inflightPath: "\(scratch)/inflight/confirm-\(job).clif"),
                                      scratch: "\(scratch)/inflight/confirm-\(job)-case.clif",
                                      timeout: timedOut ? 2 * options.caseTimeout : options.caseTimeout)
        _ = checker.signature(of: text)
        checker.finish()
        guard var finding = checker.lastFinding, currentInterrupt == nil else {
            record {
                $0.cases += 1
                $0.workerRestarts += 1
                $0.unconfirmedWorkerLosses += 1
            }
            return
        }
        finding.detail = "the first worker \(timedOut ? "hung" : "crashed") (\(how)); in a fresh worker: \(finding.detail)"
        addFinding(CampaignFinding(finding: finding, seed: options.seed, caseIndex: index, originalText: text),
                   restarted: true)
    }

    /// Records a finding and journals it (the first of its signature) at once.
    private func addFinding(_ item: CampaignFinding, restarted: Bool = false) {
        var item = item
        lock.lock()
        let isNew = journalled.insert(item.finding.signature.description).inserted
        lock.unlock()
        if isNew { item.journalPath = journal(item) }
        record {
            $0.cases += 1
            if restarted { $0.workerRestarts += 1 }
            $0.findings.append(item)
        }
    }

    /// Writes a finding under the journal directory as a runnable case; if that fails,
    /// prints it on standard error, so a finding is never only in memory.
    private func journal(_ item: CampaignFinding) -> String? {
        do {
            return try Corpus(directory: journalDirectory).store(item.finding, text: item.originalText, seed: item.seed,
                                                                 caseIndex: item.caseIndex)
        } catch {
            let message = "egret: error: cannot journal case \(item.caseIndex) under \(journalDirectory): "
                + "\(Self.reason(error)); the case follows\n\(Corpus.signaturePrefix)\(item.finding.signature)\n"
                + item.originalText
            FileHandle.standardError.write(Data((message + "\n").utf8))
            record { $0.storageErrors.append("cannot journal case \(item.caseIndex) under \(journalDirectory): \(Self.reason(error))") }
            return nil
        }
    }

    private func handle(_ line: String, index: UInt64) {
        let parts = line.split(separator: " ", maxSplits: 2)
        if parts.first == "ok", parts.count == 3 {
            let numbers = parts[2].split(separator: " ").compactMap { UInt64($0) }
            record {
                $0.cases += 1
                $0.instructions += numbers.first ?? 0
                $0.inputs += numbers.last ?? 0
            }
        } else if parts.first == "finding", parts.count == 3,
                  let finding = WireFormat.decode(Finding.self, parts[2]) {
            let text = source.generate(seed: options.seed, index: index).text
            addFinding(CampaignFinding(finding: finding, seed: options.seed, caseIndex: index, originalText: text))
        } else {
            record { $0.cases += 1 }
        }
    }
}

extension CampaignOptions {
    /// The oracle options these options ask for (the planted bug, if any).
    public func oracleOptions() throws -> DifferentialOracle.Options {
        var options = DifferentialOracle.Options()
        if let plantedBug {
            guard let bug = PlantedBug(rawValue: plantedBug) else {
                throw CampaignError.badArgument("unknown planted bug \(plantedBug)")
            }
            options.hooks = bug.hooks
        }
        return options
    }
}

public enum CampaignError: Error, CustomStringConvertible {
    case badArgument(String)

    public var description: String {
        switch self {
        case .badArgument(let why): return why
        }
    }
}
