import EgretTestSupport
import Foundation
import Testing

/// The `egret` executable as a user and CI meet it: exit statuses (0 all passed, 1 a
/// finding, 2 bad input or usage, 3 unsupported) and Egret's own messages, naming the
/// option, path or file:line:col. Runs the built executable (CampaignTests.egret).
@Suite struct CommandLineTests {
    typealias Outcome = EgretCommand

    static func scratch(_ name: String) throws -> String { EgretCommand.scratch(name) }

    static func egret(_ arguments: [String], in directory: String? = nil, timeout: Double = 120) throws -> Outcome {
        try EgretCommand.run(arguments, in: directory, timeout: timeout)
    }

    // MARK: Usage errors

    /// Every usage error exits 2 (the argument parser's own status is 64) with an
    /// `egret: error:` message; help exits 0.
    @Test(arguments: [
        ["fuzz", "--bogus"],
        ["run"],
        ["frobnicate"],
        ["corpus", "replay", "a", "b"],
        ["compile"],
        ["--version"],
    ])
    func usageErrorsExitTwo(arguments: [String]) throws {
        let outcome = try Self.egret(arguments)
        #expect(outcome.status == 2, "\(outcome)")
        #expect(outcome.stderr.hasPrefix("egret: error: "), "\(outcome)")
    }

    @Test(arguments: [["--help"], ["fuzz", "--help"], ["help", "reduce"], [], ["corpus"]])
    func helpExitsZero(arguments: [String]) throws {
        let outcome = try Self.egret(arguments)
        #expect(outcome.status == 0, "\(outcome)")
        #expect(outcome.stdout.contains("USAGE: egret"), "\(outcome)")
        #expect(outcome.stderr.isEmpty, "\(outcome)")
    }

    /// A value the parser rejects is repeated shortened, however long it is (Linux
    /// takes arguments of up to 128 KiB).
    @Test func aHugeValueIsEchoedShortened() throws {
        let digits = String(repeating: "9", count: 100_000)
        let outcome = try Self.egret(["fuzz", "--jobs", digits])
        #expect(outcome.status == 2, "\(outcome)")
        #expect(outcome.stderr.contains("--jobs"), "\(outcome)")
        #expect(outcome.stderr.utf8.count < 1000, "a message of \(outcome.stderr.utf8.count) bytes")
        #expect(outcome.stderr.contains(String(repeating: "9", count: 40) + "…"), "\(outcome)")
    }

    // MARK: Numeric options

    /// Every numeric option is checked against its range, negative numbers included
    /// (not taken for flags), and the message names the option and the range. Run in
    /// a scratch directory, so that an option wrongly accepted cannot leave a
    /// campaign's output behind.
    @Test(arguments: [
        (["fuzz", "--jobs", "-1"], "--jobs", "from 1 to"),
        (["fuzz", "--jobs", "1000000"], "--jobs", "from 1 to"),
        (["fuzz", "--jobs=0"], "--jobs", "from 1 to"),
        (["fuzz", "--cases", "-5"], "--cases", "from 1 to"),
        (["fuzz", "--cases", "0"], "--cases", "from 1 to"),
        (["fuzz", "--seed", "-1"], "--seed", "from 0 to 18446744073709551615"),
        (["fuzz", "--seed", "18446744073709551616"], "--seed", "from 0 to"),
        (["fuzz", "--print-case", "-3"], "--print-case", "from 0 to"),
        (["fuzz", "--functions", "9"], "--functions", "from 1 to 8"),
        (["fuzz", "--functions", "0"], "--functions", "from 1 to 8"),
        (["fuzz", "--mutations", "-1"], "--mutations", "from 0 to 1000"),
        (["fuzz", "--duration", "-3m"], "--duration", "at most 30 days"),
        (["fuzz", "--duration", "nan"], "--duration", "at most 30 days"),
        (["fuzz", "--duration", "100000h"], "--duration", "at most 30 days"),
        (["fuzz", "--shard", "1/0"], "--shard", "0 ≤ i < N"),
        (["fuzz", "--shard", "3/3"], "--shard", "0 ≤ i < N"),
        (["fuzz", "--shard", "-1/3"], "--shard", "0 ≤ i < N"),
        (["fuzz", "--shard", "0/18446744073709551616"], "--shard", "0 ≤ i < N"),
        (["fuzz", "--shard", "1/2/3"], "--shard", "0 ≤ i < N"),
        (["fuzz-worker", "--inflight", "x", "--mutations", "5000"], "--mutations", "from 0 to 1000"),
        (["run", "--fuel", "0", "x.clif"], "--fuel", "from 1 to 10000000000"),
        (["run", "--fuel", "-5", "x.clif"], "--fuel", "from 1 to 10000000000"),
        (["interpret", "--fuel", "9223372036854775807", "x.clif"], "--fuel", "from 1 to 10000000000"),
        (["run-worker", "--fuel", "-1"], "--fuel", "from 1 to 10000000000"),
        (["run", "--jobs", "-1", "x.clif"], "--jobs", "from 1 to"),
        (["run", "--timeout", "-5s", "x.clif"], "--timeout", "at most 30 days"),
        (["corpus", "replay", "--timeout", "0"], "--timeout", "at most 30 days"),
        (["bench", "--runs", "0"], "--runs", "from 1 to 1000"),
        (["bench", "--instructions", "-1"], "--instructions", "from 1 to"),
        (["bench", "--iterations", "99999999999"], "--iterations", "from 1 to"),
        (["bench", "--fuzz-cases", "0"], "--fuzz-cases", "from 1 to"),
        (["bench", "--code", "x.clif", "--repeat", "-2"], "--repeat", "from 1 to 1000"),
    ])
    func numericOptionsAreChecked(arguments: [String], option: String, range: String) throws {
        let directory = try Self.scratch("numeric-\(option)")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outcome = try Self.egret(arguments, in: directory, timeout: 30)
        #expect(outcome.status == 2, "\(outcome)")
        let firstLine = outcome.stderr.split(separator: "\n").first.map(String.init) ?? ""
        #expect(firstLine.hasPrefix("egret: error: "), "\(outcome)")
        #expect(firstLine.contains(option) && firstLine.contains(range), "\(outcome)")
        #expect(!outcome.stderr.contains("Missing value"), "\(outcome)")
    }

