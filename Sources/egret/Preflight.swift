import EgretCodegen
import EgretFuzz
import EgretHarness
import EgretIR
import Foundation

/// A command line that cannot be run as given, found before any work starts: exit
/// status 2 (bad usage) or 3 (it asks for something Egret does not support yet, named
/// in the message).
struct CommandLineError: Error, CustomStringConvertible {
    var status: Int32
    var message: String

    static func usage(_ message: String) -> CommandLineError { CommandLineError(status: 2, message: message) }
    static func unsupported(_ message: String) -> CommandLineError { CommandLineError(status: 3, message: message) }

    var description: String { (status == 3 ? "egret: unsupported: " : "egret: error: ") + message }
}

/// Checks of a command line made before any work starts, so that a campaign never
/// runs for an hour to find its report path unusable at the end.
enum Preflight {
    /// A campaign's options: its generator options (`generator`) and its output and
    /// input directories (`paths`).
    static func campaign(_ options: CampaignOptions) throws {
        try generator(options)
        try paths(options)
    }

    /// `--ops` and `--types`: non-empty lists of names the generator can produce. An
    /// unknown name is a usage error; a CLIF opcode or type the backend does not lower
    /// yet is unsupported (3).
    static func generator(_ options: CampaignOptions) throws {
        var types = BackendSupport.types
        // Empty: not given; an empty name: an empty list, or two commas in a row.
        if !options.types.isEmpty {
            let names = options.types
            guard !names.contains(where: \.isEmpty) else {
                throw CommandLineError.usage("--types: give a comma-separated list of types, e.g. i32,i64,f64")
            }
            types = []
            for name in names {
                guard let type = IRType(name: Substring(name)) else {
                    throw CommandLineError.usage("--types: '\(Diagnostic.echo(name))' is not a CLIF type")
                }
                guard BackendSupport.types.contains(type) else {
                    throw CommandLineError.unsupported("--types: the backend does not lower \(type) yet (it lowers "
                        + BackendSupport.types.map(\.description).joined(separator: ", ") + ")")
                }
                types.append(type)
            }
        }
        if !options.opcodes.isEmpty {
            let names = options.opcodes
            guard !names.contains(where: \.isEmpty) else {
                throw CommandLineError.usage("--ops: give a comma-separated list of opcodes, e.g. iadd,udiv")
            }
            for name in names {
                guard let opcode = Opcode(name: Substring(name)) else {
                    throw CommandLineError.usage("--ops: '\(Diagnostic.echo(name))' is not a CLIF opcode")
                }
                let generated = OpcodeSignatures.generatedTypes(of: opcode)
                guard !generated.isEmpty else {
                    throw CommandLineError.unsupported("--ops: the backend does not lower \(name) yet, "
                        + "so the generator cannot produce it")
                }
                guard generated.contains(where: { !$0.isValid || types.contains($0) }) else {
                    throw CommandLineError.usage("--ops: \(name) is generated only at "
                        + generated.map(\.description).joined(separator: ", ") + ", which --types leaves out")
                }
            }
        }
    }

    /// `--report`, `--corpus` (directories that can be written) and `--from` (a
    /// directory with .clif files).
    static func paths(_ options: CampaignOptions) throws {
        if let from = options.fromDirectory {
            guard InputFile.isDirectory(from) else {
                throw CommandLineError.usage("--from: \(Diagnostic.echo(from)): "
                    + (FileManager.default.fileExists(atPath: from) ? "not a directory" : "no such directory"))
            }
            do {
                _ = try FiletestSuite.collectFiles([from])
            } catch let diagnostic as Diagnostic {
                throw CommandLineError.usage("--from: \(diagnostic.file): \(diagnostic.message)")
            }
        }
        if let report = options.reportDirectory { try writableDirectory(report, option: "--report") }
        if let corpus = options.corpusDirectory { try writableDirectory(corpus, option: "--corpus") }
    }

    /// A directory a command will write into: created (with its parents) if missing,
    /// then proven writable by creating and removing a file in it.
    static func writableDirectory(_ path: String, option: String) throws {
        let shown = "\(option): \(Diagnostic.echo(path))"
        if FileManager.default.fileExists(atPath: path) {
            guard InputFile.isDirectory(path) else { throw CommandLineError.usage("\(shown): is a file, not a directory") }
        } else {
            do {
                try OutputFile.makeDirectories(path)
            } catch let diagnostic as Diagnostic {
                throw CommandLineError.usage("\(option): \(diagnostic.file): \(diagnostic.message)")
            }
        }
        let probe = (path as NSString).appendingPathComponent(".egret-write-check-\(getpid())")
        if let failure = probeWrite(probe, existing: false) {
            throw CommandLineError.usage("\(shown): cannot be written: \(failure)")
        }
    }

    /// Opens `path` for writing as a command will (an existing file is not changed; a
    /// new one is created and removed again); the reason if that fails. Unlike
    /// access(2), this also holds for root and read-only file systems.
    static func probeWrite(_ path: String, existing: Bool) -> String? {
        // O_NONBLOCK: a FIFO without a reader fails (ENXIO) instead of blocking.
        let descriptor = existing ? open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
            : open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return String(cString: strerror(errno)) }
        close(descriptor)
        if !existing { unlink(path) }
        return nil
    }

    /// A file a command will write at the end of its work (`reduce -o`): its directory
    /// exists and can be written, and the path is not a directory.
    static func writableFile(_ path: String, option: String) throws {
        let shown = "\(option): \(Diagnostic.echo(path))"
        if InputFile.isDirectory(path) { throw CommandLineError.usage("\(shown): is a directory, not a file") }
        let parent = OutputFile.parentDirectory(path)
        let directory = parent.isEmpty ? "." : parent
        guard InputFile.isDirectory(directory) else {
            let why = FileManager.default.fileExists(atPath: directory) ? "is not a directory" : "does not exist"
            throw CommandLineError.usage("\(shown): \(Diagnostic.echo(directory)) \(why)")
        }
        let exists = FileManager.default.fileExists(atPath: path)
        if let failure = probeWrite(path, existing: exists) {
            throw CommandLineError.usage("\(shown): cannot be written: \(failure)")
        }
    }
}
