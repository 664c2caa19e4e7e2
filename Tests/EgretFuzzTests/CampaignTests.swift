import Foundation
import EgretTestSupport
import Testing
@testable import EgretFuzz

/// End-to-end campaigns through worker processes. They need the `egret` executable
/// next to the test bundle (`swift build` puts it there; ci/test builds it first).
@Suite(.serialized) struct CampaignTests {
    static var egret: String { PackagePaths.egretExecutable }

    static func scratch(_ name: String) -> String {
        let path = NSTemporaryDirectory() + "egret-tests-\(getpid())-\(name)"
        try? FileManager.default.removeItem(atPath: path)
        return path
    }

    static func options(_ name: String, cases: UInt64, ops: [String] = [], bug: String? = nil) -> CampaignOptions {
        var options = CampaignOptions()
        let directory = scratch(name)
        options.seed = 1
        options.cases = cases
        options.jobs = 2
        options.corpusDirectory = directory + "/Corpus"
        options.reportDirectory = directory + "/Reports"
        options.opcodes = ops
        options.plantedBug = bug
        options.workerCommand = [egret, "fuzz-worker"]
        return options
    }

    @Test func theWorkerExecutableIsBuilt() {
        #expect(FileManager.default.isExecutableFile(atPath: Self.egret),
                "build the egret executable first (swift build --product egret): \(Self.egret)")
    }

    @Test func aCleanCampaignWritesItsReport() throws {
        let result = try Campaign(options: Self.options("clean", cases: 60)).run()
        #expect(result.cases == 60)
        #expect(result.newFindings.isEmpty, "\(result.findings.map(\.finding.detail))")
        let report = try #require(result.reportPath)
        for file in ["report.json", "summary.md", "junit.xml", "index.html"] {
            #expect(FileManager.default.fileExists(atPath: "\(report)/\(file)"), "\(file)")
        }
        #expect(result.statistics.coverage.count > 50)
    }

    /// The planted bugs are found by a short campaign, reduced to at most 10
    /// instructions and stored in the corpus; the same campaign without them is clean.
    /// The first two findings are reduced: a bug that shows only under register
    /// pressure (wrong-callee-saved) can leave one finding at a local minimum a few
    /// instructions above that.
    @Test(arguments: [("wrong-condition-code", ["icmp"]), ("stack-offset-off-by-one", []),
                      ("wrong-callee-saved", ["imul", "iadd", "icmp"]),
                      ("store-without-trap-record", ["store", "istore8", "istore16", "istore32"])])
    func plantedBugsAreFoundReducedAndStored(bug: String, ops: [String]) throws {
        var options = Self.options("planted-\(bug)", cases: 100, ops: ops, bug: bug)
        options.maxReductions = 2
        // One worker: findings arrive in case order, so the same ones are reduced on
        // every run.
        options.jobs = 1
        let result = try Campaign(options: options).run()
        let reduced = result.findings.filter { $0.reduction != nil }
        #expect(!reduced.isEmpty, "\(bug) not found in 100 cases")
        var smallest = Int.max
        for item in reduced {
            smallest = min(smallest, item.reduction?.instructionsAfter ?? .max)
            let path = try #require(item.corpusPath)
            #expect(FileManager.default.fileExists(atPath: path))
        }
        #expect(smallest <= 10, "\(bug): reduced to \(smallest) instructions")
        // A reduced finding keeps its own kind of evidence (a crash's is not an earlier
        // candidate's).
        #expect(!result.findings.contains { $0.finding.signature.kind == .invalidCase },
                "\(result.findings.map(\.finding.signature.description))")
        if bug == "wrong-condition-code" {
            // The signature names the comparison, and the summary shows it in its own column.
            #expect(reduced.allSatisfy { $0.finding.signature.culprit?.hasPrefix("icmp.") == true },
                    "\(reduced.map(\.finding.signature.description))")
            let report = try #require(result.reportPath)
            let summary = try String(contentsOfFile: "\(report)/summary.md", encoding: .utf8)
            #expect(summary.contains("| opcode / rule |") && summary.contains("| `icmp."), "\(summary)")
        }

        var clean = Self.options("unplanted-\(bug)", cases: 100, ops: ops)
        clean.reduce = false
        let cleanResult = try Campaign(options: clean).run()
        #expect(cleanResult.newFindings.isEmpty, "\(cleanResult.findings.map(\.finding.signature.description))")
    }

    /// `egret fuzz --print-case N` prints exactly the case a campaign runs as case N.
    @Test func aCaseIsPrintedFromItsSeedAndIndex() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.egret)
        process.arguments = ["fuzz", "--print-case", "12", "--seed", "3", "--ops", "iadd,udiv"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let expected = ModuleGenerator(configuration: .narrowed(to: [.iadd, .udiv])).generate(seed: 3, index: 12).text
        #expect(String(decoding: data, as: UTF8.self) == expected)
    }

    /// A worker killed from outside loses nothing and leaves no finding behind: every
    /// case is still judged, the case in flight passes in a fresh worker, and the
    /// campaign finishes.
    @Test func aKilledWorkerLosesNothing() throws {
        var options = Self.options("kill", cases: 200)
        options.jobs = 1
        options.batchSize = 8
        let campaign = try Campaign(options: options)
        let killed = DispatchSemaphore(value: 0)
        // Written by the killer thread before it signals, read after the wait.
        final class Count: @unchecked Sendable { var value = 0 }
        let killedCount = Count()
        let killer = Thread {
            Thread.sleep(forTimeInterval: 1.0)
            for pid in CampaignTests.workerPids() where kill(pid, SIGKILL) == 0 { killedCount.value += 1 }
            killed.signal()
        }
        killer.start()
        let result = try campaign.run()
        killed.wait()
        #expect(killedCount.value >= 1, "no worker was running after 1 s")
        #expect(result.cases == 200)
        // The case in flight when the worker died passes in a fresh worker: not a
        // finding, only counted (or the worker died between cases).
        #expect(result.findings.isEmpty)
        #expect(result.workerRestarts == result.unconfirmedWorkerLosses)
        #expect(result.unconfirmedWorkerLosses <= killedCount.value)
    }

    /// Worker processes of this test process (children running fuzz-worker).
    static func workerPids() -> [Int32] {
        let me = getpid()
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap(Int32.init).filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let command = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8) else { return false }
            let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
            return fields.count > 1 && Int32(fields[1]) == me && command.contains("fuzz-worker")
        }
    }
}
