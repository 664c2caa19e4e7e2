import ArgumentParser
import EgretFuzz
import EgretHarness
import EgretIR
import Foundation

/// `egret run FILE|DIR…`: execute every `; run:` line.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the `; run:` lines of .clif files (directories are searched recursively).",
        discussion: """
            Each run line is executed on the reference interpreter and on the code compiled by the
            x86-64 backend, under the file's calling conventions and (unless the file mixes conventions)
            once more with system_v and windows_fastcall exchanged. A line passes only if every executor
            meets its expectation and agrees with the interpreter. Every register allocation is checked.
            """)

    @Flag(name: .long, help: "Run on the reference interpreter only.")
    var interpreterOnly = false

    @Flag(name: .long, help: ArgumentHelp(
        "Also run each variant through an object linked with a C driver (aot[declared]…).",
        discussion: "Each file's run lines run in one program; a line's limit is --timeout."))
    var aot = false

    @Option(name: .long, help: ArgumentHelp(
        "With --aot: linux (an ELF object, gcc) or windows (a COFF object, x86_64-w64-mingw32-gcc, run under wine).",
        valueName: "target"))
    var target: String = "linux"

    @Flag(name: .shortAndLong, help: "Also list files that passed.")
    var verbose = false

    @OptionGroup var execution: ExecutionOptions

    @Argument(help: "The .clif files or directories to run.")
    var paths: [String]

    func run() throws {
        if aot && interpreterOnly {
            throw CommandLineError.usage("--aot and --interpreter-only exclude each other")
        }
        guard let chosen = AheadOfTimeTarget(rawValue: target) else {
            throw CommandLineError.usage("--target: '\(Diagnostic.echo(target))' is not linux or windows")
        }
        if chosen != .linux && !aot { throw CommandLineError.usage("--target applies to --aot") }
        throw ExitCode(runFiletests(paths: paths, execution: execution, verbose: verbose,
                                    interpreterOnly: interpreterOnly, aheadOfTime: aot ? chosen : nil))
    }
}

/// How run lines are executed: the interpreter's fuel, and the worker processes that
/// isolate compiled code from the run (IsolatedFiletestSuite).
struct ExecutionOptions: ParsableArguments {
    @Option(name: .long, parsing: .unconditional, help: "Interpreter steps allowed per call (at most 10^10).",
            transform: OptionValues.integer(in: OptionValues.fuel))
    var fuel: Int = 10_000_000

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
        "Time a run line may take, e.g. 30s, 5m (the wall-clock companion of --fuel); loading and compiling a file "
            + "get as long.", valueName: "time"), transform: OptionValues.duration)
    var timeout: Double = 30

    @Option(name: .long, parsing: .unconditional, help: "Worker processes (default: the number of cores).",
            transform: OptionValues.jobsValue)
    var jobs: Int?
}

/// `egret interpret FILE…`: the interpreter only.
struct InterpretCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interpret",
        abstract: "Run the `; run:` lines of .clif files on the reference interpreter.")

    @Flag(name: .shortAndLong, help: "Also list files that passed.")
    var verbose = false

    @OptionGroup var execution: ExecutionOptions

    @Argument(help: "The .clif files or directories to run.")
    var paths: [String]

    func run() throws {
        throw ExitCode(runFiletests(paths: paths, execution: execution, verbose: verbose, interpreterOnly: true))
    }
}

/// Runs the files, printing a line per failing expectation and the summary; returns
/// the exit status.
func runFiletests(paths: [String], execution: ExecutionOptions, verbose: Bool, interpreterOnly: Bool,
                  aheadOfTime: AheadOfTimeTarget? = nil) -> Int32 {
    let files: [String]
    do {
        files = try FiletestSuite.collectFiles(paths)
    } catch {
        printError("\(error)")
        return 2
    }
    var command = [selfExecutable(), "run-worker", "--fuel", String(execution.fuel),
                   "--timeout", String(execution.timeout)]
    if interpreterOnly { command.append("--interpreter-only") }
    if let aheadOfTime { command += ["--aot", "--target", aheadOfTime.rawValue] }
    let scratch = NSTemporaryDirectory() + "egret-run-\(getpid())"
    try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    let suite = IsolatedFiletestSuite(workerCommand: command,
                                      jobs: execution.jobs ?? ProcessInfo.processInfo.activeProcessorCount,
                                      timeout: execution.timeout, scratch: scratch)
    let summary = suite.run(files: files) { outcome in
        for diagnostic in outcome.diagnostics { printError(diagnostic.description) }
        for message in outcome.messages { print(message) }
        if verbose && outcome.diagnostics.isEmpty {
            print("\(outcome.fileName): \(outcome.passed) passed, \(outcome.failed) failed, \(outcome.unsupported) unsupported")
        }
    }
    if summary.filesWithErrors > 0 || summary.unsupportedFiles > 0 {
        print("\(summary.files) files: \(summary.filesWithErrors) with errors, \(summary.unsupportedFiles) unsupported")
    }
    if !summary.unsupportedFeatures.isEmpty {
        let features = summary.unsupportedFeatures.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }
        print("unsupported features: " + features.joined(separator: ", "))
    }
    print(summary.line)
    return summary.exitStatus
}

func printError(_ text: String) {
    FileHandle.standardError.write((text + "\n").data(using: .utf8) ?? Data())
}

/// `egret run-worker` (hidden): runs the files `egret run` sends it (IsolatedFiletestSuite).
struct RunWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run-worker", shouldDisplay: false)

    @Option(name: .long, parsing: .unconditional, transform: OptionValues.integer(in: OptionValues.fuel))
    var fuel: Int = 10_000_000
    @Flag(name: .long) var interpreterOnly = false
    @Flag(name: .long) var aot = false
    @Option(name: .long) var target: String = "linux"
    @Option(name: .long, parsing: .unconditional, transform: OptionValues.duration)
    var timeout: Double = 30

    func run() throws {
        var options = FiletestRunner.Options()
        options.fuel = fuel
        options.interpreterOnly = interpreterOnly
        options.aheadOfTime = aot
        options.target = AheadOfTimeTarget(rawValue: target) ?? .linux
        options.lineTimeout = timeout
        IsolatedFiletestSuite.serve(runner: FiletestRunner(options: options))
    }
}
