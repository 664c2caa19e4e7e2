import EgretCodegen
import EgretIR
import EgretInterpreter
import Foundation

/// The third executor (`egret run --aot`): a module's functions written to an object
/// by Egret, linked with a generated C driver (AOTDriver.swift) by a C compiler, and
/// run as a program of its own, on Linux or under wine (`AheadOfTimeTarget`). Its
/// outcomes are judged exactly like the JIT's (ModuleHarness).
///
///     ModuleCompilation (the JIT's) ─▶ ELF or COFF: the functions (local, aliased egret_aot_fN),
///                          their float libcalls, a trampoline per signature
///     AOTDriver ─▶ driver.c: argument slots, trap tables, the fault handler
///     cc driver.c egret.o ─▶ prog; [wine] prog FIRST ─▶ one outcome per line
///
/// A crash (a fault no trap record explains) ends the program: that line's outcome
/// is the crash, and the program runs again from the next line.
public enum AOTExecutor {
    /// The C compiler that links (`gcc` from Debian's package of that name).
    public static var compiler = "gcc"

    /// Why the ahead-of-time path gave no outcome.
    public enum Failure: Error, CustomStringConvertible {
        case toolchain(String)
        case link(String)
        case crashed(signal: Int32, function: String?, offset: UInt64)
        case timedOut(Double)
        case protocolError(String)

        public var description: String {
            switch self {
            case .toolchain(let message): return message
            case .link(let message): return "linking the object failed: \(message)"
            case .crashed(let signal, let function, let offset):
                let place = function.map { "\($0)+0x\(String(offset, radix: 16))" } ?? "0x\(String(offset, radix: 16))"
                return "crashed: \(JITFault.signalName(signal)) at \(place)"
            case .timedOut(let seconds): return "timed out (no result within \(WorkerProcess.seconds(seconds)))"
            case .protocolError(let message): return "the driver's output made no sense: \(message)"
            }
        }
    }

    /// Runs `directives` of `module`, whose functions `compilation` compiled with
    /// `options` (the JIT's: the same code); one result per directive.
    public static func run(_ directives: [RunDirective], of module: Module, compilation: ModuleCompilation,
                           options: Compiler.Options, lineTimeout: Double,
                           target: AheadOfTimeTarget = .linux) -> [Result<ExecutedCall, ExecutorFailure>] {
        var results = [Result<ExecutedCall, ExecutorFailure>?](repeating: nil, count: directives.count)
        var runnable: [Int] = []
        for (index, directive) in directives.enumerated() {
            if let feature = compilation.unsupported[directive.functionIndex] {
                results[index] = .failure(.unsupported(feature))
            } else if max(directive.arguments.count,
                          module.functions[directive.functionIndex].signature.returns.count) > AOTDriver.slotLimit {
                results[index] = .failure(.unsupported("--aot: more than \(AOTDriver.slotLimit) arguments or results"))
            } else {
                runnable.append(index)
            }
        }
        if !runnable.isEmpty {
            let outcomes = execute(runnable.map { directives[$0] }, of: module, compilation: compilation,
                                   options: options, lineTimeout: lineTimeout, target: target)
            for (index, outcome) in zip(runnable, outcomes) { results[index] = outcome }
        }
        return results.map { $0 ?? .failure(.callFailed(Failure.protocolError("no outcome"))) }
    }