    /// `--jobs` allows eight workers per core, and no more.
    @Test func jobsAreLimitedByTheCores() throws {
        let limit = 8 * ProcessInfo.processInfo.activeProcessorCount
        let outcome = try Self.egret(["fuzz", "--jobs", String(limit + 1)], timeout: 30)
        #expect(outcome.status == 2, "\(outcome)")
        #expect(outcome.stderr.contains("from 1 to \(limit)"), "\(outcome)")
    }

    /// A shard of 2^63 holds two case indices below 2^64: the campaign runs those two
    /// and ends, however many cases were asked for (the index arithmetic used to trap).
    @Test(arguments: [("9223372036854775807/9223372036854775808", 2), ("0/9223372036854775808", 2),
                      ("18446744073709551614/18446744073709551615", 1)])
    func aHugeShardEndsAtTheLastCaseIndex(shard: String, cases: Int) throws {
        let directory = try Self.scratch("shard-\(cases)-\(shard.prefix(3))")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outcome = try Self.egret(["fuzz", "--shard", shard, "--cases", "100", "--jobs", "2", "--no-reduce",
                                      "--corpus", "Corpus", "--report", "Reports"], in: directory, timeout: 120)
        #expect(outcome.status == 0, "\(outcome)")
        #expect(outcome.stdout.hasPrefix("\(cases) cases in "), "\(outcome)")
    }

    // MARK: Input files and directories

    /// A path that names nothing to run is an error naming it, never an empty pass.
    @Test func runAndReplayRefuseMissingAndEmptyDirectories() throws {
        let directory = try Self.scratch("empty-directories")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/empty", withIntermediateDirectories: true)
        let cases: [([String], String)] = [
            (["run", "empty"], "empty: error: no .clif files in this directory"),
            (["interpret", "empty"], "empty: error: no .clif files in this directory"),
            (["run", "missing"], "missing: error: no such file or directory"),
            (["corpus", "replay", "missing"], "missing: error: no such corpus directory"),
            (["corpus", "merge", "destination", "missing"], "missing: error: no such corpus directory"),
        ]
        for (arguments, message) in cases {
            let outcome = try Self.egret(arguments, in: directory)
            #expect(outcome.status == 2, "\(arguments): \(outcome)")
            #expect(outcome.stderr.contains(message), "\(arguments): \(outcome)")
        }
        #expect(!FileManager.default.fileExists(atPath: directory + "/destination"))
    }

