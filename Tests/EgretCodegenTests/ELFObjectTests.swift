import EgretIR
import EgretTestSupport
import Foundation
import Testing
@testable import EgretCodegen

/// Objects Egret writes, judged by the system's own tools: gcc and clang link them with
/// C and run the result, readelf and llvm-readobj read them, llvm-dwarfdump decodes
/// their unwind tables, objdump disassembles their code.
struct ELFObjectTests {
    /// Calls within the file and out of it (`%c_scale` is C's), a float constant and a
    /// float libcall (compiled into the object as a local function), values live
    /// across a call (kept in callee-saved registers, so the prologue saves them), and
    /// a windows_fastcall function calling System V code (its prologue in the Windows
    /// order, saving rsi, rdi and xmm6–xmm15, which the call destroys).
    static let text = """
        function %add3(i64, i64, i64) -> i64 {
        block0(v0: i64, v1: i64, v2: i64):
            v3 = iadd v0, v1
            v4 = iadd v3, v2
            return v4
        }

        function %keep(i64, i64) -> i64 {
            fn0 = %add3(i64, i64, i64) -> i64
            fn1 = %c_scale(i64) -> i64
        block0(v0: i64, v1: i64):
            v2 = call fn1(v0)
            v3 = call fn0(v2, v0, v1)
            v4 = imul v3, v1
            v5 = iadd v4, v0
            return v5
        }

        function %ceil_plus(f64) -> f64 {
            fn0 = %CeilF64(f64) -> f64
        block0(v0: f64):
            v1 = call fn0(v0)
            v2 = f64const 0x1.8p1
            v3 = fadd v1, v2
            return v3
        }

        function %scale_win(i64, f64) -> f64 windows_fastcall {
            fn0 = %c_scale(i64) -> i64
        block0(v0: i64, v1: f64):
            v2 = call fn0(v0)
            v3 = fcvt_from_sint.f64 v2
            v4 = fadd v3, v1
            return v4
        }
        """

    static let driver = """
        #include <stdio.h>
        long add3(long, long, long);
        long keep(long, long);
        double ceil_plus(double);
        __attribute__((ms_abi)) double scale_win(long, double);
        double with_constants(double);
        long c_scale(long x) { return 10 * x; }
        int main(void) {
            printf("%ld %ld %.2f %.1f %.2f\\n", add3(1, 2, 3), keep(4, 5), ceil_plus(1.25), scale_win(2, 0.5),
                   with_constants(1.0));
            return 0;
        }
        """

    /// add3(1, 2, 3) = 6; keep(4, 5) = (40 + 4 + 5) · 5 + 4 = 249; ceil(1.25) + 3 = 5;
    /// scale_win(2, 0.5) = 20.5; with_constants(1) = 1 + 2.5 + 0.25.
    static let expected = "6 249 5.00 20.5 3.75\n"

    /// The module's functions compiled, and the float libcall as a local function.
    static func objectFunctions() throws -> [ObjectFunction] {
        try compiled(text, fileName: "object.clif")
    }

    /// `text`'s functions compiled, then the `%CeilF64` libcall they call (a local
    /// function), then `withConstants`.
    static func compiled(_ text: String, fileName: String) throws -> [ObjectFunction] {
        let module = try CLIFParser.parse(text, fileName: fileName)
        var functions = try module.functions.map { ObjectFunction(try Compiler.compile($0)) }
        let references = module.functions.flatMap { function in
            function.functionRefs.compactMap { $0 }.filter { $0.name == .testCase("CeilF64") }
                .map { function.signatures[Int($0.signature.position)] }
        }
        let signature = try #require(references.first)
        let ceil = try #require(FloatLibcalls.function(named: .testCase("CeilF64"), signature: signature))
        functions.append(ObjectFunction(try Compiler.compile(ceil), isGlobal: false))
        functions.append(try withConstants())
        return functions
    }

