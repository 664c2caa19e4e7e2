import EgretIR

/// A whole CLIF module compiled and loaded into the JIT, ready to call: every function
/// under one choice of calling conventions, plus one trampoline per distinct signature
/// (Trampoline.swift), all linked into one `JITModule`.
///
/// The functions are compiled by `ModuleCompilation`: one the backend cannot compile
/// yet is left out with the feature named, with every function that calls it; the
/// float libcalls the module needs are compiled alongside.
///
/// Every call runs on the module's own guard-paged stack of `StackBudget.bytes`
/// (`JITStack`), never on the calling thread's: compiled code gets the same stack
/// budget as the interpreter, whichever thread calls it, and overflowing it is a
/// `stk_ovf` trap. A module written for 32-bit pointers (every `target` a 32-bit ISA,
/// so its stack addresses are i32 values) gets that stack mapped below 4 GiB, where
/// those addresses are exact.
///
/// Requires: a module the IR verifier accepts; calls from one thread at a time (they
/// share the stack).
/// Guarantees: `call` runs a function through its trampoline under a guarded call:
/// hardware traps in the compiled code come back as `.trapped(code)`; a fault the
/// backend did not record is thrown as a bug (`JITError.faultWithoutTrapRecord`).
public final class CompiledModule {
    public let jit: JITModule
    /// The compiled handle and trampoline of each function, by module index (nil when
    /// the function was left out).
    private var entries: [(function: JITFunction, trampoline: JITFunction)?] = []
    /// The module's functions as compiled (and the float libcalls), which an object
    /// of the same code can be written from (`egret run --aot`).
    public let compilation: ModuleCompilation
    /// Why each left-out function was left out, by module index.
    public var unsupported: [Int: String] { compilation.unsupported }
    /// Each function as compiled, by module index (nil when left out).
    public var compiled: [CompiledFunction?] { compilation.compiled }
    /// Time spent compiling and linking, summed over functions.
    public private(set) var timings = PhaseTimings()
    /// The stack calls run on: `StackBudget.bytes`, below 4 GiB for a module written
    /// for 32-bit pointers.
    public let stack: JITStack

    public init(_ module: Module, options: Compiler.Options = Compiler.Options()) throws {
        jit = JITModule()
        stack = try JITStack(size: StackBudget.bytes,
                             placement: IRVerifier.pointerType(for: module) == .i64 ? .anywhere : .below4GiB)
        compilation = try ModuleCompilation(module, options: options)
        timings = compilation.timings
        // Trampolines are called from C with System V and call the target with the
        // signature it was compiled for: they take no overrides of their own. They are
        // Egret's own glue, not the program under test, so the allocation checker (a
        // sixth of compile time) stays on the program's functions; every call through a
        // trampoline exercises its allocation anyway.
        var trampolineOptions = options
        trampolineOptions.callConvOverrides = [:]
        trampolineOptions.hooks = nil
        trampolineOptions.checkAllocation = false
        var trampolines: [Signature: JITFunction] = [:]
        for result in compiled {
            guard let result else {
                entries.append(nil)
                continue
            }
            let handle = try jit.define(result.name, signature: result.signature, code: result.code,
                                        unwind: result.emitted.unwind)
            if let existing = trampolines[result.signature] {
                entries.append((handle, existing))
                continue
            }
            let trampoline = try Trampoline.code(for: result.signature, options: trampolineOptions, timings: &timings)
            let trampolineHandle = try jit.define(.testCase("egret.trampoline.\(trampolines.count)"),
                                                  signature: JITModule.trampolineSignature, code: trampoline.code,
                                                  unwind: trampoline.unwind)
            trampolines[result.signature] = trampolineHandle
            entries.append((handle, trampolineHandle))
        }
        for libcall in compilation.libcalls {
            _ = try jit.define(libcall.name, signature: libcall.signature, code: libcall.code,
                               unwind: libcall.emitted.unwind)
        }
        try timings.measure(.link) { try jit.finalize() }
    }

    /// Calls the module's function `index` with `arguments`.
    public func call(functionIndex index: Int, arguments: [DataValue]) throws -> CallResult {
        guard entries.indices.contains(index), let entry = entries[index] else {
            throw CodegenError.internalError("function \(index) was not compiled")
        }
        return try jit.call(entry.function, through: entry.trampoline, arguments: arguments, on: stack)
    }
}
