import ArgumentParser
import EgretCodegen
import EgretFuzz
import EgretHarness
import Foundation

/// `egret fuzz`: a differential fuzzing campaign (Campaign.swift).
struct FuzzCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz",
        abstract: "Generate random CLIF modules and compare the interpreter with compiled code.",
        discussion: """
            Cases run in worker processes; a worker that crashes or hangs is recorded and replaced.
            New findings are reduced, stored under the corpus directory and listed in the report.
            Exit status 0: nothing new found; 1: new findings.
            """)

    @Option(name: .long, parsing: .unconditional, help: "Campaign seed: a case is determined by (seed, case index).",
            transform: OptionValues.integer(in: OptionValues.seed))
    var seed: UInt64 = 1

    @Option(name: .long, parsing: .unconditional, help: "Number of cases (of this shard).",
            transform: OptionValues.integer(in: OptionValues.cases))
    var cases: UInt64?

    @Option(name: .long, parsing: .unconditional, help: "Time budget, e.g. 90s, 10m, 2h (instead of --cases).",
            transform: OptionValues.duration)
    var duration: Double?

    @Option(name: .long, parsing: .unconditional,
            help: "Worker processes, at most 8 per core (default: the number of cores).",
            transform: OptionValues.jobsValue)
    var jobs: Int?

    @Option(name: .long, parsing: .unconditional, help: "This shard of a split campaign, as i/N (disjoint case indices).",
            transform: OptionValues.shard)
    var shard: Shard = Shard(index: 0, count: 1)

    @Option(name: .long, help: "Where reduced findings are stored.")
    var corpus: String = "Corpus"

    @Option(name: .long, help: "Where the run's report directory is written.")
    var report: String = "Reports"

    @Option(name: .long, help: "Narrow the generated opcodes, e.g. iadd,udiv.")
    var ops: String?

    @Option(name: .long, help: "Value types to generate, e.g. i8,i16,i32,i64,i128,f32,f64 (default: what the backend supports).")
    var types: String?

    @Option(name: .long, parsing: .unconditional, help: "The most functions a generated module has, 1 to 8 (default: 4).",
            transform: OptionValues.integer(in: OptionValues.functions))
    var functions: Int?

    @Option(name: .long, help: ArgumentHelp(
        "Take the functions of the .clif files under this directory instead of generating modules.",
        discussion: """
            Each function that can be judged gets random inputs (and, in later rounds, a small mutation); \
            the others are counted by reason. Default --cases: every function once per round.
            """, valueName: "dir"))
    var from: String?

    @Option(name: .long, parsing: .unconditional,
            help: "With --from: rounds of mutated functions after the round as written (0 to 1000).",
            transform: OptionValues.integer(in: OptionValues.mutations))
    var mutations: Int = 2

    @Flag(name: .long, help: "Do not reduce findings.")
    var noReduce = false

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
        "Also run every Nth case through an ELF object linked by gcc (the case says `test aot`).",
        valueName: "N"), transform: OptionValues.integer(in: OptionValues.cases))
    var aotEvery: UInt64?

    @Option(name: .long, parsing: .unconditional,
            help: ArgumentHelp("Print case N of the campaign (with --seed, --ops, --types, --functions) and exit.",
                               valueName: "N"),
            transform: OptionValues.integer(in: OptionValues.seed))
    var printCase: UInt64?

    @Option(name: .long, help: ArgumentHelp("Test-only: plant a known backend bug (\(PlantedBugNames.all)).",
                                            visibility: .hidden))
    var plantBug: String?

    func run() throws {
        var options = CampaignOptions()
        options.seed = seed
        options.cases = cases ?? (duration == nil && from == nil ? 10_000 : nil)
        options.duration = duration
        options.jobs = jobs ?? ProcessInfo.processInfo.activeProcessorCount
        options.shardIndex = shard.index
        options.shardCount = shard.count
        options.corpusDirectory = corpus
        options.reportDirectory = report
        options.opcodes = ops.map(Self.names) ?? []
        options.workerCommand = [selfExecutable(), "fuzz-worker"]
        options.progress = true
        options.reduce = !noReduce
        options.plantedBug = plantBug
        options.aheadOfTimeEvery = aotEvery
        options.types = types.map(Self.names) ?? []
        options.maxFunctions = functions
        options.fromDirectory = from
        options.mutations = mutations
        try Preflight.generator(options)
        if let printCase {
            do {
                let text = try options.caseSource().generate(seed: seed, index: printCase).text
                print(CaseRunner.text(text, ofCase: printCase, aheadOfTimeEvery: aotEvery), terminator: "")
                return
            } catch let error as CampaignError {
                printError("egret: error: \(error)")
                throw ExitCode(2)
            }
        }
        try Preflight.paths(options)
        let result: CampaignResult
        do {
            let campaign = try Campaign(options: options)
            let interrupts = InterruptHandlers { signal in
                printError("egret: \(JITFault.signalName(signal)): stopping the workers; storing what was found")
                campaign.interrupt(signal: signal)
            }
            result = try campaign.run { print($0) }
            interrupts.restore()
        } catch let error as CampaignError {
            printError("egret: error: \(error)")
            throw ExitCode(2)
        }
        for error in result.storageErrors { printError("egret: error: \(error)") }
        print(String(format: "%llu cases in %.1f s (%.0f cases/s), %.1f instructions and %.1f inputs per case",
                     result.cases, result.elapsed, result.casesPerSecond,
                     result.cases > 0 ? Double(result.instructions) / Double(result.cases) : 0,
                     result.cases > 0 ? Double(result.inputs) / Double(result.cases) : 0))
        for item in result.findings {
            print("case \(item.caseIndex): \(item.finding.signature)\(item.isDuplicate ? " (duplicate)" : "")"
                  + (item.corpusPath.map { " -> \($0)" } ?? ""))
        }
        if from != nil { printSeedCounts(result) }
        if result.unconfirmedWorkerLosses > 0 {
            print("\(result.unconfirmedWorkerLosses) worker(s) lost on a case that passed in a fresh worker (not findings)")
        }
        if let path = result.reportPath { print("report: \(path)/index.html") }
        if let signal = result.interruptedBy {
            print("interrupted by \(JITFault.signalName(signal)) after \(result.cases) cases")
            throw ExitCode(128 + signal)
        }
        if !result.newFindings.isEmpty { throw ExitCode(1) }
        if !result.storageErrors.isEmpty { throw ExitCode(2) }
    }
}

