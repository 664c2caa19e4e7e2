import EgretTestSupport
import Foundation
import Testing

/// `egret compile FILE -o OUT.o`: an object the system linker takes, or nothing at all
/// with a named reason (ELFObjectTests judges the objects themselves).
@Suite struct ObjectCommandTests {
    static let functions = """
        function %triple(i64) -> i64 {
            fn0 = %FloorF64(f64) -> f64
        block0(v0: i64):
            v1 = iconst.i64 3
            v2 = imul v0, v1
            return v2
        }

        function %use_floor(f64) -> f64 {
            fn0 = %FloorF64(f64) -> f64
        block0(v0: f64):
            v1 = call fn0(v0)
            return v1
        }
        """

    static func file(_ text: String, in directory: String) throws -> String {
        let path = directory + "/input.clif"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func anObjectHoldsEveryFunctionAndTheLibcallsTheyNeed() throws {
        let directory = EgretCommand.scratch("object")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = try Self.file(Self.functions, in: directory)
        let compile = try EgretCommand.run(["compile", input, "-o", directory + "/out.o"])
        try #require(compile.status == 0, "\(compile)")
        let symbols = try EgretCommand.tool("readelf", ["-s", "-W", directory + "/out.o"])
        try #require(symbols.status == 0, "\(symbols)")
        #expect(symbols.stdout.contains("GLOBAL DEFAULT    1 triple"), "\(symbols.stdout)")
        #expect(symbols.stdout.contains("GLOBAL DEFAULT    1 use_floor"), "\(symbols.stdout)")
        // The libcall is the object's own, once, and nothing is left undefined.
        #expect(symbols.stdout.components(separatedBy: "LOCAL  DEFAULT    1 FloorF64").count == 2, "\(symbols.stdout)")
        #expect(!symbols.stdout.contains(" UND FloorF64"), "\(symbols.stdout)")
    }

    /// A function Egret cannot compile leaves no object behind: exit 3, named.
    @Test func anUnsupportedFunctionWritesNoObject() throws {
        let directory = EgretCommand.scratch("object-unsupported")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = try Self.file(Self.functions + """

            function %switch(i64) -> i64 {
            block0(v0: i64):
                v1 = stack_switch v0, v0, v0
                return v1
            }
            """, in: directory)
        let compile = try EgretCommand.run(["compile", input, "-o", directory + "/out.o"])
        #expect(compile.status == 3, "\(compile)")
        #expect(compile.stderr.contains("unsupported: opcode stack_switch"), "\(compile)")
        #expect(compile.stderr.contains("out.o not written"), "\(compile)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/out.o"))
    }

    @Test(arguments: [
        (["--format", "macho"], 2, "egret: error: --format: 'macho' is not elf or coff"),
        (["--format", "coff", "--function-sections"], 2, "egret: error: --function-sections: ELF objects only"),
        (["SECOND"], 2, "egret: error: -o: give one .clif file to write an object from (got 2)"),
        (["-o", "/nonexistent/x.o"], 2, "egret: error: -o: /nonexistent/x.o: /nonexistent does not exist"),
    ])
    func badObjectCommandLinesFailBeforeAnyWork(extra: [String], status: Int32, message: String) throws {
        let directory = EgretCommand.scratch("object-usage")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = try Self.file(Self.functions, in: directory)
        let arguments = ["compile", input, "-o", directory + "/out.o"] + extra.map { $0 == "SECOND" ? input : $0 }
        let compile = try EgretCommand.run(arguments)
        #expect(compile.status == status, "\(compile)")
        #expect(compile.stderr.hasPrefix(message), "\(compile)")
        #expect(compile.stdout.isEmpty, "\(compile)")
    }

    /// `egret run --aot`: each line also runs through an object linked by gcc, and a
    /// line that passes on the JIT but not through the object fails the file.
    @Test func runAheadOfTimeJudgesTheObjectLikeTheJIT() throws {
        let directory = EgretCommand.scratch("run-aot")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = try Self.file(Self.functions + """

            ; run: %use_floor(0x1.4p1) == 0x1.0p1
            ; run: %use_floor(-0x1.4p1) == -0x1.8p1
            """, in: directory)
        let run = try EgretCommand.run(["run", "--aot", "-v", input])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("2 passed, 0 failed"), "\(run)")
        let both = try EgretCommand.run(["run", "--aot", "--interpreter-only", input])
        #expect(both.status == 2 && both.stderr.hasPrefix("egret: error: --aot and --interpreter-only"), "\(both)")
    }

