import Foundation
import Testing

/// The `egret` executable as a user and CI meet it: exit statuses (0 all passed, 1 a
/// finding, 2 bad input or usage, 3 unsupported) and Egret's own messages, naming the
/// option, path or file:line:col. Runs the built executable (CampaignTests.egret).
@Suite struct CommandLineTests {
    /// What a run of `egret` did.
    struct Outcome: CustomStringConvertible {
        var status: Int32
        var stdout: String
        var stderr: String
        var timedOut: Bool

        var description: String { "status \(status)\nstdout: \(stdout.prefix(2000))\nstderr: \(stderr.prefix(2000))" }
    }

    /// A fresh scratch directory for one test.
    static func scratch(_ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "egret-cli-tests-\(getpid())-\(name)"
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Runs `egret arguments…` in `directory`, killing it after `timeout` seconds.
    /// Output goes through files, so a large one cannot block the child.
    static func egret(_ arguments: [String], in directory: String? = nil, timeout: Double = 120) throws -> Outcome {
        let outputs = try scratch("output-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(atPath: outputs) }
        let stdoutPath = outputs + "/stdout", stderrPath = outputs + "/stderr"
        try #require(FileManager.default.createFile(atPath: stdoutPath, contents: nil))
        try #require(FileManager.default.createFile(atPath: stderrPath, contents: nil))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CampaignTests.egret)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline {
                timedOut = true
                process.terminate()
                break
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        process.waitUntilExit()
        let stdout = String(decoding: FileManager.default.contents(atPath: stdoutPath) ?? Data(), as: UTF8.self)
        let stderr = String(decoding: FileManager.default.contents(atPath: stderrPath) ?? Data(), as: UTF8.self)
        return Outcome(status: process.terminationStatus, stdout: stdout, stderr: stderr, timedOut: timedOut)
    }

    // MARK: Usage errors

    /// Every usage error exits 2 (the argument parser's own status is 64) with an
    /// `egret: error:` message; help exits 0.
    @Test(arguments: [
        ["fuzz", "--bogus"],
        ["run"],
        ["frobnicate"],
        ["corpus", "replay", "a", "b"],
        ["compile"],
        ["--version"],
    ])
    func usageErrorsExitTwo(arguments: [String]) throws {
        let outcome = try Self.egret(arguments)
        #expect(outcome.status == 2, "\(outcome)")
        #expect(outcome.stderr.hasPrefix("egret: error: "), "\(outcome)")
    }

    @Test(arguments: [["--help"], ["fuzz", "--help"], ["help", "reduce"], [], ["corpus"]])
    func helpExitsZero(arguments: [String]) throws {
        let outcome = try Self.egret(arguments)
        #expect(outcome.status == 0, "\(outcome)")
        #expect(outcome.stdout.contains("USAGE: egret"), "\(outcome)")
        #expect(outcome.stderr.isEmpty, "\(outcome)")
    }

    /// A value the parser rejects is repeated shortened, however long it is (Linux
    /// takes arguments of up to 128 KiB).
    @Test func aHugeValueIsEchoedShortened() throws {
        let digits = String(repeating: "9", count: 100_000)
        let outcome = try Self.egret(["fuzz", "--jobs", digits])
        #expect(outcome.status == 2, "\(outcome)")
        #expect(outcome.stderr.contains("--jobs"), "\(outcome)")
        #expect(outcome.stderr.utf8.count < 1000, "a message of \(outcome.stderr.utf8.count) bytes")
        #expect(outcome.stderr.contains(String(repeating: "9", count: 40) + "…"), "\(outcome)")
    }
}
