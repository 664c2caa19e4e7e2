import EgretIR
import Foundation

/// Trampolines: how Swift calls compiled code of any signature on either convention.
///
/// DESIGN.md §4: one C entry point (`egret_guarded_call`) calls
/// `trampoline(slots, target)` with the System V convention. The trampoline — CLIF
/// built here and compiled by Egret's own backend like any other function — loads each
/// argument from its 16-byte slot, calls `target` with the target's signature and
/// convention, and stores every result back into the slots. So one Swift signature runs
/// every function, and trampolines exercise the call path of both conventions. Float
/// arguments and results are plain `load.f32`/`store.f64` of their slot's low bytes, so
/// they reach xmm registers (or the stack) exactly as any caller's would.
///
///     function %trampoline(i64 slots, i64 target) system_v {
///         v_i = load.T_i notrap aligned slots + 16·i      (each parameter)
///         r…  = call_indirect sig0, target(v…)
///         store notrap aligned r_j, slots + 16·j          (each result)
///         return
///     }
public enum Trampoline {
    /// The trampoline for calling functions with `signature`.
    public static func function(for signature: Signature, name: String = "trampoline") -> Function {
        var trampoline = Function(name: .testCase(name), signature: JITModule.trampolineSignature)
        trampoline.signatures.append(signature)
        let entry = Block(0)
        let params = trampoline.appendBlock(entry, parameterTypes: [.i64, .i64])
        let slots = params[0], target = params[1]
        let flags = MemFlags.trusted
        var arguments: [Value] = [target]
        for (index, param) in signature.params.enumerated() {
            var load = InstructionData(opcode: .load, type: param.type)
            load.flags = flags
            load.arguments = trampoline.appendValues([slots])
            load.offset = Int32(index * ArgumentSlots.slotSize)
            let inst = trampoline.appendInstruction(load, results: [param.type], to: entry)
            arguments.append(trampoline.valuePool[Int(trampoline.instResults[inst.position].start)])
        }
        var call = InstructionData(opcode: .call_indirect)
        call.entity = SigRef(0).index
        call.arguments = trampoline.appendValues(arguments)
        let callInst = trampoline.appendInstruction(call, results: signature.returns.map(\.type), to: entry)
        let results = Array(trampoline.results(of: callInst))
        for (index, result) in results.enumerated() {
            var store = InstructionData(opcode: .store, type: trampoline.type(of: result))
            store.flags = flags
            store.arguments = trampoline.appendValues([result, slots])
            store.offset = Int32(index * ArgumentSlots.slotSize)
            trampoline.appendInstruction(store, results: [], to: entry)
        }
        trampoline.appendInstruction(InstructionData(opcode: .return), results: [], to: entry)
        return trampoline
    }

    /// The machine code of the trampoline for `signature`, compiled with `options` on
    /// first use and kept for the life of the process: a fuzzing worker meets the same
    /// few hundred signatures again and again, and compiling their trampolines anew
    /// would cost a third of its compile time. The code has no relocations and no trap
    /// records (the target comes in a register, the slots are `notrap`), so it is the
    /// same wherever it is placed. `timings` gains the compile time when it compiles.
    static func code(for signature: Signature, options: Compiler.Options,
                     timings: inout PhaseTimings) throws -> (code: FinishedCode, unwind: [UnwindRecord]) {
        if let cached = cache.code(for: signature) { return cached }
        let compiled = try Compiler.compile(function(for: signature), options: options)
        timings.add(compiled.timings)
        let result = (code: compiled.code, unwind: compiled.emitted.unwind)
        if compiled.code.relocations.isEmpty { cache.keep(result, for: signature) }
        return result
    }

    private static let cache = TrampolineCache()
}

/// Compiled trampolines by signature, shared by every module of the process.
/// Thread-safe; bounded (emptied when full: generated signatures repeat, and a
/// recompile is cheap next to unbounded growth over a long campaign).
final class TrampolineCache: @unchecked Sendable {
    private var codes: [Signature: (code: FinishedCode, unwind: [UnwindRecord])] = [:]
    private let lock = NSLock()
    /// Signatures kept at most.
    private let limit = 4096

    func code(for signature: Signature) -> (code: FinishedCode, unwind: [UnwindRecord])? {
        lock.lock()
        defer { lock.unlock() }
        return codes[signature]
    }

    func keep(_ code: (code: FinishedCode, unwind: [UnwindRecord]), for signature: Signature) {
        lock.lock()
        defer { lock.unlock() }
        if codes.count >= limit { codes.removeAll(keepingCapacity: true) }
        codes[signature] = code
    }
}
