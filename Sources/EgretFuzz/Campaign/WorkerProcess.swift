import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A worker process seen from the campaign: started from a command line, fed lines on
/// its standard input, read line by line with a time limit.
///
/// Guarantees: `readLine(timeout:)` returns nil when the worker died (end of file) or
/// did not answer in time; `kill()` ends only this process (by its pid).
final class WorkerProcess {
    private let process: Process
    private let input: FileHandle
    private let outputDescriptor: Int32
    private var buffer: [UInt8] = []
    private var bufferStart = 0
    /// Whether the last failed `readLine` ran out of time (rather than reaching the end).
    private(set) var timedOut = false

    /// Seconds a worker may take to set up (load a seed corpus) before its `ready`.
    static let startupTimeout: Double = 120

    /// Starts the worker and waits for its `ready` line.
    init(command: [String]) throws {
        guard let executable = command.first else { throw CampaignError.noWorkerCommand }
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(command.dropFirst())
        let stdinPipe = Pipe(), stdoutPipe = Pipe()
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        input = stdinPipe.fileHandleForWriting
        outputDescriptor = stdoutPipe.fileHandleForReading.fileDescriptor
        buffer.reserveCapacity(1 << 16)
        guard readLine(timeout: Self.startupTimeout) == WorkerProtocol.ready else {
            kill()
            throw CampaignError.workerFailed("the worker did not start (\(command.joined(separator: " ")))")
        }
    }

    var pid: Int32 { process.processIdentifier }

    /// Sends one command line; false when the worker is gone.
    func send(_ line: String) -> Bool {
        let bytes = Array((line + "\n").utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { raw in
                Glibc.write(input.fileDescriptor, raw.baseAddress, raw.count)
            }
            if count <= 0 { return false }
            written += count
        }
        return true
    }

    /// The next line of output, or nil at end of file or after `timeout` seconds.
    func readLine(timeout: Double) -> String? {
        timedOut = false
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let newline = buffer[bufferStart...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[bufferStart ..< newline], as: UTF8.self)
                bufferStart = newline + 1
                if bufferStart > 1 << 15 {
                    buffer.removeFirst(bufferStart)
                    bufferStart = 0
                }
                return line
            }
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 {
                timedOut = true
                return nil
            }
            var descriptor = pollfd(fd: outputDescriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(remaining, 1.0) * 1000) + 1)
            if ready < 0 && errno != EINTR { return nil }
            if ready <= 0 { continue }
            var chunk = [UInt8](repeating: 0, count: 1 << 14)
            let count = chunk.withUnsafeMutableBytes { raw in Glibc.read(outputDescriptor, raw.baseAddress, raw.count) }
            if count <= 0 { return nil }
            buffer.append(contentsOf: chunk[0 ..< count])
        }
    }

    /// Ends the worker (SIGKILL) and reaps it.
    func kill() {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        try? input.close()
        process.waitUntilExit()
    }

    /// Closes its input (it exits by itself) and waits.
    func finish() {
        try? input.close()
        process.waitUntilExit()
    }

    /// How the process ended, once it has: "signal 9", "exit 1".
    var endDescription: String {
        process.waitUntilExit()
        switch process.terminationReason {
        case .uncaughtSignal: return "signal \(process.terminationStatus)"
        case .exit: return "exit \(process.terminationStatus)"
        @unknown default: return "ended"
        }
    }
}

public enum CampaignError: Error, CustomStringConvertible {
    case noWorkerCommand
    case workerFailed(String)
    case badArgument(String)

    public var description: String {
        switch self {
        case .noWorkerCommand: return "no worker command"
        case .workerFailed(let why): return "worker failed: \(why)"
        case .badArgument(let why): return why
        }
    }
}