/// With `--from`: how many functions ran and why the others did not.
extension FuzzCommand {
    /// The names of a comma-separated list; `''` is one empty name, which Preflight
    /// refuses, rather than no list at all.
    static func names(_ list: String) -> [String] {
        list.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }
}

func printSeedCounts(_ result: CampaignResult) {
    let skipped = result.skipped
    let skippedCount = skipped.values.reduce(0, +)
    print("functions: \(result.entries) judged in \(result.cases) cases (\(result.judgedCases) ran), "
          + "\(skippedCount) skipped")
    for (reason, count) in skipped.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
        print("  \(count) \(reason)")
    }
}

/// `egret fuzz-worker` (hidden): serves a campaign's cases over standard input/output.
struct FuzzWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fuzz-worker", shouldDisplay: false)

    @Option(name: .long, parsing: .unconditional, transform: OptionValues.integer(in: OptionValues.seed))
    var seed: UInt64 = 1
    @Option(name: .long) var inflight: String
    @Option(name: .long) var ops: String?
    @Option(name: .long) var plantBug: String?
    @Option(name: .long) var types: String?
    @Option(name: .long, parsing: .unconditional, transform: OptionValues.integer(in: OptionValues.functions))
    var functions: Int?
    @Option(name: .long) var from: String?
    @Option(name: .long, parsing: .unconditional, transform: OptionValues.integer(in: OptionValues.mutations))
    var mutations: Int = 2
    @Option(name: .long, parsing: .unconditional, transform: OptionValues.integer(in: OptionValues.cases))
    var aotEvery: UInt64?

    func run() throws {
        var options = CampaignOptions()
        options.types = types.map { $0.split(separator: ",").map(String.init) } ?? []
        options.maxFunctions = functions
        options.fromDirectory = from
        options.mutations = mutations
        options.opcodes = ops.map { $0.split(separator: ",").map(String.init) } ?? []
        options.plantedBug = plantBug
        var runner = CaseRunner(seed: seed, source: try options.caseSource(), oracleOptions: try options.oracleOptions())
        runner.aheadOfTimeEvery = aotEvery
        CampaignWorker(runner: runner, inflightPath: inflight).serve()
    }
}