    /// A leaf built by hand that reads two constants RIP-relatively, one of them
    /// 16-byte aligned: x + 2.5 + 0.25. (The lowering materialises scalar constants
    /// as immediates; vector code will read constants from memory like this.) In
    /// the object its constants live in `.rodata`, reached through relocations.
    static func withConstants() throws -> ObjectFunction {
        var buffer = CodeBuffer()
        let half = buffer.addConstant(Array(withUnsafeBytes(of: (2.5).bitPattern.littleEndian) { Array($0) }),
                                      alignment: 8)
        let quarter = buffer.addConstant(Array(withUnsafeBytes(of: (0.25).bitPattern.littleEndian) { Array($0) })
                                         + [UInt8](repeating: 0, count: 8), alignment: 16)
        let xmm0 = Xmm(PReg.xmm0), xmm1 = Xmm(PReg.xmm1)
        X64Inst.xmmLoad(.movsd, src: .rip(half), dst: Writable(xmm1)).encode(into: &buffer)
        X64Inst.xmmRmR(.addsd, src1: xmm0, src2: .reg(xmm1), dst: Writable(xmm0)).encode(into: &buffer)
        X64Inst.xmmRmR(.addsd, src1: xmm0, src2: .mem(.rip(quarter)), dst: Writable(xmm0)).encode(into: &buffer)
        X64Inst.ret(returns: []).encode(into: &buffer)
        let code = try buffer.finish()
        try #require(code.constantReferences?.count == 2 && code.bytes.count > code.codeSize)
        return ObjectFunction(name: .testCase("with_constants"), code: code, unwind: [])
    }

    /// Where each function lies in the object's `.text`.
    static func offsets(_ functions: [ObjectFunction]) throws -> [Int] {
        try ObjectLayout(functions, sectionPerFunction: false).placements.map(\.offset)
    }

    /// Writes the object into a fresh directory; returns the directory.
    static func writeObject(sectionPerFunction: Bool = false) throws -> String {
        let directory = EgretCommand.scratch("elf")
        let bytes = try ELFObject(functions: try objectFunctions(), sourceFileName: "object.clif",
                                  sectionPerFunction: sectionPerFunction).bytes()
        try Data(bytes).write(to: URL(fileURLWithPath: directory + "/egret.o"))
        try driver.write(toFile: directory + "/main.c", atomically: true, encoding: .utf8)
        return directory
    }

    @Test(arguments: ["gcc", "clang"])
    func aCProgramLinksTheObjectAndCallsItsFunctionsWhichCallC(compiler: String) throws {
        let directory = try Self.writeObject()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let link = try EgretCommand.tool(compiler, ["-o", "main", "main.c", "egret.o"], in: directory)
        try #require(link.status == 0, "\(link)")
        let run = try EgretCommand.run(executable: directory + "/main", [], in: directory)
        #expect(run.status == 0 && run.stdout == Self.expected, "\(run)")
    }

    /// With a section per function, the linker's --gc-sections keeps what main
    /// reaches, and the program still runs.
    @Test func aSectionPerFunctionLinksWithGarbageCollection() throws {
        let directory = try Self.writeObject(sectionPerFunction: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let readelf = try EgretCommand.tool("readelf", ["-S", "-W", "egret.o"], in: directory)
        for section in [".text.add3", ".rela.text.keep", ".text.CeilF64", ".rodata"] {
            #expect(readelf.stdout.contains(" \(section) "), "no \(section) in\n\(readelf.stdout)")
        }
        let link = try EgretCommand.tool("gcc", ["-Wl,--gc-sections", "-o", "main", "main.c", "egret.o"], in: directory)
        try #require(link.status == 0, "\(link)")
        let run = try EgretCommand.run(executable: directory + "/main", [], in: directory)
        #expect(run.status == 0 && run.stdout == Self.expected, "\(run)")
        let dwarf = try EgretCommand.tool("llvm-dwarfdump", ["--eh-frame", "egret.o"], in: directory)
        #expect(dwarf.status == 0 && dwarf.stderr.isEmpty, "\(dwarf)")
    }

    /// Position-independent code (`set is_pic`): func_addr goes through the global
    /// offset table, so the object links into a PIE without warnings and into a
    /// shared library that may have no text relocations; without it the same
    /// library is refused (the address is an absolute relocation in `.text`).
    @Test func positionIndependentCodeLinksIntoAPIEAndASharedLibrary() throws {
        let text = """
            function %apply(i64) -> i64 {
                fn0 = %c_triple(i64) -> i64
                sig0 = (i64) -> i64
            block0(v0: i64):
                v1 = func_addr.i64 fn0
                v2 = call_indirect sig0, v1(v0)
                return v2
            }
            """
        let directory = EgretCommand.scratch("pic")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let main = """
            #include <stdio.h>
            long apply(long);
            long c_triple(long x) { return 3 * x; }
            int main(void) { printf("%ld\\n", apply(7)); return 0; }
            """
        try main.write(toFile: directory + "/main.c", atomically: true, encoding: .utf8)
        for positionIndependent in [true, false] {
            var options = Compiler.Options()
            options.positionIndependent = positionIndependent
            let function = try CLIFParser.parse(text, fileName: "pic.clif").functions[0]
            let object = try ELFObject(functions: [ObjectFunction(try Compiler.compile(function, options: options))],
                                       sourceFileName: "pic.clif").bytes()
            try Data(object).write(to: URL(fileURLWithPath: directory + "/egret.o"))
            let shared = try EgretCommand.tool("gcc", ["-shared", "-Wl,-z,text", "-o", "libegret.so", "egret.o"],
                                               in: directory)
            #expect((shared.status == 0) == positionIndependent, "is_pic \(positionIndependent): \(shared)")
            guard positionIndependent else { continue }
            let readelf = try EgretCommand.tool("readelf", ["-r", "-W", "egret.o"], in: directory)
            #expect(readelf.stdout.contains("R_X86_64_REX_GOTPCRELX") && !readelf.stdout.contains("R_X86_64_64 "),
                    "\(readelf.stdout)")
            let pie = try EgretCommand.tool("gcc", ["-pie", "-Wl,--fatal-warnings", "-o", "main", "main.c", "egret.o"],
                                            in: directory)
            try #require(pie.status == 0, "\(pie)")
            let run = try EgretCommand.run(executable: directory + "/main", [], in: directory)
            #expect(run.status == 0 && run.stdout == "21\n", "\(run)")
        }
    }

