import EgretCodegen
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
///        └─ a worker that dies or hangs: the case in flight is recorded (crash /
///           timeout), the worker replaced, the rest of its batch resent.
///     then: deduplicate by signature, reduce, store in Corpus/, write Reports/<run>/.
///
/// Guarantees: every case index of the shard up to the limit is judged or recorded
/// exactly once; nothing a case does ends the campaign.
public final class Campaign {
    public let options: CampaignOptions
    /// Where cases come from: the generator, or real CLIF (`--from`).
    public let source: any CaseSource
    private let lock = NSLock()
    private var nextBatch: UInt64 = 0
    private var result: CampaignResult
    private var stopped = false
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
        try FileManager.default.createDirectory(atPath: scratch + "/inflight", withIntermediateDirectories: true)
        let group = DispatchGroup()
        for job in 0 ..< max(1, options.jobs) {
            group.enter()
            Thread.detachNewThread { [self] in
                drive(worker: job, inflight: "\(scratch)/inflight/worker-\(job).clif")
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
        try processFindings(scratch: scratch, log: log)
        if let runDirectory {
            try CampaignReport(result: result, configuration: source.configuration).write(to: runDirectory)
            result.reportPath = runDirectory
        } else {
            try? FileManager.default.removeItem(atPath: scratch)
        }
        return result
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

    private func record(_ body: (inout CampaignResult) -> Void) {
        lock.lock()
        body(&result)
        lock.unlock()
    }

    /// One worker thread: keeps one worker process busy, replacing it when it dies.
    private func drive(worker job: Int, inflight: String) {
        let command = options.workerArguments(inflightPath: inflight)
        var process: WorkerProcess? = try? WorkerProcess(command: command)
        let stride = options.shardCount
        while let batch = takeBatch() {
            var index = batch.start
            var remaining = batch.count
            while remaining > 0 {
                if process == nil { process = try? WorkerProcess(command: command) }
                guard let worker = process, worker.send("cases \(index) \(remaining) \(stride)") else {
                    process?.kill()
                    process = nil
                    Thread.sleep(forTimeInterval: 0.1)
                    continue
                }
                while remaining > 0 {
                    guard let line = worker.readLine(timeout: options.caseTimeout) else {
                        // Dead or hung: the case in flight is `index`.
                        let timedOut = worker.timedOut
                        worker.kill()
                        let how = timedOut ? "no answer within \(Int(options.caseTimeout)) s" : worker.endDescription
                        // The in-flight file may end in padding newlines (WorkerProtocol.InflightFile).
                        let text = (try? String(contentsOfFile: inflight, encoding: .utf8))
                            .map { String($0.reversed().drop { $0 == "\n" }.reversed()) + "\n" }
                            ?? source.generate(seed: options.seed, index: index).text
                        let finding = Finding(signature: FailureSignature(kind: timedOut ? .timeout : .crash,
                                                                          location: FailureSignature.normalised(how)),
                                              detail: "the worker \(timedOut ? "hung" : "died (\(how))") running the case")
                        record {
                            $0.findings.append(CampaignFinding(finding: finding, seed: options.seed, caseIndex: index,
                                                               originalText: text))
                            $0.cases += 1
                            $0.workerRestarts += 1
                        }
                        process = nil
                        index &+= stride
                        remaining -= 1
                        break
                    }
                    handle(line, index: index)
                    // Wraps only past the batch's last case, which takeBatch keeps in range.
                    index &+= stride
                    remaining -= 1
                }
            }
        }
        if let worker = process, worker.send("stats"), let line = worker.readLine(timeout: options.caseTimeout),
           line.hasPrefix("stats "), let statistics = WorkerProtocol.decode(WorkerStatistics.self, line.dropFirst(6)) {
            record { $0.statistics.merge(statistics) }
        }
        process?.finish()
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
                  let finding = WorkerProtocol.decode(Finding.self, parts[2]) {
            let text = source.generate(seed: options.seed, index: index).text
            record {
                $0.cases += 1
                $0.findings.append(CampaignFinding(finding: finding, seed: options.seed, caseIndex: index,
                                                   originalText: text))
            }
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
