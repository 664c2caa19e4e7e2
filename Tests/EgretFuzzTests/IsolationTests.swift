import EgretTestSupport
import Foundation
import Testing

/// Nothing compiled code does ends `egret run` or `egret corpus replay`: a call to a
/// wild address, a loop that writes over its own frame, a run line that never ends.
/// Each becomes the result of its run line, and the lines after it still run.
@Suite(.serialized) struct IsolationTests {
    /// A module with a hostile function and a harmless one after it.
    static func module(_ hostile: String, _ runLine: String) -> String {
        """
        test run
        target x86_64

        \(hostile)
        ; run: \(runLine)

        function %ok(i64) -> i64 system_v {
        block0(v0: i64):
            v1 = iconst.i64 1
            v2 = iadd v0, v1
            return v2
        }
        ; run: %ok(1) == 2

        """
    }

    /// Calls its argument: a wild address. The interpreter traps heap_oob; the
    /// compiled code jumps to 0x1234.
    static let wildCall = module("""
        function %wild(i64) -> i64 system_v {
            sig0 = (i64) -> i64 system_v
        block0(v0: i64):
            v1 = call_indirect sig0, v0(v0)
            return v1
        }
        """, "%wild(4660) == trap heap_oob")

    /// Stores its argument over 64 bytes from an 8-byte slot: over its own frame and
    /// return address (the interpreter traps at the first store out of the slot).
    static let frameSmash = module("""
        function %smash(i64) -> i64 system_v {
            ss0 = explicit_slot 8
        block0(v0: i64):
            v1 = stack_addr.i64 ss0
            v2 = iconst.i64 8
            jump block1(v2)
        block1(v3: i64):
            v4 = iadd v1, v3
            store v0, v4
            v5 = iconst.i64 8
            v6 = iadd v3, v5
            v7 = iconst.i64 64
            v8 = icmp ult v6, v7
            brif v8, block1(v6), block2
        block2:
            v9 = iconst.i64 0
            return v9
        }
        """, "%smash(4660) == trap heap_oob")

    /// Never returns.
    static let endless = module("""
        function %spin(i64) -> i64 system_v {
        block0(v0: i64):
            jump block1(v0)
        block1(v1: i64):
            v2 = iconst.i64 1
            v3 = iadd v1, v2
            jump block1(v3)
        }
        """, "%spin(1) == 0")

    static func write(_ text: String, _ name: String, in directory: String) throws -> String {
        let path = "\(directory)/\(name)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aCallToAWildAddressIsTheResultOfItsRunLine() throws {
        let directory = EgretCommand.scratch("wild")
        let file = try Self.write(Self.wildCall, "wild.clif", in: directory)
        let run = try EgretCommand.run(["run", file])
        #expect(!run.signalled && run.status == 1)
        #expect(run.stdout.contains("wild.clif:10: %wild(4660): jit[declared]: SIGSEGV at 0x1234 (outside compiled code, "
                                   + "return address %wild+0x"), "\(run.stdout)")
        #expect(run.stdout.contains("1 passed, 1 failed"), "\(run.stdout)")
    }

    @Test func aFrameOverwrittenByItsOwnCodeEndsOnlyItsRunLine() throws {
        let directory = EgretCommand.scratch("smash")
        let file = try Self.write(Self.frameSmash, "smash.clif", in: directory)
        let run = try EgretCommand.run(["run", "--timeout", "2", file])
        #expect(!run.signalled && run.status == 1)
        // It returns to the address it stored: a fault outside all compiled code.
        #expect(run.stdout.contains("smash.clif:22: %smash(4660): jit[declared]: SIGSEGV at 0x1234 (outside compiled code)"),
                "\(run.stdout)")
        #expect(run.stdout.contains("1 passed, 1 failed"), "\(run.stdout)")
    }

    /// --timeout is the wall-clock companion of --fuel: with fuel for hours, the line
    /// ends after its time.
    @Test func aRunLineThatDoesNotEndTimesOut() throws {
        let directory = EgretCommand.scratch("spin")
        let file = try Self.write(Self.endless, "spin.clif", in: directory)
        let started = Date()
        let run = try EgretCommand.run(["run", "--timeout", "1", "--fuel", "10000000000", file])
        #expect(Date().timeIntervalSince(started) < 20)
        #expect(!run.signalled && run.status == 1)
        #expect(run.stdout.contains("spin.clif:12: %spin(1): timed out (no result within 1 s)"), "\(run.stdout)")
        #expect(run.stdout.contains("1 passed, 1 failed"), "\(run.stdout)")
    }

    /// ci/test replays the corpus: an open case that crashes or hangs the backend is
    /// reported as still failing, and the replay goes on and passes.
    @Test func corpusReplaySurvivesOpenCasesThatCrashOrHang() throws {
        let directory = EgretCommand.scratch("replay")
        let corpus = directory + "/Corpus/execution-error"
        try FileManager.default.createDirectory(atPath: corpus, withIntermediateDirectories: true)
        for (name, text) in [("wild", Self.wildCall), ("smash", Self.frameSmash)] {
            _ = try Self.write("; egret corpus: execution-error: \(name)\n; status: open\n" + text, "\(name).clif", in: corpus)
        }
        let replay = try EgretCommand.run(["corpus", "replay", "--timeout", "2", directory + "/Corpus"])
        #expect(!replay.signalled && replay.status == 0)
        #expect(replay.stdout.contains("open \(corpus)/smash.clif: still fails"), "\(replay.stdout)")
        #expect(replay.stdout.contains("open \(corpus)/wild.clif: still fails"), "\(replay.stdout)")
        #expect(replay.stdout.contains("corpus: 0 passed, 0 failed, 2 open"), "\(replay.stdout)")
    }
}
