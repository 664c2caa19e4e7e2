import EgretIR

/// A whole CLIF module compiled and loaded into the JIT, ready to call: every function
/// under one choice of calling conventions, plus one trampoline per distinct signature
/// (Trampoline.swift), all linked into one `JITModule`.
///
/// Cranelift's float libcalls that the module calls but does not define (`%CeilF32`…)
/// are compiled alongside it (FloatLibcalls.swift).
///
/// A function the backend cannot compile yet (an unsupported opcode or type) is left
/// out with the feature named, and so is every function that calls it or takes its
/// address; the rest of the module still runs.
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
    /// Why each left-out function was left out, by module index.
    public private(set) var unsupported: [Int: String] = [:]
    /// Time spent compiling and linking, summed over functions.
    public private(set) var timings = PhaseTimings()
    /// Each function as compiled, by module index (nil when left out).
    public private(set) var compiled: [CompiledFunction?] = []
    /// The stack calls run on: `StackBudget.bytes`, below 4 GiB for a module written
    /// for 32-bit pointers.
    public let stack: JITStack

    public init(_ module: Module, options: Compiler.Options = Compiler.Options()) throws {
        jit = JITModule()
        stack = try JITStack(size: StackBudget.bytes,
                             placement: IRVerifier.pointerType(for: module) == .i64 ? .anywhere : .below4GiB)
        for (index, function) in module.functions.enumerated() {
            do {
                let result = try Compiler.compile(function, options: options)
                timings.add(result.timings)
                compiled.append(result)
            } catch CodegenError.unsupported(let feature) {
                compiled.append(nil)
                unsupported[index] = feature
            }
        }
        excludeCallersOfUnsupported(module)
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
            let handle = try jit.define(result.name, signature: result.signature, code: result.code)
            if let existing = trampolines[result.signature] {
                entries.append((handle, existing))
                continue
            }
            let code = try Trampoline.code(for: result.signature, options: trampolineOptions, timings: &timings)
            let trampolineHandle = try jit.define(.testCase("egret.trampoline.\(trampolines.count)"),
                                                  signature: JITModule.trampolineSignature, code: code)
            trampolines[result.signature] = trampolineHandle
            entries.append((handle, trampolineHandle))
        }
        try defineFloatLibcalls(module, options: options)
        try timings.measure(.link) { try jit.finalize() }
    }

    /// Compiles and defines each float libcall (FloatLibcalls.swift) that a compiled
    /// function refers to and the module does not define itself.
    private func defineFloatLibcalls(_ module: Module, options: Compiler.Options) throws {
        var defined = Set(module.functions.map(\.name))
        for (index, function) in module.functions.enumerated() where compiled[index] != nil {
            for case let reference? in function.functionRefs where !defined.contains(reference.name) {
                guard reference.signature.position < function.signatures.count,
                      let libcall = FloatLibcalls.function(named: reference.name,
                                                           signature: function.signatures[reference.signature.position])
                else { continue }
                let result = try Compiler.compile(libcall, options: options)
                timings.add(result.timings)
                _ = try jit.define(result.name, signature: result.signature, code: result.code)
                defined.insert(reference.name)
            }
        }
    }

    /// Leaves out every function that refers to a left-out function, to a fixpoint.
    private func excludeCallersOfUnsupported(_ module: Module) {
        var changed = !unsupported.isEmpty
        while changed {
            changed = false
            let missing = Set(unsupported.keys.map { module.functions[$0].name })
            for (index, function) in module.functions.enumerated() where compiled[index] != nil {
                guard let callee = function.functionRefs.compactMap({ $0?.name }).first(where: missing.contains)
                else { continue }
                compiled[index] = nil
                unsupported[index] = unsupported[module.functionIndex(named: callee) ?? index]
                    .map { "\($0) (in \(callee))" } ?? "a call to \(callee)"
                changed = true
            }
        }
    }

    /// Calls the module's function `index` with `arguments`.
    public func call(functionIndex index: Int, arguments: [DataValue]) throws -> CallResult {
        guard entries.indices.contains(index), let entry = entries[index] else {
            throw CodegenError.internalError("function \(index) was not compiled")
        }
        return try jit.call(entry.function, through: entry.trampoline, arguments: arguments, on: stack)
    }
}
