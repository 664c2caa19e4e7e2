import Foundation

/// Runs the `egret` executable of this build, for tests of the command line.
public struct EgretCommand {
    public var status: Int32
    /// Whether the process ended by a signal (then `status` is the signal).
    public var signalled: Bool
    public var output: String
    public var error: String

    /// Runs `egret arguments…` in `directory` (default: the current one), with
    /// `input` on its standard input, and waits for it.
    public static func run(_ arguments: [String], in directory: String? = nil, input: String = "") throws -> EgretCommand {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: PackagePaths.egretExecutable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let outputPipe = Pipe(), errorPipe = Pipe(), inputPipe = Pipe()
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        process.standardInput = inputPipe
        try process.run()
        inputPipe.fileHandleForWriting.write(Data(input.utf8))
        try? inputPipe.fileHandleForWriting.close()
        // Both pipes drained at once, so a chatty process never blocks on a full pipe.
        final class Box: @unchecked Sendable { var data = Data() }
        let errorBox = Box()
        let errorDone = DispatchSemaphore(value: 0)
        Thread {
            errorBox.data = errorPipe.fileHandleForReading.readDataToEndOfFile()
            errorDone.signal()
        }.start()
        let outputData = outputPipe.fileHandleForReading.readDataToEndOfFile()
        errorDone.wait()
        let errorData = errorBox.data
        process.waitUntilExit()
        return EgretCommand(status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
                            output: String(decoding: outputData, as: UTF8.self),
                            error: String(decoding: errorData, as: UTF8.self))
    }

    /// A fresh scratch directory for one test.
    public static func scratch(_ name: String) -> String {
        let path = NSTemporaryDirectory() + "egret-tests-\(getpid())-\(name)"
        try? FileManager.default.removeItem(atPath: path)
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
