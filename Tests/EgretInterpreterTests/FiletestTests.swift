import EgretIR
import Foundation
import Testing
@testable import EgretInterpreter

/// The project's `.clif` run tests (`Tests/Filetests/**`), executed on the interpreter:
/// every `; run:` line must produce exactly its expectation, bitwise.
struct FiletestTests {
    static let filetestsDirectory: String = {
        var components = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        components.removeLast(2)
        let path = components.joined(separator: "/") + "/Filetests"
        return URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    }()

    /// Every `.clif` file under the directory, relative to it, sorted.
    static let files: [String] = {
        guard let walker = FileManager.default.enumerator(atPath: filetestsDirectory) else { return [] }
        return walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".clif") }.sorted()
    }()

    @Test func theFiletestsAreThere() {
        #expect(Self.files.count >= 20, "no filetests under \(Self.filetestsDirectory)")
    }

    @Test(arguments: files)
    func everyRunLinePasses(file: String) throws {
        let text = try String(contentsOfFile: Self.filetestsDirectory + "/" + file, encoding: .utf8)
        let module = try CLIFParser.parse(text, fileName: file)
        var interpreter = try Interpreter(module: module)
        var failures: [String] = []
        for directive in module.runDirectives {
            if let failure = Self.judge(directive, on: &interpreter) {
                failures.append("\(file):\(directive.location.line): \(directive.text): \(failure)")
            }
        }
        #expect(failures.isEmpty, Comment(rawValue: "\(failures.count) failing run lines:\n" + failures.joined(separator: "\n")))
    }

    /// nil if the directive's expectation holds, else what happened instead.
    static func judge(_ directive: RunDirective, on interpreter: inout Interpreter) -> String? {
        let outcome: CallOutcome
        do {
            outcome = try interpreter.call(functionIndex: directive.functionIndex, arguments: directive.arguments)
        } catch {
            return "interpreter error: \(error)"
        }
        switch directive.expectation {
        case .none:
            return nil
        case .trap(let code):
            return outcome == .trap(code) ? nil : "expected trap \(code), got \(outcome)"
        case .values(.equal, let expected):
            return outcome == .values(expected) ? nil : "expected \(CallOutcome.values(expected)), got \(outcome)"
        case .values(.notEqual, let expected):
            if case .values = outcome, outcome != .values(expected) { return nil }
            return "expected anything but \(CallOutcome.values(expected)), got \(outcome)"
        }
    }
}