    private static func execute(_ directives: [RunDirective], of module: Module, compilation: ModuleCompilation,
                                options: Compiler.Options, lineTimeout: Double,
                                target: AheadOfTimeTarget) -> [Result<ExecutedCall, ExecutorFailure>] {
        let directory = NSTemporaryDirectory() + "egret-aot-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let program: String
        let driver: AOTDriver
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            (program, driver) = try build(directives, of: module, compilation: compilation, options: options,
                                          lineTimeout: lineTimeout, target: target, in: directory)
        } catch let failure as Failure {
            if case .toolchain(let message) = failure { return directives.map { _ in .failure(.unsupported(message)) } }
            return directives.map { _ in .failure(.callFailed(failure)) }
        } catch CodegenError.unsupported(let feature) {
            return directives.map { _ in .failure(.unsupported(feature)) }
        } catch {
            return directives.map { _ in .failure(.compileFailed(error)) }
        }
        var results = [Result<ExecutedCall, ExecutorFailure>?](repeating: nil, count: directives.count)
        var first = 0
        while first < directives.count {
            // The whole program gets a line's limit for each line left, and a second
            // (and a minute for wine to start, its first start creating its prefix).
            let limit = lineTimeout * Double(directives.count - first) + (target == .windows ? 60 : 1)
            let run = target.run(program, first: first, timeout: limit)
            var parser = AOTOutputParser(directives: directives, module: module, functions: driver.functions,
                                         lineTimeout: lineTimeout)
            parser.read(run.stdout, into: &results)
            if parser.started == nil && run.status != 0 {
                let why = Failure.protocolError("the program ended with status \(run.status) before its first line: "
                                                + String(run.stderr.prefix(500)))
                for index in first ..< directives.count where results[index] == nil {
                    results[index] = .failure(.callFailed(why))
                }
                break
            }
            guard let stopped = parser.stopped ?? (run.status == 0 ? nil : parser.started) else { break }
            if results[stopped] == nil {
                let why: Failure = run.timedOut ? .timedOut(lineTimeout)
                    : .protocolError("the program ended with status \(run.status) in line \(stopped): \(run.stderr.prefix(500))")
                results[stopped] = .failure(.callFailed(why))
            }
            first = stopped + 1
        }
        return results.map { $0 ?? .failure(.callFailed(Failure.protocolError("the program reported nothing"))) }
    }

    /// Writes the object and the driver into `directory` and links them.
    private static func build(_ directives: [RunDirective], of module: Module, compilation: ModuleCompilation,
                              options: Compiler.Options, lineTimeout: Double, target: AheadOfTimeTarget,
                              in directory: String) throws -> (String, AOTDriver) {
        let lowStack = IRVerifier.pointerType(for: module) != .i64
        if lowStack && target == .windows {
            throw CodegenError.unsupported("--target windows: a module with 32-bit pointers (its stack must lie "
                                           + "below 4 GiB, which a Windows thread's cannot be made to)")
        }
        try target.checkRunner()
        var objectFunctions: [ObjectFunction] = []
        var entries: [AOTDriver.FunctionEntry] = []
        var entryOfFunction: [Int: Int] = [:]
        for (index, compiled) in compilation.compiled.enumerated() {
            guard let compiled else { continue }
            let alias = "egret_aot_f\(index)"
            entryOfFunction[index] = entries.count
            entries.append(AOTDriver.FunctionEntry(symbol: alias, code: compiled.code))
            objectFunctions.append(ObjectFunction(compiled, isGlobal: false, aliases: [alias]))
        }
        for libcall in compilation.libcalls { objectFunctions.append(ObjectFunction(libcall, isGlobal: false)) }
        // One trampoline per signature, as the JIT has: System V, no overrides, no hooks.
        var trampolineOptions = options
        trampolineOptions.callConvOverrides = [:]
        trampolineOptions.hooks = nil
        trampolineOptions.checkAllocation = false
        var trampolineOfSignature: [Signature: Int] = [:]
        var trampolineNames: [String] = []
        var lines: [AOTDriver.Line] = []
        for directive in directives {
            guard let compiled = compilation.compiled[directive.functionIndex],
                  let entry = entryOfFunction[directive.functionIndex] else { continue }
            let signature = compiled.signature
            let trampoline: Int
            if let existing = trampolineOfSignature[signature] {
                trampoline = existing
            } else {
                trampoline = trampolineNames.count
                let name = "egret_aot_t\(trampoline)"
                let function = Trampoline.function(for: signature, name: name)
                objectFunctions.append(ObjectFunction(try Compiler.compile(function, options: trampolineOptions)))
                trampolineNames.append(name)
                trampolineOfSignature[signature] = trampoline
            }
            lines.append(AOTDriver.Line(function: entry, trampoline: trampoline, arguments: directive.arguments,
                                        heapArguments: directive.heapArguments,
                                        resultCount: signature.returns.count))
        }
        let driver = AOTDriver(functions: entries, trampolines: trampolineNames, lines: lines, heap: module.heap,
                               lineTimeoutSeconds: lineTimeout, lowStack: lowStack, target: target)
        let object = try target.objectFormat.bytes(of: objectFunctions, sourceFileName: module.fileName)
        try OutputFile.write(bytes: object, to: directory + "/egret.o")
        try OutputFile.write(driver.source, to: directory + "/driver.c")
        let program = directory + "/" + target.programName
        let (compiler, package) = target.compiler
        let link = ToolRun("/usr/bin/env", [compiler] + target.linkFlags + ["-o", program,
                                            directory + "/driver.c", directory + "/egret.o"], timeout: 120)
        if link.status == 127 {  // env: the compiler is not on the PATH
            throw Failure.toolchain("--aot needs the C compiler \(compiler) (Debian package \(package))")
        }
        guard link.status == 0 else { throw Failure.link(String(link.stderr.prefix(2000))) }
        return (program, driver)
    }
}