    /// Merging a corpus into itself or a directory inside it is refused (paths
    /// compared resolved); merging into a sibling works.
    @Test func aCorpusIsNotMergedIntoItself() throws {
        let directory = try Self.scratch("merge-nesting")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let source = directory + "/source"
        try FileManager.default.createDirectory(atPath: source + "/value-mismatch", withIntermediateDirectories: true)
        try "; egret corpus: value-mismatch: x\n; status: open\ntest run\n"
            .write(toFile: source + "/value-mismatch/1.clif", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: directory + "/link", withDestinationPath: source)
        for destination in ["source", "source/", "source/nested", "./source/../source/deeper/still", "link/inside"] {
            let outcome = try Self.egret(["corpus", "merge", destination, "source"], in: directory)
            #expect(outcome.status == 2, "\(destination): \(outcome)")
            #expect(outcome.stderr.contains("cannot merge a corpus into itself"), "\(destination): \(outcome)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: source).sorted() == ["value-mismatch"])
        let outcome = try Self.egret(["corpus", "merge", "sibling", "source"], in: directory)
        #expect(outcome.status == 0, "\(outcome)")
        #expect(FileManager.default.fileExists(atPath: directory + "/sibling/value-mismatch"))
    }

    /// `reduce` on what is not a readable CLIF file: exit 2, Egret's message with the
    /// path (or file:line:col), no raw Foundation error.
    @Test func reduceRefusesWhatIsNotACase() throws {
        let directory = try Self.scratch("reduce-inputs")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "hello world garbage\n".write(toFile: directory + "/garbage.clif", atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            (["reduce", "missing.clif"], "missing.clif: error: no such file or directory"),
            (["reduce", "."], ".: error: is a directory, not a file"),
            (["reduce", "/dev/zero"], "/dev/zero: error: is larger than 64 MiB"),
            (["reduce", "garbage.clif"], "garbage.clif:1:1: error: expected 'function'"),
            (["reduce", "/dev/null"], "/dev/null: error: the case does not fail"),
            (["compile", "/dev/zero"], "/dev/zero: error: is larger than 64 MiB"),
            (["compile", "."], ".: error: is a directory, not a file"),
            (["run", "/dev/zero"], "/dev/zero: error: is larger than 64 MiB"),
        ]
        for (arguments, message) in cases {
            let outcome = try Self.egret(arguments, in: directory, timeout: 60)
            #expect(outcome.status == 2, "\(arguments): \(outcome)")
            #expect(outcome.stderr.contains(message), "\(arguments): \(outcome)")
            #expect(!outcome.stderr.contains("NSCocoaErrorDomain") && !outcome.stderr.contains("couldn’t"),
                    "\(arguments): \(outcome)")
        }
        // An empty file is read like /dev/null: a case that does not fail.
        #expect(try Self.egret(["compile", "/dev/null"], in: directory).status == 0)
    }

    // MARK: Output paths

    /// A failing case: its run line expects the wrong value. Its chain of additions
    /// takes the reducer a second or two to remove.
    static let wrongExpectation: String = {
        var lines = ["test run", "target x86_64", "", "function %f(i32) -> i32 {", "block0(v0: i32):"]
        var previous = "v0"
        for index in 1 ... 30 {
            lines.append("    v\(1000 + index) = iconst.i32 \(index)")
            lines.append("    v\(index) = iadd \(previous), v\(1000 + index)")
            previous = "v\(index)"
        }
        lines += ["    return \(previous)", "}", "; run: %f(1) == 7", ""]
        return lines.joined(separator: "\n")
    }()

    /// `reduce -o` into a path that cannot be written is refused before reducing.
    @Test func reduceChecksItsOutputFirst() throws {
        let directory = try Self.scratch("reduce-output")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Self.wrongExpectation.write(toFile: directory + "/case.clif", atomically: true, encoding: .utf8)
        let cases: [(String, String)] = [
            ("missing/out.clif", "--output: missing/out.clif: missing does not exist"),
            ("case.clif/out.clif", "--output: case.clif/out.clif: case.clif is not a directory"),
            (".", "--output: .: is a directory, not a file"),
        ]
        for (output, message) in cases {
            let started = Date()
            let outcome = try Self.egret(["reduce", "case.clif", "-o", output], in: directory)
            #expect(outcome.status == 2, "\(output): \(outcome)")
            #expect(outcome.stderr.hasPrefix("egret: error: \(message)"), "\(output): \(outcome)")
            #expect(!outcome.stderr.contains("reduced"), "it reduced first: \(outcome)")
            #expect(Date().timeIntervalSince(started) < 10)
        }
        let outcome = try Self.egret(["reduce", "case.clif", "-o", "out.clif"], in: directory)
        #expect(outcome.status == 0, "\(outcome)")
        #expect(try String(contentsOfFile: directory + "/out.clif", encoding: .utf8).contains("; run: %f"))
    }