    /// `--format coff` writes a COFF object (COFFObjectTests judges it): llvm-readobj
    /// reads it as one, with an unwind entry per function.
    @Test func formatCoffWritesAWindowsObject() throws {
        let directory = EgretCommand.scratch("object-coff")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = try Self.file(Self.functions, in: directory)
        let compile = try EgretCommand.run(["compile", input, "-o", directory + "/out.obj", "--format", "coff"])
        #expect(compile.status == 0, "\(compile)")
        let readobj = try EgretCommand.tool("llvm-readobj", ["--file-headers", "--unwind", directory + "/out.obj"])
        #expect(readobj.status == 0 && readobj.stdout.contains("Format: COFF-x86-64"), "\(readobj)")
        // triple, use_floor and the FloorF64 libcall.
        #expect(readobj.stdout.components(separatedBy: "RuntimeFunction {").count == 4, "\(readobj)")
    }

    /// Position-independent code has no COFF form (Windows has no GOT): a named
    /// refusal, exit 3, and no object.
    @Test func positionIndependentCodeIsNotWrittenAsCOFF() throws {
        let directory = EgretCommand.scratch("object-coff-pic")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = try Self.file("""
            function %address() -> i64 {
                fn0 = %elsewhere(i64) -> i64
            block0:
                v0 = func_addr.i64 fn0
                return v0
            }
            """, in: directory)
        let compile = try EgretCommand.run(["compile", input, "--pic", "-o", directory + "/out.obj", "--format", "coff"])
        #expect(compile.status == 3 && compile.stderr.contains("position-independent code (set is_pic) in a COFF"),
                "\(compile)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/out.obj"))
        let elf = try EgretCommand.run(["compile", input, "--pic", "-o", directory + "/out.o"])
        #expect(elf.status == 0, "\(elf)")
    }

    /// `egret run --aot --target windows`: the lines run as COFF code under wine; the
    /// target needs --aot; without wine the path says so and exits 3.
    @Test func runAheadOfTimeForWindowsRunsUnderWine() throws {
        let directory = EgretCommand.scratch("run-wine")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = try Self.file(Self.functions + """

            ; run: %use_floor(0x1.4p1) == 0x1.0p1
            ; run: %use_floor(-0x1.4p1) == -0x1.8p1
            """, in: directory)
        let run = try EgretCommand.run(["run", "--aot", "--target", "windows", "-v", input], timeout: 300)
        #expect(run.status == 0 && run.stdout.contains("2 passed, 0 failed"), "\(run)")
        let alone = try EgretCommand.run(["run", "--target", "windows", input])
        #expect(alone.status == 2 && alone.stderr.hasPrefix("egret: error: --target applies to --aot"), "\(alone)")
        let unknown = try EgretCommand.run(["run", "--aot", "--target", "macos", input])
        #expect(unknown.status == 2 && unknown.stderr.contains("'macos' is not linux or windows"), "\(unknown)")
        let noWine = try EgretCommand.run(executable: "/usr/bin/env",
                                          ["PATH=/nonexistent", PackagePaths.egretExecutable, "run", "--aot",
                                           "--target", "windows", input])
        #expect(noWine.status == 3 && noWine.stdout.contains("needs wine"), "\(noWine)")
    }

    /// `egret fuzz --aot-every N`: every Nth case says `test aot` (so its reduction and
    /// its corpus replay run through an object too), and a campaign of such cases runs
    /// clean.
    @Test func everyNthCaseOfACampaignRunsThroughAnObject() throws {
        let first = try EgretCommand.run(["fuzz", "--print-case", "4", "--seed", "5", "--aot-every", "2"])
        #expect(first.status == 0 && first.stdout.hasPrefix("test aot\n"), "\(first)")
        let other = try EgretCommand.run(["fuzz", "--print-case", "5", "--seed", "5", "--aot-every", "2"])
        #expect(other.status == 0 && !other.stdout.contains("test aot"), "\(other)")
        let directory = EgretCommand.scratch("fuzz-aot")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let campaign = try EgretCommand.run(["fuzz", "--cases", "6", "--seed", "5", "--aot-every", "2", "--jobs", "1",
                                             "--corpus", directory + "/corpus", "--report", directory + "/reports"],
                                            timeout: 300)
        #expect(campaign.status == 0, "\(campaign)")
    }
}
