import Foundation

/// A run of the `egret` executable of this build, for tests of the command line: its
/// exit status and output.
public struct EgretCommand: CustomStringConvertible {
    public var status: Int32
    /// Whether the process ended by a signal (then `status` is the signal).
    public var signalled: Bool
    /// Whether it was killed for outliving its time limit.
    public var timedOut: Bool
    public var stdout: String
    public var stderr: String

    public var description: String {
        "status \(status)\(signalled ? " (signal)" : "")\nstdout: \(stdout.prefix(2000))\nstderr: \(stderr.prefix(2000))"
    }

    /// Runs `egret arguments…` in `directory` (default: the current one), killing it
    /// after `timeout` seconds. Output goes through files, so a large one cannot block
    /// the child.
    public static func run(_ arguments: [String], in directory: String? = nil, timeout: Double = 120) throws -> EgretCommand {
        try run(executable: PackagePaths.egretExecutable, arguments, in: directory, timeout: timeout)
    }

    /// Runs a system tool (`gcc`, `readelf`…), found on the PATH, as `run` runs egret.
    public static func tool(_ name: String, _ arguments: [String], in directory: String? = nil,
                            timeout: Double = 120) throws -> EgretCommand {
        try run(executable: "/usr/bin/env", [name] + arguments, in: directory, timeout: timeout)
    }

    /// Runs `executable arguments…`.
    public static func run(executable: String, _ arguments: [String], in directory: String? = nil,
                           timeout: Double = 120) throws -> EgretCommand {
        let outputs = scratch("output")
        defer { try? FileManager.default.removeItem(atPath: outputs) }
        let stdoutPath = outputs + "/stdout", stderrPath = outputs + "/stderr"
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
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
        return EgretCommand(status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
                            timedOut: timedOut, stdout: stdout, stderr: stderr)
    }

    /// A fresh, empty scratch directory for one test (unique: the cases of a
    /// parameterised test run in parallel).
    public static func scratch(_ name: String) -> String {
        let path = NSTemporaryDirectory() + "egret-tests-\(getpid())-\(name)-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.removeItem(atPath: path)
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