/// `egret reduce CASE.clif [-o OUT]`.
struct ReduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reduce",
        abstract: "Reduce a failing .clif case to a small one that fails the same way.")

    @Option(name: .shortAndLong, help: "Where to write the reduced case (default: print it).")
    var output: String?

    @Argument(help: "The failing case.")
    var file: String

    func run() throws {
        // Checked before reducing, which can take minutes: a result is never lost for a typo.
        if let output { try Preflight.writableFile(output, option: "--output") }
        guard let outcome = try ReduceEntry.reduce(path: file, workerCommand: [selfExecutable(), "fuzz-worker"]) else {
            printError("\(file): error: the case does not fail; nothing to reduce")
            throw ExitCode(2)
        }
        let result = outcome.result
        printError("\(outcome.signature)\nreduced \(result.instructionsBefore) → \(result.instructionsAfter) instructions, "
                   + "\(result.linesBefore) → \(result.linesAfter) lines, \(result.candidatesTried) candidates, "
                   + String(format: "%.1f s", result.seconds))
        if let output {
            do {
                try OutputFile.write(outcome.text, to: output)
            } catch {
                // The reduced case is kept: printed, with the reason it is not in the file.
                print(outcome.text)
                printError("\(error); the reduced case is on standard output")
                throw ExitCode(1)
            }
        } else {
            print(outcome.text)
        }
    }
}

/// `egret corpus merge DEST SRC…` and `egret corpus replay [DIR]`.
struct CorpusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpus", abstract: "Merge and replay corpora of reduced findings.",
        subcommands: [Merge.self, Replay.self])

    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy into DEST every case of the sources whose signature DEST does not have.")
        @Argument var destination: String
        @Argument var sources: [String]

        func run() throws {
            let corpus = Corpus(directory: destination)
            // Every source is checked before anything is copied.
            for source in sources { try corpus.checkMerge(from: Corpus(directory: source)) }
            for source in sources {
                for path in try corpus.merge(from: Corpus(directory: source)) { print("added \(path)") }
            }
        }
    }

    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run every corpus case; fixed ones must pass, open ones are reported.")
        @Argument var directory: String = "Corpus"

        @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
            "Time a case may take before it counts as hung, e.g. 20s.", valueName: "time"),
                transform: OptionValues.duration)
        var timeout: Double = 20

        func run() throws {
            let scratch = NSTemporaryDirectory() + "egret-replay-\(getpid())"
            try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let checker = IsolatedChecker(command: [selfExecutable(), "fuzz-worker", "--inflight", "\(scratch)/inflight.clif"],
                                          scratch: "\(scratch)/case.clif", timeout: timeout)
            let corpus = Corpus(directory: directory)
            try corpus.requireDirectory()
            let outcome = CorpusReplay.replay(corpus, isolatedBy: checker)
            for (path, why) in outcome.failed { print("FAIL \(path): \(why)") }
            for (path, stillFails) in outcome.open {
                print("open \(path): \(stillFails ? "still fails" : "passes now: mark it fixed")")
            }
            print("corpus: \(outcome.passed.count) passed, \(outcome.failed.count) failed, \(outcome.open.count) open")
            throw ExitCode(outcome.exitStatus)
        }
    }
}

enum PlantedBugNames {
    static let all = PlantedBug.allCases.map(\.rawValue).joined(separator: ", ")
}

/// The running executable's path, to start workers of the same build.
func selfExecutable() -> String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
}
