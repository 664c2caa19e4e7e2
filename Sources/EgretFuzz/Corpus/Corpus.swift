import EgretHarness
import EgretIR
import Foundation

/// The regression corpus: `Corpus/<kind>/<hash>.clif`, each a runnable test with a
/// comment header.
///
///     ; egret corpus: value-mismatch: jit[declared]: values differ
///     ; status: open
///     ; interpreter: 7   compiled: 8   input: %f0(1)
///     ; seed 1, case 1234, found 2026-11-25
///
/// The hash is FNV-1a (64 bits) of the case text without its header, so the same case
/// gets the same name on every machine and shard, and merging corpora is a union of
/// files. The signature line is what deduplicates: a new finding whose signature some
/// corpus file already has is a duplicate. `status: open` marks a bug not fixed yet;
/// replaying reports open files without failing (CorpusReplay).
public struct Corpus {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public static let signaturePrefix = "; egret corpus: "
    public static let openStatus = "; status: open"

    /// A stable content hash of the case text (header lines removed).
    public static func contentHash(_ text: String) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in body(of: text).utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The text without the corpus header (the leading `; egret …`/`; status` lines).
    static func body(of text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("; egret ") && !$0.hasPrefix("; status:") && !$0.hasPrefix("; interpreter:")
                && !$0.hasPrefix("; seed ") }
            .joined(separator: "\n")
    }

    /// Throws a `Diagnostic` naming the directory unless it exists and is one: a
    /// corpus to replay or merge from that is not there is a typo, not an empty corpus.
    public func requireDirectory() throws {
        guard FileManager.default.fileExists(atPath: directory) else {
            throw Diagnostic(.error, "no such corpus directory", file: directory)
        }
        guard InputFile.isDirectory(directory) else {
            throw Diagnostic(.error, "is not a directory (a corpus is a directory of .clif files)", file: directory)
        }
    }

    /// Every corpus file: (path, signature line, open?). A file that cannot be read
    /// has an empty signature (replaying it reports why).
    public func entries() -> [(path: String, signature: String, isOpen: Bool)] {
        let manager = FileManager.default
        guard let enumerator = manager.enumerator(atPath: directory) else { return [] }
        var entries: [(String, String, Bool)] = []
        while let relative = enumerator.nextObject() as? String {
            guard relative.hasSuffix(".clif") else { continue }
            let path = "\(directory)/\(relative)"
            guard let text = try? InputFile.read(path) else {
                entries.append((path, "", false))
                continue
            }
            let lines = text.split(separator: "\n")
            let signature = lines.first { $0.hasPrefix(Corpus.signaturePrefix) }
                .map { String($0.dropFirst(Corpus.signaturePrefix.count)) } ?? ""
            entries.append((path, signature, lines.contains { $0.hasPrefix(Corpus.openStatus) }))
        }
        return entries.sorted { $0.0 < $1.0 }
    }

    /// Signatures already in the corpus; with `openOnly`, those of open (unfixed) cases
    /// only: a campaign treats a finding as known when an open case has its signature,
    /// while a fixed case failing again is news (and ci/test reports it).
    public func knownSignatures(openOnly: Bool = false) -> Set<String> {
        Set(entries().filter { !openOnly || $0.isOpen }.map(\.signature))
    }

    /// The header line of a case stored as found, without reduction (the campaign was
    /// interrupted, or the case did not fail the same way again).
    public static let unreducedNote = "; egret note: unreduced"

    /// Stores a finding as a runnable test; returns its path.
    @discardableResult
    public func store(_ finding: Finding, text: String, seed: UInt64, caseIndex: UInt64,
                      isOpen: Bool = true, unreduced: Bool = false) throws -> String {
        let date = ISO8601DateFormatter().string(from: Date()).prefix(10)
        var header = "\(Corpus.signaturePrefix)\(finding.signature)\n"
        if isOpen { header += "\(Corpus.openStatus)\n" }
        if unreduced { header += "\(Corpus.unreducedNote)\n" }
        header += "; interpreter: \(finding.interpreterResult ?? "-")   compiled: \(finding.compiledResult ?? "-")"
            + "   input: \(finding.input ?? "-")\n"
        header += "; seed \(seed), case \(caseIndex), found \(date)\n"
        let body = Corpus.body(of: text)
        let kindDirectory = "\(directory)/\(finding.signature.kind.rawValue)"
        try FileManager.default.createDirectory(atPath: kindDirectory, withIntermediateDirectories: true)
        let path = "\(kindDirectory)/\(Corpus.contentHash(body)).clif"
        try (header + body).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Copies into this corpus every file of `other` whose content hash is new and whose
    /// signature is not here yet (`egret corpus merge`); returns the paths added.
    /// Throws a `Diagnostic` naming the path: `other` is missing or not a directory, this
    /// corpus is `other` or inside it (merging would copy it into itself), a file
    /// cannot be read or written.
    public func merge(from other: Corpus) throws -> [String] {
        try checkMerge(from: other)
        var known = knownSignatures()
        var added: [String] = []
        for entry in other.entries() where !known.contains(entry.signature) {
            let text = try InputFile.read(entry.path)
            let kind = URL(fileURLWithPath: entry.path).deletingLastPathComponent().lastPathComponent
            let kindDirectory = "\(directory)/\(kind)"
            let path = "\(kindDirectory)/\(Corpus.contentHash(text)).clif"
            if FileManager.default.fileExists(atPath: path) { continue }
            try OutputFile.makeDirectories(kindDirectory)
            try OutputFile.write(text, to: path)
            known.insert(entry.signature)
            added.append(path)
        }
        return added
    }

    /// Throws what `merge(from: other)` would refuse before copying anything: `other`
    /// missing or not a directory, this corpus not a directory, or this corpus `other`
    /// itself or inside it.
    public func checkMerge(from other: Corpus) throws {
        try other.requireDirectory()
        if FileManager.default.fileExists(atPath: directory) { try requireDirectory() }
        let source = Corpus.resolved(other.directory), destination = Corpus.resolved(directory)
        if destination == source || destination.hasPrefix(source.hasSuffix("/") ? source : source + "/") {
            throw Diagnostic(.error, "cannot merge a corpus into itself or into a directory inside it "
                             + "(\(Diagnostic.echo(other.directory)))", file: directory)
        }
    }

    /// `path` absolute, `.` and `..` removed and symbolic links resolved as far as it
    /// exists (a destination to be created is compared through its existing parent).
    static func resolved(_ path: String) -> String {
        var existing = URL(fileURLWithPath: path).standardizedFileURL
        var missing: [String] = []
        while !FileManager.default.fileExists(atPath: existing.path) && existing.path != "/" {
            missing.insert(existing.lastPathComponent, at: 0)
            existing = existing.deletingLastPathComponent()
        }
        var result = existing.resolvingSymlinksInPath().path
        for component in missing { result = result.hasSuffix("/") ? result + component : result + "/" + component }
        return result
    }
}

