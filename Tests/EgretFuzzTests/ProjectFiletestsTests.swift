import Foundation
import Testing
@testable import EgretFuzz

/// The project's own `.clif` run tests: they all pass on the interpreter, and together
/// they exercise every tier-1 opcode.
struct ProjectFiletestsTests {
    static let filetestsDirectory: String = {
        var components = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        components.removeLast(3)
        return components.joined(separator: "/") + "/Tests/Filetests"
    }()

    static func files() throws -> [String] {
        try FiletestSuite.collectFiles([filetestsDirectory])
    }

    @Test func everyRunLinePassesOnTheInterpreter() throws {
        let files = try Self.files()
        #expect(files.count >= 20, "expected the project's filetests under \(Self.filetestsDirectory)")
        var problems: [String] = []
        let summary = FiletestSuite().run(files: files) { outcome in
            problems += outcome.diagnostics.map(\.description)
            problems += outcome.messages
        }
        #expect(problems.isEmpty, "\(problems.prefix(20).joined(separator: "\n"))")
        #expect(summary.failed == 0)
        #expect(summary.unsupported == 0)
        #expect(summary.passed >= 1000)
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
