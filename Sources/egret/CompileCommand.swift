import ArgumentParser
import EgretCodegen
import EgretHarness
import EgretIR
import Foundation

/// `egret compile FILE… [--disasm] [--vcode] [--unwind] [--timings]
/// [--pic] [-o OUT.o [--format elf|coff] [--function-sections]]`.
struct CompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Compile the functions of .clif files for x86-64 and show the result.",
        discussion: """
            Without --disasm, --vcode, --unwind or --timings, prints each function's code size. The \
            exit status is the worst of the files' (1 a compile error, 3 unsupported, 2 bad input).

            With -o, writes every function of the (one) file to a relocatable object for the system \
            linker, each a global symbol named as the function (%add is add); nothing is written \
            unless every function compiles.
            """)

    @Flag(name: .long, help: "Print the final machine code, disassembled by capstone.")
    var disasm = false

    @Flag(name: .long, help: "Print the VCode (machine instructions over virtual registers) before allocation.")
    var vcode = false

    @Flag(name: .long, help: "Print the call frame information as rows, as llvm-dwarfdump --eh-frame does.")
    var unwind = false

    @Flag(name: .long, help: "Print the time each phase took.")
    var timings = false

    @Option(name: .long, help: "Compile with this calling convention instead of system_v (e.g. windows_fastcall).")
    var callconv: String?

    @Option(name: [.customShort("o"), .long], help: "Write the functions to this object file.")
    var output: String?

    @Option(name: .long, help: "The object format with -o: elf (Linux x86-64) or coff (Windows x64).")
    var format: String = "elf"

    @Flag(name: .long, help: "With -o and elf: a .text.NAME section per function, for the linker's --gc-sections.")
    var functionSections = false

    @Flag(name: .long, help: ArgumentHelp(
        "Position-independent code (as `set is_pic` asks): func_addr through the global offset table.",
        discussion: "The object then links into a PIE or a shared library without text relocations."))
    var pic = false

    @Argument(help: "The .clif files to compile.")
    var files: [String]

    func run() throws {
        if functionSections && output == nil {
            throw CommandLineError.usage("--function-sections applies to -o")
        }
        if let output {
            guard files.count == 1 else {
                throw CommandLineError.usage("-o: give one .clif file to write an object from (got \(files.count))")
            }
            guard let objectFormat = ObjectFormat(rawValue: format) else {
                throw CommandLineError.usage("--format: '\(Diagnostic.echo(format))' is not elf or coff")
            }
            if functionSections && objectFormat != .elf {
                throw CommandLineError.usage("--function-sections: ELF objects only")
            }
            try Preflight.writableFile(output, option: "-o")
        }
        CompileCommand.mapLargeAllocations()
        var status: Int32 = 0
        for file in files {
            do {
                try compile(file)
            } catch let exit as ExitCode {
                // 1 (a compile error) outranks 3 (unsupported) outranks 2 (bad input).
                let rank: [Int32: Int] = [0: 0, 2: 1, 3: 2, 1: 3]
                if rank[exit.rawValue, default: 4] > rank[status, default: 4] { status = exit.rawValue }
            }
        }
        if status != 0 { throw ExitCode(status) }
    }

    private func compile(_ file: String) throws {
        var phases = PhaseTimings()
        // The functions are taken out of the module one by one and handed over, so
        // that each one's IR is released once it is lowered.
        let module = try load(file, phases: &phases)
        let positionIndependent = pic || module.asksForPositionIndependentCode
        var functions = (consume module).functions
        functions.reverse()
        var options = Compiler.Options()
        options.positionIndependent = positionIndependent
        options.checkAllocation = true
        options.releaseIRAfterLowering = true
        options.keepVCode = vcode
        if let callconv {
            guard let convention = CallConv(rawValue: callconv) else {
                printError("egret: error: unknown calling convention '\(callconv)'")
                throw ExitCode(2)
            }
            options.callConvOverrides = [.systemV: convention]
        }
        let disassembler = disasm ? try Disassembler() : nil
        var status: Int32 = 0
        var index = 0
        var objectFunctions: [ObjectFunction] = []
        var definedNames: Set<ExternalName> = Set(functions.map(\.name))
        var libcalls: [Function] = []
        while let function = functions.popLast() {
            let name = function.name
            index += 1
            if output != nil { libcalls += FloatLibcalls.needed(by: function, notIn: &definedNames) }
            let compiled: CompiledFunction
            do {
                do {
                    compiled = try Compiler.compile(consume function, options: options)
                } catch let error as RegAllocError where error.checkerFailure != nil {
                    // The checker rejected the allocation, and the IR to trace it to was
                    // released: compile this function again from the file, keeping it.
                    // Compiling is deterministic, so that throws the same rejection,
                    // traced (CodegenError.rejectedAllocation); `error` is the fallback.
                    var traced = options
                    traced.releaseIRAfterLowering = false
                    var ignored = PhaseTimings()
                    let again = try load(file, phases: &ignored).functions[index - 1]
                    _ = try Compiler.compile(again, options: traced)
                    throw error
                }
            } catch CodegenError.unsupported(let feature) {
                printError("\(file): \(name): unsupported: \(feature)")
                status = max(status, 3)
                continue
            } catch {
                printError("\(file): \(name): \(error)")
                status = 1
                continue
            }
            phases.add(compiled.timings)
            if output != nil { objectFunctions.append(ObjectFunction(compiled)) }
            print("function \(name) \(compiled.signature): \(compiled.code.bytes.count) bytes")
            if vcode, let lowered = compiled.lowered { print(lowered.text) }
            if unwind {
                for row in UnwindRows.rows(of: compiled.emitted.unwind) { print(row) }
            }
            if let disassembler {
                for instruction in disassembler.disassemble(compiled.code.bytes) { print("  \(instruction)") }
            }
        }
        if functionSections && output == nil {
            throw CommandLineError.usage("--function-sections applies to -o")
        }
        if let output {
            guard status == 0 else {
                printError("egret: \(output) not written: not every function of \(file) compiled")
                throw ExitCode(status)
            }
            try writeObject(objectFunctions, libcalls: libcalls, of: file, options: options, to: output)
        }
        if timings {
            for phase in PhaseTimings.Phase.allCases where phase != .link {
                let micros = Double(phases[phase]) / 1000
                print("\(phase.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(String(format: "%10.1f", micros)) µs")
            }
        }
        if status != 0 { throw ExitCode(status) }
    }

    /// Writes the compiled functions, in the file's order, and their libcalls to an
    /// object at `path` in the chosen format.
    private func writeObject(_ compiled: [ObjectFunction], libcalls: [Function], of file: String,
                             options: Compiler.Options, to path: String) throws {
        var functions = compiled
        for libcall in libcalls {
            do {
                functions.append(ObjectFunction(try Compiler.compile(libcall, options: options), isGlobal: false))
            } catch {
                printError("egret: \(path) not written: \(libcall.name): \(error)")
                throw ExitCode(1)
            }
        }
        let fileName = String(file.split(separator: "/").last ?? Substring(file))
        let bytes: [UInt8]
        do {
            bytes = try (ObjectFormat(rawValue: format) ?? .elf).bytes(of: functions, sourceFileName: fileName,
                                                                       sectionPerFunction: functionSections)
        } catch let error as ObjectError {
            printError("egret: \(path) not written: \(error)")
            throw ExitCode(2)
        } catch let error as CodegenError {
            printError("egret: \(path) not written: \(error)")
            throw ExitCode(3)
        }
        try OutputFile.write(bytes: bytes, to: path)
    }

    /// Parses and verifies a file. The text is read here and released on return.
    private func load(_ file: String, phases: inout PhaseTimings) throws -> Module {
        let text = try InputFile.read(file)
        let module: Module
        do {
            module = try phases.measure(.parse) { try CLIFParser.parse(text, fileName: file) }
        } catch let diagnostic as Diagnostic {
            printError(diagnostic.description)
            throw ExitCode(diagnostic.isUnsupported ? 3 : 2)
        }
        let problems = phases.measure(.verify) { IRVerifier.verify(module) }
        guard problems.isEmpty else {
            // Split into lines only to show the offending ones (a second per million).
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            for problem in problems { printError(problem.attachingSource(lines).description) }
            throw ExitCode(2)
        }
        return module
    }

    /// Makes glibc map and unmap every allocation of 256 KiB or more on its own, so
    /// that what one phase of a large function frees goes back to the system before
    /// the next phase allocates (by default glibc raises that threshold to the largest
    /// block freed so far and keeps such blocks in its heap, and the peak memory of a
    /// million-instruction function grows by a sixth). `mallopt` is declared in
    /// <malloc.h>, which the Glibc module does not import: looked up by name.
    private static func mapLargeAllocations() {
        #if os(Linux)
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        _ = unsafeBitCast(symbol, to: Mallopt.self)(mmapThreshold, 256 << 10)
        #endif
    }
}
