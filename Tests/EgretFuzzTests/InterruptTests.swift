import EgretTestSupport
import Foundation
import Testing
@testable import EgretFuzz

/// Findings are never only in memory: an interrupted campaign stores what it found
/// and reports; a corpus that cannot take a finding leaves it in its journal file.
@Suite(.serialized) struct InterruptTests {
    /// Every `.clif` file under `directory`.
    static func clifFiles(_ directory: String) -> [String] {
        PackagePaths.clifFiles(under: directory)
    }

    /// The journalled findings under a report directory (not the in-flight cases).
    static func journalled(_ reports: String) -> [String] {
        clifFiles(reports).filter { $0.contains("/findings/") }
    }

    /// SIGINT after the first finding: the finding is in the corpus (marked
    /// unreduced), the report is written and says so, and the exit status is 130.
    @Test func anInterruptedCampaignStoresItsFindingAndReports() throws {
        let directory = EgretCommand.scratch("interrupt")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: PackagePaths.egretExecutable)
        process.arguments = ["fuzz", "--cases", "1000000", "--jobs", "1", "--ops", "icmp",
                             "--plant-bug", "wrong-condition-code", "--corpus", "C", "--report", "R"]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        _ = FileManager.default.createFile(atPath: directory + "/output.txt", contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/output.txt"))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let deadline = Date().addingTimeInterval(180)
        while Self.journalled(directory + "/R").isEmpty && Date() < deadline && process.isRunning {
            Thread.sleep(forTimeInterval: 0.2)
        }
        #expect(!Self.journalled(directory + "/R").isEmpty, "no finding journalled within 180 s")
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 128 + SIGINT)
        let stored = Self.clifFiles(directory + "/C")
        let output = (try? String(contentsOfFile: directory + "/output.txt", encoding: .utf8)) ?? ""
        #expect(!stored.isEmpty, "\(output)")
        for path in stored {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.contains(Corpus.unreducedNote))
        }
        let runs = try FileManager.default.contentsOfDirectory(atPath: directory + "/R")
        #expect(runs.count == 1)
        let summary = try String(contentsOfFile: "\(directory)/R/\(runs[0])/summary.md", encoding: .utf8)
        #expect(summary.contains("| interrupted | by SIGINT"))
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/R/\(runs[0])/inflight"))
    }

    /// A corpus path that cannot be written (here a regular file): the error names the
    /// path and the finding stays in its journal file.
    @Test func aFindingTheCorpusCannotTakeStaysInTheJournal() throws {
        let directory = EgretCommand.scratch("unwritable")
        let blocker = directory + "/Corpus"
        try "not a directory".write(toFile: blocker, atomically: true, encoding: .utf8)
        var options = CampaignOptions()
        options.cases = 64
        options.jobs = 1
        options.opcodes = ["icmp"]
        options.plantedBug = "wrong-condition-code"
        options.reduce = false
        options.corpusDirectory = blocker
        options.reportDirectory = directory + "/Reports"
        options.workerCommand = [PackagePaths.egretExecutable, "fuzz-worker"]
        let result = try Campaign(options: options).run()
        let first = try #require(result.findings.first)
        #expect(first.corpusPath == nil)
        let journal = try #require(first.journalPath)
        #expect(FileManager.default.fileExists(atPath: journal))
        #expect(result.storageErrors.first?.contains("in \(blocker)") == true, "\(result.storageErrors)")
        #expect(result.storageErrors.first?.contains("kept in \(journal)") == true, "\(result.storageErrors)")
    }
}
