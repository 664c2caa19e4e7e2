import EgretCodegen
import EgretIR
import Foundation

/// Writes `Reports/<run>/`: `report.json` (machine-readable), `summary.md`,
/// `junit.xml` (one test case per finding, plus one for the campaign) and
/// `index.html` (coverage heat map, throughput over time, trap codes, findings with
/// their reduced test, VCode and disassembly).
public struct CampaignReport {
    public let result: CampaignResult
    public let configuration: GeneratorConfiguration

    public init(result: CampaignResult, configuration: GeneratorConfiguration) {
        self.result = result
        self.configuration = configuration
    }

    public func write(to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try json().write(toFile: "\(directory)/report.json", atomically: true, encoding: .utf8)
        try summary().write(toFile: "\(directory)/summary.md", atomically: true, encoding: .utf8)
        try junit().write(toFile: "\(directory)/junit.xml", atomically: true, encoding: .utf8)
        try html().write(toFile: "\(directory)/index.html", atomically: true, encoding: .utf8)
    }

    // MARK: Figures

    var universe: [String] { OpcodeSignatures.coverageUniverse(configuration: configuration) }

    var coveredCount: Int { universe.filter { (result.statistics.coverage[$0] ?? 0) > 0 }.count }

    /// Every shape the generator can produce (0 when no case had it) and every shape
    /// seen, with the number of cases that had it.
    var shapeCounts: [String: Int] {
        var counts = result.statistics.shapes
        for shape in ShapeCoverage.expected(configuration: configuration) where counts[shape] == nil { counts[shape] = 0 }
        return counts
    }

    var averageInstructions: Double {
        result.cases > 0 ? Double(result.instructions) / Double(result.cases) : 0
    }

    var averageInputs: Double { result.cases > 0 ? Double(result.inputs) / Double(result.cases) : 0 }

    // MARK: report.json

    struct JSONFinding: Codable {
        var signature: String
        var kind: String
        /// The instruction and rule the mismatch starts at, when known.
        var culprit: String?
        var caseIndex: UInt64
        var input: String?
        var interpreter: String?
        var compiled: String?
        var detail: String
        var duplicate: Bool
        var corpusPath: String?
        var reduction: ReductionResult?
    }

    struct JSONReport: Codable {
        var seed: UInt64
        var shard: String
        var cases: UInt64
        var seconds: Double
        var casesPerSecond: Double
        var jobs: Int
        var averageInstructionsPerCase: Double
        var averageInputsPerCase: Double
        var workerRestarts: Int
        /// Workers lost on a case that passed in a fresh worker: not findings.
        var unconfirmedWorkerLosses: Int
        /// The signal that interrupted the campaign, by name.
        var interruptedBy: String?
        var storageErrors: [String]
        var coverage: [String: Int]
        var coverageUniverse: Int
        var outcomes: [String: Int]
        var shapes: [String: Int]
        var throughput: [[Double]]
        var findings: [JSONFinding]
    }