/// The driver's output, line by line, as outcomes.
struct AOTOutputParser {
    let directives: [RunDirective]
    let module: Module
    let functions: [AOTDriver.FunctionEntry]
    let lineTimeout: Double
    /// The last line that started.
    private(set) var started: Int?
    /// The line the program stopped at (a crash), if it did.
    private(set) var stopped: Int?
    private var pending: [Int: CallOutcome] = [:]

    init(directives: [RunDirective], module: Module, functions: [AOTDriver.FunctionEntry], lineTimeout: Double) {
        self.directives = directives
        self.module = module
        self.functions = functions
        self.lineTimeout = lineTimeout
    }

    mutating func read(_ output: String, into results: inout [Result<ExecutedCall, ExecutorFailure>?]) {
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 2, let index = Int(fields[1]), directives.indices.contains(index) else { continue }
            let hasHeap = module.heap != nil
            switch fields[0] {
            case "S":
                started = index
            case "V":
                let types = module.functions[directives[index].functionIndex].signature.returns.map(\.type)
                let words = fields.dropFirst(2).compactMap { UInt64($0, radix: 16) }
                guard words.count == 2 * types.count else { continue }
                let values = types.indices.map { DataValue(type: types[$0], low: words[2 * $0], high: words[2 * $0 + 1]) }
                finish(index, .values(values), hasHeap: hasHeap, into: &results)
            case "T":
                guard fields.count == 3, let code = UInt8(fields[2]) else { continue }
                finish(index, .trap(TrapCode(raw: code)), hasHeap: hasHeap, into: &results)
            case "O":
                results[index] = .failure(.callFailed(AOTExecutor.Failure.timedOut(lineTimeout)))
            case "H":
                guard let outcome = pending.removeValue(forKey: index) else { continue }
                let hex = fields.count > 2 ? Array(fields[2].utf8) : []
                var bytes: [UInt8] = []
                var position = 0
                while position + 1 < hex.count {
                    bytes.append(UInt8(String(decoding: hex[position ..< position + 2], as: UTF8.self), radix: 16) ?? 0)
                    position += 2
                }
                results[index] = .success(ExecutedCall(outcome: outcome, heap: bytes))
            case "C":
                guard fields.count == 5, let signal = Int32(fields[2]), let function = Int(fields[3]),
                      let offset = UInt64(fields[4]) else { continue }
                let name = functions.indices.contains(function) ? functions[function].symbol : nil
                results[index] = .failure(.callFailed(AOTExecutor.Failure.crashed(signal: signal, function: name,
                                                                                   offset: offset)))
                stopped = index
            default:
                continue
            }
        }
    }

    private mutating func finish(_ index: Int, _ outcome: CallOutcome, hasHeap: Bool,
                                 into results: inout [Result<ExecutedCall, ExecutorFailure>?]) {
        if hasHeap {
            pending[index] = outcome
        } else {
            results[index] = .success(ExecutedCall(outcome: outcome, heap: nil))
        }
    }
}
