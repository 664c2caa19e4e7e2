import Foundation
import Testing
import EgretIR
@testable import EgretHarness
import EgretTestSupport

/// The project's own `.clif` run tests: they all pass on the interpreter, and together
/// they exercise every tier-1 opcode.
struct ProjectFiletestsTests {
    static let filetestsDirectory = PackagePaths.filetests

    static func files() throws -> [String] {
        try FiletestSuite.collectFiles([filetestsDirectory])
    }

    /// Each file on the reference interpreter alone: every run line meets its
    /// expectation, bitwise.
    @Test(arguments: (try? ProjectFiletestsTests.files()) ?? [])
    func interpreterPassesEveryRunLine(file: String) {
        var options = FiletestRunner.Options()
        options.interpreterOnly = true
        let outcome = FiletestSuite(runner: FiletestRunner(options: options)).run(files: [file]) { outcome in
            #expect(outcome.diagnostics.isEmpty, "\(outcome.diagnostics.map(\.description))")
            #expect(outcome.messages.isEmpty, "\(outcome.messages.prefix(20).joined(separator: "\n"))")
        }
        #expect(outcome.failed == 0 && outcome.unsupported == 0 && outcome.passed > 0)
    }

    /// Every run line on the interpreter and the JIT under both conventions: nothing
    /// fails anywhere, and the tier-1 files need nothing the backend lacks.
    @Test func everyRunLinePassesOnInterpreterAndJIT() throws {
        let files = try Self.files()
        #expect(files.count >= 20, "expected the project's filetests under \(Self.filetestsDirectory)")
        var problems: [String] = []
        var tierOneUnsupported: [String] = []
        let summary = FiletestSuite().run(files: files) { outcome in
            problems += outcome.diagnostics.map(\.description)
            problems += outcome.messages.filter { !$0.contains(": unsupported: ") }
            if outcome.fileName.contains("/tier1/") {
                tierOneUnsupported += outcome.messages.filter { $0.contains(": unsupported: ") }
            }
        }
        #expect(problems.isEmpty, "\(problems.prefix(20).joined(separator: "\n"))")
        #expect(tierOneUnsupported.isEmpty, "\(tierOneUnsupported.prefix(20).joined(separator: "\n"))")
        #expect(summary.failed == 0)
        #expect(summary.passed >= 5000)
    }

    @Test func theFilesUseEveryTierOneOpcode() throws {
        var used = Set<Opcode>()
        for file in try Self.files() {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            let module = try CLIFParser.parse(text, fileName: file)
            for function in module.functions {
                for block in function.layout {
                    for inst in function.instructions(in: block) { used.insert(function[inst].opcode) }
                }
            }
        }
        let missing = OpcodeTable.tier1.filter { !used.contains($0) }.map(\.name)
        #expect(missing.isEmpty, "tier-1 opcodes no filetest uses: \(missing.joined(separator: " "))")
    }
}
