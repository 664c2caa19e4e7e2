import EgretIR
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing the files a command produces (`reduce -o`, counterexamples, merged corpus
/// cases): whole or not at all, with a failure in Egret's words that names the path
/// and the system's reason ("No such file or directory", "No space left on device"),
/// so that the caller can say where the result went instead.
public enum OutputFile {
    /// Writes `text` to `path` through a temporary file beside it, renamed over `path`
    /// once complete: a reader never sees half a file. Throws a `Diagnostic` naming
    /// `path`.
    public static func write(_ text: String, to path: String) throws {
        try write(bytes: Array(text.utf8), to: path)
    }

    /// Writes `bytes` to `path` as `write(_:to:)` writes text.
    public static func write(bytes: [UInt8], to path: String) throws {
        let temporary = "\(path).egret-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure(path, errno) }
        var written = 0
        var code: Int32 = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { raw in
                writeChunk(descriptor, raw.baseAddress.map { $0 + written }, raw.count - written)
            }
            if count < 0 {
                if errno == EINTR { continue }
                code = errno
                break
            }
            written += count
        }
        if close(descriptor) != 0 && code == 0 { code = errno }
        if code == 0 && rename(temporary, path) != 0 { code = errno }
        if code != 0 {
            unlink(temporary)
            throw failure(path, code)
        }
    }

    /// Creates the directory `path` and its missing parents (as `mkdir -p`). Throws a
    /// `Diagnostic` naming `path` and the reason.
    public static func makeDirectories(_ path: String) throws {
        if let reason = directoryFailure(path) {
            throw Diagnostic(.error, "cannot be created: \(reason)", file: path)
        }
    }

    private static func directoryFailure(_ path: String) -> String? {
        let parent = parentDirectory(path)
        if !parent.isEmpty && parent != path && !FileManager.default.fileExists(atPath: parent),
           let reason = directoryFailure(parent) {
            return reason
        }
        guard mkdir(path, 0o777) == 0 || errno == EEXIST else { return String(cString: strerror(errno)) }
        return InputFile.isDirectory(path) ? nil : String(cString: strerror(ENOTDIR))
    }

    /// The directory `path` lies in: `a/b` for `a/b/c/`, `/` for `/a`, empty for `a`.
    /// (Foundation's `deletingLastPathComponent` traps on some short relative paths.)
    public static func parentDirectory(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        if slash == trimmed.startIndex { return "/" }
        return String(trimmed[..<slash])
    }

    private static func failure(_ path: String, _ code: Int32) -> Diagnostic {
        Diagnostic(.error, "cannot be written: \(String(cString: strerror(code)))", file: path)
    }
}

/// write(2), outside `OutputFile`, whose own `write` would hide it.
private func writeChunk(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
