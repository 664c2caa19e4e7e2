import ArgumentParser

/// The `egret` command line: each subcommand parses its options and calls one library
/// entry point (STYLE.md 11).
struct Egret: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "egret",
        abstract: "A Cranelift-compatible x86-64 backend and the harness that tests it.",
        discussion: """
            Exit status: 0 all passed; 1 a mismatch or failure was found; 2 bad input or usage;
            3 the input uses a feature Egret does not support yet (named in the message).
            """,
        subcommands: [RunCommand.self, InterpretCommand.self, CompileCommand.self, VerifyCommand.self, BenchCommand.self,
                      FuzzCommand.self, ReduceCommand.self, CorpusCommand.self, FuzzWorkerCommand.self,
                      RunWorkerCommand.self])
}

// Parsed and run here rather than by `Egret.main()`, whose usage errors exit 64: a
// usage error is status 2 like any bad input (CommandLineExit).
var command: ParsableCommand
do {
    command = try Egret.parseAsRoot()
} catch {
    CommandLineExit.afterParsing(error)
}
do {
    try command.run()
} catch {
    CommandLineExit.afterRunning(error)
}