    @Test func readelfAndLLVMReadObjReadTheObjectWithoutWarnings() throws {
        let directory = try Self.writeObject()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let readelf = try EgretCommand.tool("readelf", ["-a", "-W", "egret.o"], in: directory)
        #expect(readelf.status == 0 && readelf.stderr.isEmpty, "\(readelf)")
        #expect(!readelf.stdout.lowercased().contains("warning"), "\(readelf.stdout)")
        // The symbols as a linker sees them.
        for line in ["FUNC    GLOBAL DEFAULT    1 add3", "FUNC    GLOBAL DEFAULT    1 keep",
                     "FUNC    LOCAL  DEFAULT    1 CeilF64", "NOTYPE  GLOBAL DEFAULT  UND c_scale"] {
            #expect(readelf.stdout.contains(line), "no '\(line)' in\n\(readelf.stdout)")
        }
        #expect(readelf.stdout.contains("R_X86_64_PLT32") && readelf.stdout.contains(".note.GNU-stack"))
        // with_constants reads its constants from .rodata.
        #expect(readelf.stdout.contains("R_X86_64_PC32          0000000000000000 .rodata + "), "\(readelf.stdout)")
        let readobj = try EgretCommand.tool("llvm-readobj", ["--all", "egret.o"], in: directory)
        #expect(readobj.status == 0 && readobj.stderr.isEmpty, "\(readobj)")
    }