    /// When the output cannot be written at the end after all (its directory was
    /// removed while reducing), the reduced case is printed instead, and the error
    /// names the path.
    @Test func reduceKeepsItsResultWhenTheOutputFails() throws {
        let directory = try Self.scratch("reduce-keep")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Self.wrongExpectation.write(toFile: directory + "/case.clif", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: directory + "/out", withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CampaignTests.egret)
        process.arguments = ["reduce", "case.clif", "-o", "out/reduced.clif"]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // The reducer's scratch directory appears once the output path was checked and
        // its worker is starting; the output directory goes away then.
        let scratch = NSTemporaryDirectory() + "egret-reduce-\(process.processIdentifier)"
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: scratch) && process.isRunning && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.005)
        }
        #expect(process.isRunning, "the reduction ended before its output directory could be removed")
        try FileManager.default.removeItem(atPath: directory + "/out")
        let printed = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let message = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 1, "\(message)")
        #expect(message.contains("out/reduced.clif: error: cannot be written: No such file or directory"),
                "\(message)")
        #expect(printed.contains("function %f") && printed.contains("; run: %f"), "\(printed)")
    }

    /// `egret fuzz` checks its output and input directories before any case runs.
    @Test func fuzzChecksItsPathsFirst() throws {
        let directory = try Self.scratch("fuzz-paths")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "".write(toFile: directory + "/file", atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            (["--report", "file"], "--report: file: is a file, not a directory"),
            (["--corpus", "file"], "--corpus: file: is a file, not a directory"),
            (["--corpus", "file/Corpus"], "--corpus: file/Corpus: cannot be created: Not a directory"),
            (["--corpus", "/proc/egret-corpus"], "--corpus: /proc/egret-corpus: cannot be created"),
            (["--from", "missing"], "--from: missing: no such directory"),
            (["--from", "file"], "--from: file: not a directory"),
            (["--from", "."], "--from: .: no .clif files in this directory"),
        ]
        for (arguments, message) in cases {
            let outcome = try Self.egret(["fuzz", "--cases", "5", "--jobs", "1"] + arguments, in: directory, timeout: 30)
            #expect(outcome.status == 2, "\(arguments): \(outcome)")
            #expect(outcome.stderr.hasPrefix("egret: error: \(message)"), "\(arguments): \(outcome)")
            #expect(!outcome.stdout.contains("cases in"), "\(arguments): the campaign ran: \(outcome)")
        }
    }

    // MARK: Generator options

    /// `--ops` and `--types`: an empty list or an unknown name is a usage error (2); a
    /// real CLIF opcode or type the backend does not lower yet is unsupported (3).
    @Test(arguments: [
        (["--ops", ""], Int32(2), "--ops: give a comma-separated list"),
        (["--ops", "iadd,,udiv"], 2, "--ops: give a comma-separated list"),
        (["--ops", "frobnicate"], 2, "--ops: 'frobnicate' is not a CLIF opcode"),
        (["--ops", "vconst"], 3, "--ops: the backend does not lower vconst yet"),
        (["--ops", "iadd,swizzle"], 3, "--ops: the backend does not lower swizzle yet"),
        (["--types", ""], 2, "--types: give a comma-separated list"),
        (["--types", "i33"], 2, "--types: 'i33' is not a CLIF type"),
        (["--types", "i8x16"], 3, "--types: the backend does not lower i8x16 yet"),
        (["--types", "i32,i64", "--ops", "fadd"], 2, "--ops: fadd is generated only at f32, f64"),
        (["--types", "i8"], 2, "--types must include i32 and i64"),
    ])
    func generatorNamesAreChecked(arguments: [String], status: Int32, message: String) throws {
        let directory = try Self.scratch("generator-names")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outcome = try Self.egret(["fuzz", "--print-case", "1"] + arguments, in: directory, timeout: 30)
        #expect(outcome.status == status, "\(outcome)")
        #expect(outcome.stderr.contains(message), "\(outcome)")
        #expect(outcome.stdout.isEmpty, "\(outcome)")
    }

    @Test func supportedGeneratorNamesAreAccepted() throws {
        let outcome = try Self.egret(["fuzz", "--print-case", "1", "--ops", "iadd,udiv,fadd", "--types", "i32,i64,f64"])
        #expect(outcome.status == 0, "\(outcome)")
        #expect(outcome.stdout.contains("function "), "\(outcome)")
    }

    // MARK: verify

    /// `verify --list --json` prints the coverage as JSON.
    @Test func verifyListsItsCoverageAsJSON() throws {
        let outcome = try Self.egret(["verify", "--list", "--json"])
        #expect(outcome.status == 0, "\(outcome)")
        let object = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
        let coverage = try #require(object, "\(outcome)")
        let rules = try #require(coverage["verifiedRules"] as? [String])
        #expect(rules.contains("iadd"), "\(rules)")
        #expect((coverage["checks"] as? Int ?? 0) > 0)
        #expect(coverage["formsModelled"] is [String] && coverage["opcodesWithSpecs"] is [String])
    }
}