/// Replays corpus files through the oracle (`ci/test`): fixed ones must pass, open ones
/// are reported and do not fail the run.
public struct CorpusReplay {
    public struct Outcome: Sendable {
        public var passed: [String] = []
        /// Fixed files that fail again: regressions.
        public var failed: [(path: String, why: String)] = []
        /// Open files, with whether they still fail.
        public var open: [(path: String, stillFails: Bool)] = []
        public var exitStatus: Int32 { failed.isEmpty ? 0 : 1 }
    }

    /// Replays in this process (tests; the CLI isolates, see below).
    public static func replay(_ corpus: Corpus, oracle: DifferentialOracle = DifferentialOracle()) -> Outcome {
        replay(corpus) { text, path in oracle.check(text: text, fileName: path).finding }
    }

    /// Replays through a worker process (`egret corpus replay`): an open case that
    /// crashes or hangs the backend is reported as still failing, it does not end the
    /// replay.
    public static func replay(_ corpus: Corpus, isolatedBy checker: IsolatedChecker) -> Outcome {
        defer { checker.finish() }
        return replay(corpus) { text, _ in
            _ = checker.signature(of: text)
            return checker.lastFinding
        }
    }

    /// Replays with `check(text, path)` judging each case.
    public static func replay(_ corpus: Corpus, check: (String, String) -> Finding?) -> Outcome {
        var outcome = Outcome()
        for entry in corpus.entries() {
            let text: String
            do {
                text = try InputFile.read(entry.path)
            } catch {
                outcome.failed.append((entry.path, "\(error)"))
                continue
            }
            let finding = check(text, entry.path)
            if entry.isOpen {
                outcome.open.append((entry.path, finding != nil))
            } else if let finding {
                outcome.failed.append((entry.path, "\(finding.signature): \(finding.detail)"))
            } else {
                outcome.passed.append(entry.path)
            }
        }
        return outcome
    }
}
