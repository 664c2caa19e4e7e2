import EgretCodegen
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A worker process seen from its parent (a campaign, `egret run`, the reducer):
/// started from a command line, fed lines on its standard input, read line by line
/// with a time limit. Its standard error goes to `errorLog`, where a crash leaves the
/// Swift runtime's crash report (WorkerCrashReport reads it).
///
/// Guarantees: `readLine(timeout:)` returns nil when the worker died (end of file) or
/// did not answer in time; `kill()` ends only this process (by its pid).
public final class WorkerProcess {
    private let process: Process
    private let input: FileHandle
    private let outputDescriptor: Int32
    private var buffer: [UInt8] = []
    private var bufferStart = 0
    /// Where the worker's standard error goes (nil: discarded).
    public let errorLog: String?
    /// Whether the last failed `readLine` ran out of time (rather than reaching the end).
    public private(set) var timedOut = false

    /// Seconds a worker may take to set up (load a seed corpus) before its `ready`.
    public static let startupTimeout: Double = 120

    /// The first line a worker writes, once it is set up.
    public static let ready = "ready"
    /// A line a worker writes before its answer when it will exit after that answer
    /// (its process is no longer trustworthy: compiled code faulted outside any trap
    /// record); the parent starts a fresh worker for what comes next.
    public static let restart = "restart"

    /// Starts the worker and waits for its `ready` line.
    public init(command: [String], errorLog: String? = nil) throws {
        guard let executable = command.first else { throw WorkerError.noCommand }
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(command.dropFirst())
        var environment = ProcessInfo.processInfo.environment
        // A crash report without colours or prompts, on standard error.
        environment["SWIFT_BACKTRACE"] = "enable=yes,interactive=no,color=no,output-to=stderr"
        process.environment = environment
        let stdinPipe = Pipe(), stdoutPipe = Pipe()
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        self.errorLog = errorLog
        var errorHandle: FileHandle?
        if let errorLog, FileManager.default.createFile(atPath: errorLog, contents: nil) {
            errorHandle = FileHandle(forWritingAtPath: errorLog)
        }
        process.standardError = errorHandle ?? FileHandle.nullDevice
        defer { try? errorHandle?.close() }
        try process.run()
        input = stdinPipe.fileHandleForWriting
        outputDescriptor = stdoutPipe.fileHandleForReading.fileDescriptor
        buffer.reserveCapacity(1 << 16)
        guard readLine(timeout: Self.startupTimeout) == Self.ready else {
            kill()
            throw WorkerError.didNotStart(command.joined(separator: " "))
        }
    }

    public var pid: Int32 { process.processIdentifier }