    /// Every FDE decodes, covers its function's code, and its last row is the frame
    /// the prologue built: CFA = rbp + 16, rbp at CFA - 16, each saved register where
    /// the unwind records put it.
    @Test func llvmDwarfdumpDecodesEveryFDEAsThePrologueBuiltTheFrame() throws {
        let functions = try Self.objectFunctions()
        let directory = try Self.writeObject()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let dump = try EgretCommand.tool("llvm-dwarfdump", ["--eh-frame", "egret.o"], in: directory)
        #expect(dump.status == 0 && dump.stderr.isEmpty, "\(dump)")
        let fdes = dump.stdout.components(separatedBy: "\n\n").filter { $0.contains(" FDE cie=") }
        try #require(fdes.count == functions.count, "\(dump.stdout)")
        var savedAny = false
        for (function, (fde, start)) in zip(functions, zip(fdes, try Self.offsets(functions))) {
            let range = String(format: "pc=%08x...%08x", start, start + function.code.codeSize)
            #expect(fde.contains(range), "\(function.name): no \(range) in\n\(fde)")
            guard !function.unwind.isEmpty else { continue }  // the hand-built leaf
            let lastRow = try #require(rows(after: fde, in: dump.stdout).last, "\(function.name): no rows")
            #expect(lastRow.contains("CFA=RBP+16") && lastRow.contains("RBP=[CFA-16]") && lastRow.contains("RIP=[CFA-8]"),
                    "\(function.name): \(lastRow)")
            // Each `ret` epilogue: from `pop rbp` to the `ret`, the CFA is rsp + 8.
            let allRows = rows(after: fde, in: dump.stdout)
            for case .popFramePointer(let offset) in function.unwind {
                let row = String(format: "  0x%x: CFA=RSP+8: ", start + offset)
                #expect(allRows.contains { $0.hasPrefix(row) && $0.contains("RIP=[CFA-8]") && !$0.contains("RBP=") },
                        "\(function.name): no '\(row)…' in\n\(allRows.joined(separator: "\n"))")
            }
            #expect(function.unwind.contains { if case .popFramePointer = $0 { true } else { false } },
                    "\(function.name) has no epilogue")
            for case .saveRegister(_, let register, let offset) in function.unwind {
                savedAny = true
                let names = ["RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI"]
                let encoding = Int(register.hardwareEncoding)
                let name = encoding < 8 ? names[encoding] : "R\(encoding)"
                #expect(lastRow.contains("\(name)=[CFA\(offset - 16)]"), "\(function.name): \(name) in \(lastRow)")
            }
        }
        #expect(savedAny, "no function saved a callee-saved register: the test lost its point")
    }

    /// `egret compile --unwind`'s rows (UnwindRows) are llvm-dwarfdump's decoding of
    /// the object's `.eh_frame`, line for line, for every function.
    @Test func theUnwindRowsEgretPrintsAreTheRowsLLVMDwarfdumpDecodes() throws {
        let functions = try Self.objectFunctions()
        let directory = try Self.writeObject()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let dump = try EgretCommand.tool("llvm-dwarfdump", ["--eh-frame", "egret.o"], in: directory)
        try #require(dump.status == 0, "\(dump)")
        let fdes = dump.stdout.components(separatedBy: "\n\n").filter { $0.contains(" FDE cie=") }
        try #require(fdes.count == functions.count)
        for (function, (fde, start)) in zip(functions, zip(fdes, try Self.offsets(functions))) {
            // llvm-dwarfdump prints addresses in the object; Egret's rows are offsets.
            let decoded = rows(after: fde, in: dump.stdout)
            let ours = UnwindRows.rows(of: function.unwind).map { row -> String in
                let colon = row.firstIndex(of: ":")!
                let offset = Int(row[row.index(row.startIndex, offsetBy: 4) ..< colon], radix: 16)!
                return "  0x\(String(start + offset, radix: 16))" + row[colon...]
            }
            #expect(ours == decoded, "\(function.name):\n\(ours.joined(separator: "\n"))\nvs\n\(decoded.joined(separator: "\n"))")
        }
    }

    /// The rows (`  0x…: CFA=…`) llvm-dwarfdump prints after an FDE's instructions.
    private func rows(after fde: String, in dump: String) -> [String] {
        guard let range = dump.range(of: fde) else { return [] }
        let rest = dump[range.upperBound...].components(separatedBy: "\n\n")
        let block = rest.first { $0.contains("CFA=") } ?? ""
        return block.split(separator: "\n").map(String.init).filter { $0.hasPrefix("  0x") }
    }

    /// objdump decodes the object's `.text` into the instructions capstone decodes
    /// from the code Egret compiled, at the same offsets.
    @Test func objdumpSeesTheInstructionsEgretCompiled() throws {
        let functions = try Self.objectFunctions()
        let directory = try Self.writeObject()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let dump = try EgretCommand.tool("objdump", ["-d", "-M", "suffix", "--no-show-raw-insn", "egret.o"],
                                         in: directory)
        try #require(dump.status == 0, "\(dump)")
        // "  1c:\taddq   %rbx,%rax" → offset 0x1c, mnemonic addq (AT&T with suffixes, as capstone).
        var objdump: [Int: String] = [:]
        for line in dump.stdout.split(separator: "\n") {
            let parts = line.split(separator: "\t")
            guard parts.count >= 2, parts[0].hasSuffix(":"),
                  let offset = Int(parts[0].dropLast().trimmingCharacters(in: .whitespaces), radix: 16) else { continue }
            objdump[offset] = String(parts[1].split(separator: " ").first ?? "")
        }
        let disassembler = try Disassembler()
        var compared = 0
        for (function, start) in zip(functions, try Self.offsets(functions)) {
            let code = Array(function.code.bytes[0 ..< function.code.codeSize])
            for instruction in disassembler.disassemble(code) {
                let offset = start + Int(instruction.address)
                let seen = try #require(objdump[offset], "\(function.name)+\(instruction.address): objdump has no instruction")
                // The one spelling the two disagree on: a 64-bit move between a general
                // and an xmm register (66 REX.W 0F 6E/7E) is capstone's movd, objdump's movq.
                let same = seen == instruction.mnemonic || (seen == "movq" && instruction.mnemonic == "movd")
                #expect(same, "\(function.name)+\(instruction.address): \(seen) vs \(instruction)")
                compared += 1
            }
        }
        #expect(compared > 20)
    }

    @Test func twoFunctionsOfOneNameAreAnErrorNotAnObject() throws {
        let function = try #require(Self.objectFunctions().first)
        #expect(throws: ObjectError.duplicateSymbol("add3")) {
            try ELFObject(functions: [function, function], sourceFileName: "x.clif").bytes()
        }
    }
}
