import EgretIR
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading the files a user names: the one way every command reads its input files
/// (`run`, `interpret`, `compile`, `bench --code`, `reduce`, `corpus`, `fuzz --from`).
///
/// Guarantees: whatever the path names (a missing file, a directory, a device such as
/// `/dev/zero` that never ends, a file of gigabytes), reading ends and either returns
/// the text or throws a `Diagnostic` naming the path in Egret's words; it never reads
/// more than `limit` bytes. `/dev/null` reads as an empty file. Invalid UTF-8 is
/// repaired, so the parser reports where the bad bytes are.
public enum InputFile {
    /// The largest input read: 64 MiB. The parser's tokens address 2 GiB; the largest
    /// CLIF in practice (Cranelift's filetests, the fuzzer's cases) is kilobytes.
    public static let maxBytes = 64 << 20

    /// The text of the file at `path`.
    public static func read(_ path: String, limit: Int = maxBytes) throws -> String {
        String(decoding: try bytes(path, limit: limit), as: UTF8.self)
    }

    /// The bytes of the file at `path`, at most `limit` of them.
    public static func bytes(_ path: String, limit: Int = maxBytes) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure(path, errno) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw failure(path, errno) }
        let kind = status.st_mode & S_IFMT
        if kind == S_IFDIR { throw Diagnostic(.error, "is a directory, not a file", file: path) }
        if kind == S_IFREG && status.st_size > limit { throw tooLarge(path, limit: limit) }
        var bytes: [UInt8] = []
        if kind == S_IFREG { bytes.reserveCapacity(Int(status.st_size)) }
        let chunk = 1 << 16
        var buffer = [UInt8](repeating: 0, count: chunk)
        while true {
            let count = buffer.withUnsafeMutableBytes { raw in readChunk(descriptor, raw.baseAddress, chunk) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(path, errno)
            }
            guard bytes.count + count <= limit else { throw tooLarge(path, limit: limit) }
            bytes.append(contentsOf: buffer[0 ..< count])
        }
        return bytes
    }

    /// Whether `path` names a directory (following symbolic links).
    public static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR
    }

    private static func failure(_ path: String, _ code: Int32) -> Diagnostic {
        switch code {
        case ENOENT: return Diagnostic(.error, "no such file or directory", file: path)
        case EACCES: return Diagnostic(.error, "cannot be read: permission denied", file: path)
        case EISDIR: return Diagnostic(.error, "is a directory, not a file", file: path)
        default: return Diagnostic(.error, "cannot be read: \(String(cString: strerror(code)))", file: path)
        }
    }

    private static func tooLarge(_ path: String, limit: Int) -> Diagnostic {
        Diagnostic(.error, "is larger than \(limit >> 20 > 0 ? "\(limit >> 20) MiB" : "\(limit) bytes"), "
            + "the most Egret reads from an input file", file: path)
    }
}

/// read(2), outside `InputFile`, whose own `read` would hide it.
private func readChunk(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
