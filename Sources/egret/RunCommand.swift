import ArgumentParser
import EgretFuzz
import EgretHarness
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

    @Flag(name: .shortAndLong, help: "Also list files that passed.")
    var verbose = false

    @Option(name: .long, parsing: .unconditional, help: "Interpreter steps allowed per call (at most 10^10).",
            transform: OptionValues.integer(in: OptionValues.fuel))
    var fuel: Int = 10_000_000

    @Argument(help: "The .clif files or directories to run.")
    var paths: [String]

    func run() throws {
        throw ExitCode(runFiletests(paths: paths, fuel: fuel, verbose: verbose, interpreterOnly: interpreterOnly))
    }
}

/// `egret interpret FILE…`: the interpreter only.
struct InterpretCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interpret",
        abstract: "Run the `; run:` lines of .clif files on the reference interpreter.")

    @Flag(name: .shortAndLong, help: "Also list files that passed.")
    var verbose = false

    @Option(name: .long, parsing: .unconditional, help: "Interpreter steps allowed per call (at most 10^10).",
            transform: OptionValues.integer(in: OptionValues.fuel))
    var fuel: Int = 10_000_000

    @Argument(help: "The .clif files or directories to run.")
    var paths: [String]

    func run() throws {
        throw ExitCode(runFiletests(paths: paths, fuel: fuel, verbose: verbose, interpreterOnly: true))
    }
}

/// Runs the files, printing a line per failing expectation and the summary; returns
/// the exit status.
func runFiletests(paths: [String], fuel: Int, verbose: Bool, interpreterOnly: Bool) -> Int32 {
    let files: [String]
    do {
        files = try FiletestSuite.collectFiles(paths)
    } catch {
        printError("\(error)")
        return 2
    }
    var options = FiletestRunner.Options()
    options.fuel = fuel
    options.interpreterOnly = interpreterOnly
    let suite = FiletestSuite(runner: FiletestRunner(options: options))
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