    func json() -> String {
        let findings = result.findings.map { item in
            JSONFinding(signature: item.finding.signature.description, kind: item.finding.signature.kind.rawValue,
                        culprit: item.finding.signature.culprit,
                        caseIndex: item.caseIndex, input: item.finding.input,
                        interpreter: item.finding.interpreterResult, compiled: item.finding.compiledResult,
                        detail: item.finding.detail, duplicate: item.isDuplicate, corpusPath: item.corpusPath,
                        reduction: item.reduction)
        }
        let report = JSONReport(seed: result.options.seed,
                                shard: "\(result.options.shardIndex)/\(result.options.shardCount)",
                                cases: result.cases, seconds: result.elapsed, casesPerSecond: result.casesPerSecond,
                                jobs: result.options.jobs, averageInstructionsPerCase: averageInstructions,
                                averageInputsPerCase: averageInputs, workerRestarts: result.workerRestarts,
                                unconfirmedWorkerLosses: result.unconfirmedWorkerLosses,
                                interruptedBy: result.interruptedBy.map(JITFault.signalName),
                                storageErrors: result.storageErrors,
                                coverage: result.statistics.coverage, coverageUniverse: universe.count,
                                outcomes: result.statistics.outcomes, shapes: shapeCounts,
                                throughput: result.throughput.map { [$0.0, Double($0.1)] }, findings: findings)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return (try? encoder.encode(report)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    // MARK: summary.md

    func summary() -> String {
        var text = "# egret fuzz: seed \(result.options.seed), shard \(result.options.shardIndex)/\(result.options.shardCount)\n\n"
        text += "| | |\n|---|---|\n"
        text += "| cases | \(result.cases) |\n"
        text += "| time | \(String(format: "%.1f", result.elapsed)) s on \(result.options.jobs) worker(s) |\n"
        text += "| cases/s | \(String(format: "%.0f", result.casesPerSecond)) |\n"
        text += "| instructions per case | \(String(format: "%.1f", averageInstructions)) |\n"
        text += "| inputs per case | \(String(format: "%.1f", averageInputs)) |\n"
        text += "| coverage | \(coveredCount) of \(universe.count) opcode×type pairs |\n"
        text += "| worker restarts | \(result.workerRestarts) (\(result.unconfirmedWorkerLosses) lost on a case that passed "
            + "in a fresh worker) |\n"
        if let signal = result.interruptedBy {
            text += "| interrupted | by \(JITFault.signalName(signal)); findings stored unreduced |\n"
        }
        for error in result.storageErrors { text += "| storage error | \(error) |\n" }
        text += "| findings | \(result.findings.count) (\(result.newFindings.count) new) |\n\n"
        text += "## Outcomes on the interpreter (values, traps by code)\n\n"
        for (key, count) in result.statistics.outcomes.sorted(by: { $0.key < $1.key }) { text += "- \(key): \(count)\n" }
        text += "\n## Control flow, calls and frames (cases with each shape)\n\n"
        for (key, count) in shapeCounts.sorted(by: { $0.key < $1.key }) { text += "- \(key): \(count)\n" }
        if !result.findings.isEmpty {
            text += "\n## Findings\n\n| case | kind | opcode / rule | signature | reduced | stored as |\n"
            text += "|---|---|---|---|---|---|\n"
        }
        for item in result.findings {
            let signature = item.finding.signature
            text += "| \(item.caseIndex) | \(signature.kind.rawValue) | "
                + (signature.culprit.map { "`\($0)`" } ?? "-") + " | `\(signature.location)`"
                + (item.isDuplicate ? " (duplicate)" : "") + " | "
            if let reduction = item.reduction {
                text += "\(reduction.instructionsBefore) → \(reduction.instructionsAfter) instructions"
            } else {
                text += "-"
            }
            text += " | " + (item.corpusPath.map { "`\($0)`" } ?? "-") + " |\n"
        }
        let missing = universe.filter { (result.statistics.coverage[$0] ?? 0) == 0 }
        if !missing.isEmpty { text += "\n## Not covered\n\n" + missing.joined(separator: ", ") + "\n" }
        return text
    }

    // MARK: junit.xml

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    func junit() -> String {
        let fresh = result.newFindings
        var text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        text += "<testsuite name=\"egret-fuzz\" tests=\"\(1 + fresh.count)\" failures=\"\(fresh.count)\" "
            + "time=\"\(String(format: "%.3f", result.elapsed))\">\n"
        text += "  <testcase classname=\"egret.fuzz\" name=\"campaign seed \(result.options.seed) "
            + "(\(result.cases) cases)\"/>\n"
        for item in fresh {
            text += "  <testcase classname=\"egret.fuzz.\(item.finding.signature.kind.rawValue)\" "
                + "name=\"case \(item.caseIndex)\">\n"
            text += "    <failure message=\"\(Self.escape(item.finding.signature.description))\">"
                + Self.escape(item.finding.detail + "\n\n" + (item.reducedText ?? item.originalText)) + "</failure>\n"
            text += "  </testcase>\n"
        }
        return text + "</testsuite>\n"
    }
}
