import Foundation
import Testing
@testable import EgretIR

/// Every file of the conformance tiers (`shared/conformance/tier{1,2,3}.txt`, paths
/// relative to a local export of Cranelift's filetests) parses, or is reported as
/// unsupported naming the feature; none is a parse error. The export is read only
/// when present (it is never copied into the project); the test says when it skipped.
struct ParserConformanceTests {
    static let exportDirectory = "/work/cranelift-tests"
    static let listsDirectory = ParserTestSupport.packageRoot + "/../shared/conformance"

    @Test func tierFilesParseOrAreUnsupported() throws {
        var files: [String] = []
        for tier in 1 ... 3 {
            guard let list = ParserTestSupport.read("\(Self.listsDirectory)/tier\(tier).txt") else { continue }
            files += list.split(whereSeparator: \.isNewline).map { "\(Self.exportDirectory)/\($0)" }
        }
        guard !files.isEmpty, FileManager.default.fileExists(atPath: Self.exportDirectory) else {
            print("ParserConformanceTests: tier lists or \(Self.exportDirectory) not found; conformance skipped")
            return
        }
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
        print("ParserConformanceTests: \(files.count) tier files: \(parsed) parsed, "
            + "\(unsupported.values.reduce(0, +)) unsupported (\(features))")
    }
}
