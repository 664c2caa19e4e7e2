import Foundation
import EgretTestSupport
import Testing
@testable import EgretIR

/// Every run test of Cranelift's filetests (a local export, CraneliftFiletests) parses,
/// or is reported as unsupported naming the feature; none is a parse error.
struct ParserConformanceTests {
    @Test(.enabled(if: CraneliftFiletests.isAvailable, Comment(rawValue: CraneliftFiletests.unavailableReason)))
    func craneliftRuntestsParseOrAreUnsupported() throws {
        let files = CraneliftFiletests.runtests()
        #expect(files.count > 300, "\(files.count) run tests in the export")
        var parsed = 0
        var unsupported: [String: Int] = [:]
        for file in files {
            guard let text = ParserTestSupport.read(file) else {
                Issue.record("cannot read \(file)")
                continue
            }
            do {
                _ = try CLIFParser.parse(text, fileName: file)
                parsed += 1
            } catch let diagnostic as Diagnostic {
                if case .unsupported(let feature) = diagnostic.kind {
                    unsupported[feature, default: 0] += 1
                } else {
                    Issue.record("\(diagnostic)")
                }
            }
        }
        let features = unsupported.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        print("ParserConformanceTests: \(files.count) run tests: \(parsed) parsed, "
            + "\(unsupported.values.reduce(0, +)) unsupported (\(features))")
    }
}