    /// A time limit as messages show it: `5 s`, `0.5 s`.
    public static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : String(format: "%.1f s", value)
    }

    /// Sends one command line; false when the worker is gone.
    public func send(_ line: String) -> Bool {
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
    public func readLine(timeout: Double) -> String? {
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
    public func kill() {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        try? input.close()
        process.waitUntilExit()
    }

    /// Closes its input (it exits by itself) and waits.
    public func finish() {
        try? input.close()
        process.waitUntilExit()
    }

    /// How the process ended, once it has: `SIGSEGV`, `exit 1`.
    public var endDescription: String {
        process.waitUntilExit()
        switch process.terminationReason {
        case .uncaughtSignal: return JITFault.signalName(process.terminationStatus)
        case .exit: return "exit \(process.terminationStatus)"
        @unknown default: return "ended"
        }
    }

    /// Why the worker died, once it has: the signal and, when the Swift runtime left a
    /// crash report, what it says and where (`SIGILL: Swift runtime failure:
    /// arithmetic overflow in FrameLayout.layout(_:) at FrameLayout.swift:88:20`).
    public var crashDescription: String {
        let ending = endDescription
        guard let errorLog, let data = FileManager.default.contents(atPath: errorLog),
              let report = WorkerCrashReport(String(decoding: data.suffix(1 << 20), as: UTF8.self)) else { return ending }
        return "\(ending): \(report)"
    }
}

public enum WorkerError: Error, CustomStringConvertible {
    case noCommand
    case didNotStart(String)

    public var description: String {
        switch self {
        case .noCommand: return "no worker command"
        case .didNotStart(let command): return "the worker did not start (\(command))"
        }
    }
}

/// What the Swift runtime's crash report says: the headline (`Swift runtime failure:
/// arithmetic overflow`, `Program crashed: Bad pointer dereference at 0x…`) and the
/// first frame of the crashed thread that is not the runtime's own, with its source
/// location when the binary has one.
public struct WorkerCrashReport: Hashable, Sendable, CustomStringConvertible {
    public var headline: String
    public var function: String?
    public var source: String?

    /// Parses a crash report; nil when `text` has none.
    public init?(_ text: String) {
        var headline: String?
        var inCrashedThread = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("*** "), trimmed.hasSuffix(" ***"), !trimmed.hasPrefix("*** Signal ") {
                headline = String(trimmed.dropFirst(4).dropLast(4))
            } else if trimmed.hasPrefix("Thread "), trimmed.hasSuffix("crashed:") {
                inCrashedThread = true
            } else if inCrashedThread, function == nil, let frame = Self.frame(trimmed) {
                function = frame.function
                source = frame.source
            } else if inCrashedThread, trimmed.isEmpty, function != nil {
                break
            }
        }
        guard let headline else { return nil }
        self.headline = headline
    }

    /// `N [inlined] 0x… symbol + 12 in image at /path/File.swift:3:14`: the symbol and
    /// `File.swift:3:14`, for frames that are not the runtime's (`[system]`).
    private static func frame(_ line: String) -> (function: String, source: String?)? {
        guard let first = line.first, first.isNumber, !line.contains("[system]"),
              let address = line.range(of: " 0x") else { return nil }
        let afterAddress = line[address.upperBound...].drop { $0 != " " }.dropFirst()
        guard let imageMarker = afterAddress.range(of: " in ") else { return nil }
        var symbol = afterAddress[..<imageMarker.lowerBound]
        if let offset = symbol.range(of: " + ", options: .backwards) { symbol = symbol[..<offset.lowerBound] }
        var source: String?
        if let at = afterAddress.range(of: " at ", options: .backwards) {
            source = afterAddress[at.upperBound...].split(separator: "/").last.map(String.init)
        }
        return (String(symbol), source)
    }

    public var description: String {
        var text = headline
        if let function { text += " in \(function)" }
        if let source { text += " at \(source)" }
        return text
    }
}

/// The worker side's process hygiene.
public enum WorkerSide {
    /// Asks Linux to kill this worker when its parent dies (`prctl(PR_SET_PDEATHSIG,
    /// SIGKILL)`, looked up by name as the Glibc module does not import it): a run that
    /// hangs must not outlive its parent. A Ctrl-C or hang-up on the terminal is the
    /// parent's to handle (it stops its workers itself), so the worker ignores them.
    public static func dieWithParent() {
        signal(SIGINT, SIG_IGN)
        signal(SIGHUP, SIG_IGN)
        #if os(Linux)
        typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "prctl") else { return }
        let setParentDeathSignal: Int32 = 1
        _ = unsafeBitCast(symbol, to: Prctl.self)(setParentDeathSignal, UInt(SIGKILL), 0, 0, 0)
        #endif
    }

    /// Runs `body` on a thread with a 64 MiB stack and waits for it. A JIT call looks
    /// up its thread's stack bounds, which for the main thread means glibc parsing
    /// /proc/self/maps on every call; for other threads it is a memory read.
    public static func runOnWorkerThread(_ body: @escaping () -> Void) {
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            body()
            done.signal()
        }
        thread.stackSize = 64 << 20
        thread.start()
        done.wait()
    }
}
