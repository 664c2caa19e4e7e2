import ArgumentParser
import EgretCodegen
import EgretHarness
import EgretIR
import EgretSMT
import Foundation

/// `egret verify [--rule NAME] [--type T] [--list] [--json] [--clif-dir DIR]`.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Prove the x86-64 lowering rules equal to the IR semantics with Z3.",
        discussion: """
            Prints one line per rule × type: proven, counterexample, timeout or not modelled, with
            times. Exits 1 unless every check is proven. A counterexample prints its inputs and
            both outcomes and writes a .clif run test reproducing it.
            """)

    @Option(name: .long, help: "Verify only the rule with this name.")
    var rule: String?

    @Option(name: .long, help: ArgumentHelp("Verify only at this type.",
                                            discussion: "One of the types the backend lowers: "
                                                + BackendSupport.types.map(\.description).joined(separator: ", ") + "."))
    var type: String?

    @Flag(name: .long, help: "List the rules, instruction forms and opcodes covered and not modelled.")
    var list = false

    @Flag(name: .long, help: "Print the report as JSON.")
    var json = false

    @Option(name: .long, help: "Where counterexample .clif files go (default: the current directory).")
    var clifDir: String = "."

    func run() throws {
        if list {
            print(json ? VerificationReport.coverageJSON() : VerificationReport.coverage())
            return
        }
        try Preflight.writableDirectory(clifDir, option: "--clif-dir")
        var irType: IRType?
        if let type {
            guard let parsed = IRType(name: Substring(type)), BackendSupport.types.contains(parsed) else {
                let known = BackendSupport.types.map(\.description).joined(separator: ", ")
                printError("egret: error: '\(type)' is not a type the backend lowers (\(known))")
                throw ExitCode(2)
            }
            irType = parsed
        }
        let verifier = RuleVerifier()
        if let rule, verifier.checks(ruleName: rule).isEmpty {
            printError("egret: error: no rule named '\(rule)'")
            throw ExitCode(2)
        }
        let start = Date()
        let progress = !json && isatty(fileno(stderr)) != 0
        let results = try verifier.verifyAll(ruleName: rule, type: irType) { result in
            if progress { FileHandle.standardError.write(Data("\(result.rule).\(result.typeText) \(result.status.label)\n".utf8)) }
        }
        let report = VerificationReport(results: results, totalSeconds: Date().timeIntervalSince(start))
        if json {
            print(report.json)
        } else {
            print(report.table)
            print(report.summary)
        }
        for result in results {
            guard let example = result.counterexample else { continue }
            if !json { print(example.description) }
            guard let clif = example.clif else {
                if !json { print("  (no .clif: \(example.clifUnavailable ?? "none written"))") }
                continue
            }
            let path = (clifDir as NSString).appendingPathComponent("counterexample-\(result.rule)-\(result.typeText).clif")
            do {
                try OutputFile.write(clif, to: path)
            } catch {
                // The counterexample is kept: printed whole, with why it is not in the file.
                print(clif)
                printError("\(error)")
                continue
            }
            if !json { print("  wrote \(path)") }
        }
        if !report.allProven { throw ExitCode(1) }
    }
}
