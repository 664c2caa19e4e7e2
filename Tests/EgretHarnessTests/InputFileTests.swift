import EgretHarness
import EgretIR
import Foundation
import Testing

/// Reading an input file ends, whatever the path names, with the text or a diagnostic
/// in Egret's words that names the path.
struct InputFileTests {
    static func scratch(_ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "egret-input-tests-\(getpid())-\(name)"
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// The diagnostic `body` throws.
    static func diagnostic(_ body: () throws -> String) -> Diagnostic? {
        do {
            _ = try body()
            return nil
        } catch {
            return error as? Diagnostic
        }
    }

    @Test func aFileIsReadWholeAndBadUTF8IsRepaired() throws {
        let directory = try Self.scratch("text")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/a.clif"
        var bytes = Array("test run\n".utf8)
        bytes.append(0xFF)
        // Larger than one read, so that the loop is exercised.
        bytes.append(contentsOf: [UInt8](repeating: UInt8(ascii: "x"), count: 200_000))
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let text = try InputFile.read(path)
        #expect(text.hasPrefix("test run\n\u{FFFD}x"))
        #expect(text.utf8.count == 9 + 3 + 200_000)
    }

    @Test func devNullIsAnEmptyFile() throws {
        #expect(try InputFile.read("/dev/null") == "")
    }

    @Test func aMissingFileIsNamed() throws {
        let diagnostic = try #require(Self.diagnostic { try InputFile.read("/nonexistent/egret/a.clif") })
        #expect(diagnostic.file == "/nonexistent/egret/a.clif")
        #expect(diagnostic.description == "/nonexistent/egret/a.clif: error: no such file or directory")
    }

    @Test func aDirectoryIsNotAFile() throws {
        let directory = try Self.scratch("directory")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let diagnostic = try #require(Self.diagnostic { try InputFile.read(directory) })
        #expect(diagnostic.description == "\(directory): error: is a directory, not a file")
    }

    /// A device that never ends and a regular file past the limit are refused after at
    /// most `limit` bytes.
    @Test func endlessAndLargeInputsStopAtTheLimit() throws {
        let zero = try #require(Self.diagnostic { try InputFile.read("/dev/zero", limit: 1 << 20) })
        #expect(zero.file == "/dev/zero")
        #expect(zero.message.hasPrefix("is larger than 1 MiB"), "\(zero)")
        let directory = try Self.scratch("large")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/large.clif"
        try Data(count: 1001).write(to: URL(fileURLWithPath: path))
        let large = try #require(Self.diagnostic { try InputFile.read(path, limit: 1000) })
        #expect(large.message.hasPrefix("is larger than 1000 bytes"), "\(large)")
        #expect(try InputFile.read(path, limit: 1001).utf8.count == 1001)
    }

    @Test func theDefaultLimitIs64MiB() {
        #expect(InputFile.maxBytes == 64 << 20)
    }

    /// Output is written whole or not at all; a failure names the path and the reason.
    @Test func outputIsWrittenWholeOrNamesWhyNot() throws {
        let directory = try Self.scratch("output")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/deeper/still/out.clif"
        try OutputFile.makeDirectories(directory + "/deeper/still")
        let text = String(repeating: "0123456789", count: 100_000)
        try OutputFile.write(text, to: path)
        #expect(try InputFile.read(path) == text)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/deeper/still") == ["out.clif"])
        let missing = try #require(Self.diagnostic {
            try OutputFile.write("x", to: directory + "/missing/out.clif")
            return ""
        })
        #expect(missing.description == "\(directory)/missing/out.clif: error: cannot be written: No such file or directory")
        let blocked = try #require(Self.diagnostic {
            try OutputFile.makeDirectories(path + "/below")
            return ""
        })
        #expect(blocked.description == "\(path)/below: error: cannot be created: Not a directory")
    }

    /// Every file of a run is read the same way: an unreadable one is a diagnostic of
    /// its own, and a directory without .clif files is refused.
    @Test func theSuiteReadsThroughInputFile() throws {
        let directory = try Self.scratch("suite")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outcome = FiletestSuite().run(files: ["/dev/zero"]) { _ in }
        #expect(outcome.filesWithErrors == 1)
        #expect(outcome.exitStatus == 2)
        #expect(throws: Diagnostic.self) { try FiletestSuite.collectFiles([directory]) }
    }
}
