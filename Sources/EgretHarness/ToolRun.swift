import Foundation

/// A program run to completion with a time limit, its output captured through files
/// (so a large output cannot block it): the C compiler and the linked program of
/// `egret run --aot`, and the tools the tests run.
public struct ToolRun: CustomStringConvertible {
    /// The exit status, or the signal when `signalled`.
    public var status: Int32 = -1
    public var signalled = false
    /// Whether it was killed for outliving `timeout`.
    public var timedOut = false
    public var stdout = ""
    public var stderr = ""

    public var description: String {
        "status \(status)\(signalled ? " (signal)" : "")\nstdout: \(stdout.prefix(2000))\nstderr: \(stderr.prefix(2000))"
    }

    /// Runs `executable arguments…` in `directory` (default: the current one) and
    /// waits for it, killing it (SIGKILL) after `timeout` seconds. A program that
    /// cannot be started has status -1 and the reason in `stderr`.
    public init(_ executable: String, _ arguments: [String], in directory: String? = nil, timeout: Double) {
        let outputs = NSTemporaryDirectory() + "egret-tool-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        defer { try? FileManager.default.removeItem(atPath: outputs) }
        do {
            try FileManager.default.createDirectory(atPath: outputs, withIntermediateDirectories: true)
            let out = outputs + "/stdout", err = outputs + "/stderr"
            _ = FileManager.default.createFile(atPath: out, contents: nil)
            _ = FileManager.default.createFile(atPath: err, contents: nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
            try process.run()
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning {
                if Date() > deadline {
                    timedOut = true
                    kill(process.processIdentifier, SIGKILL)
                    break
                }
                usleep(2_000)
            }
            process.waitUntilExit()
            status = process.terminationStatus
            signalled = process.terminationReason == .uncaughtSignal
            stdout = String(decoding: FileManager.default.contents(atPath: out) ?? Data(), as: UTF8.self)
            stderr = String(decoding: FileManager.default.contents(atPath: err) ?? Data(), as: UTF8.self)
        } catch {
            stderr = "\(executable): \(error)"
        }
    }
}
