import EgretIR
import Foundation

/// The backend's pipeline for one function (DESIGN.md §4):
///
///     Function --lower (rules)--> VCode<X64Inst> with virtual registers
///              --regalloc------> RegAllocation (+ checker, when asked)
///              --frame---------> X64Frame: slots, spills, saved registers
///              --emit----------> FinishedCode + unwind records
///
/// Requires: a function the IR verifier accepts.
/// Guarantees: the code follows the (possibly overridden) calling convention of the
/// function's signature; with `checkAllocation` the register allocation was verified
/// by RegAllocChecker, and an allocation it rejects at an instruction is thrown as
/// `CodegenError.rejectedAllocation`, naming the IR instruction and rule whose code it
/// failed at; every phase is timed.
public enum Compiler {
    public struct Options: Sendable {
        /// Conventions to replace (the harness compiles each module under both).
        public var callConvOverrides: [CallConv: CallConv] = [:]
        /// Verify every register allocation with the symbolic checker.
        public var checkAllocation = false
        /// Keep the VCode and the allocation for `egret compile --vcode`.
        public var keepVCode = false
        /// The CPU features the code may use; emitting a form that needs another is an
        /// internal error (Forms/X64Form+Fields.swift).
        public var features: X64Features = .default
        /// Release the function's IR once it is lowered, when the caller gave up its
        /// own copy (`compile(consume function, …)`): the IR of a million-instruction
        /// function is as large as everything register allocation holds. A checker
        /// rejection then cannot be traced to its IR instruction and is thrown as the
        /// checker's `RegAllocError`; compile the function again without this to trace
        /// it (lowering and allocation are deterministic).
        public var releaseIRAfterLowering = false
        /// Position-independent code (`set is_pic`, `egret compile --pic`): symbol
        /// addresses through the global offset table, so the code links into a PIE
        /// or a shared library without text relocations.
        public var positionIndependent = false
        /// Test-only: the self-tests' ways into the pipeline (CompilerHooks.swift).
        /// Nil in every real use.
        public var hooks: CompilerHooks?

        public init() {}
    }

    public static func compile(_ function: consuming Function, options: Options = Options()) throws -> CompiledFunction {
        var timings = PhaseTimings()
        var lowering = LoweringOptions(callConvOverrides: options.callConvOverrides)
        let hooks = options.hooks
        lowering.recordRules = options.keepVCode || hooks?.readsLoweringRecords == true
        lowering.recordSources = lowering.recordRules
        lowering.replacedEmitters = hooks?.replacedEmitters ?? [:]
        lowering.positionIndependent = options.positionIndependent
        var lowered = try timings.measure(.lower) { try X64Lowering.lower(function, options: lowering) }
        let name = function.name
        var signature = function.signature
        var ir: Function? = consume function
        if options.releaseIRAfterLowering { ir = nil }
        hooks?.afterLower?(&lowered)
        let convention = lowered.frame.convention
        let environment = registerEnvironment(for: convention)
        let allocation = try timings.measure(.regalloc) { () throws -> RegAllocation in
            var allocation = try RegisterAllocator.allocate(lowered.vcode, environment: environment)
            try hooks?.afterAllocate?(&allocation, lowered, environment)
            return allocation
        }
        if options.checkAllocation {
            try timings.measure(.check) { try check(allocation, of: lowered, from: ir, options: lowering) }
        }
        let emitted = try timings.measure(.emit) { () throws -> EmittedFunction in
            // Save what the function writes, and what its calls may destroy that its own
            // caller expects kept (a windows_fastcall function calling system_v code
            // loses rsi and rdi).
            let destroyed = allocation.writtenRegisters.union(lowered.frame.calleeSavedClobberedByCalls)
            var choices = FrameChoices(savedRegisters: calleeSavedOrder.filter {
                convention.calleeSaved.contains($0) && destroyed.contains($0)
            })
            hooks?.frame?(&choices)
            let savedVectors = calleeSavedVectorOrder.filter {
                convention.calleeSaved.contains($0) && destroyed.contains($0)
            }
            var frame = try X64Frame(stackSlots: lowered.frame.stackSlotData,
                                     spillSlotCount: allocation.spillSlotCount,
                                     outgoingArgumentsSize: lowered.frame.outgoingArgumentsSize,
                                     savedRegisters: choices.savedRegisters,
                                     incomingArgumentsSize: lowered.frame.incomingArgumentsSize,
                                     savedVectorRegisters: savedVectors,
                                     prologueOrder: convention.prologueOrder)
            frame.incomingArgumentBias = choices.incomingArgumentBias
            return try X64Emitter.emit(lowered.vcode, allocation: allocation, frame: frame, features: options.features)
        }
        signature.callConv = lowering.effectiveCallConv(signature.callConv)
        return CompiledFunction(name: name, signature: signature, emitted: emitted, timings: timings,
                                spillSlotCount: allocation.spillSlotCount,
                                lowered: options.keepVCode ? lowered : nil,
                                allocation: options.keepVCode ? allocation : nil)
    }

    /// Runs RegAllocChecker; a failure at an instruction is thrown as
    /// `CodegenError.rejectedAllocation`, traced back to the IR instruction (as the
    /// checker's own error when the IR was released).
    private static func check(_ allocation: RegAllocation, of lowered: LoweredFunction, from function: Function?,
                              options: LoweringOptions) throws {
        do {
            try RegAllocChecker.check(lowered.vcode, allocation)
        } catch let error as RegAllocError {
            guard let failure = error.checkerFailure, let function,
                  let rejection = RejectedAllocation(failure, in: function, lowered: lowered, options: options)
            else { throw error }
            throw CodegenError.rejectedAllocation(rejection)
        }
    }

    /// Callee-saved integer registers in the order the prologue pushes them.
    static let calleeSavedOrder: [PReg] = [.rbx, .r12, .r13, .r14, .r15, .rsi, .rdi]

    /// Callee-saved xmm registers (Windows x64) in the order the prologue stores them.
    static let calleeSavedVectorOrder: [PReg] = (6 ..< 16).map { PReg(.float, UInt8($0)) }

    /// The registers the allocator may use under a convention: every integer register
    /// but rsp and rbp (the frame pointer) and all sixteen xmm registers, caller-saved
    /// first (they cost no save).
    public static func registerEnvironment(for convention: CallingConvention) -> RegisterEnvironment {
        for (name, environment) in environments where name == convention.name { return environment }
        return makeRegisterEnvironment(for: convention)
    }

    /// The environment of each convention of the table (by name), computed once.
    private static let environments: [(String, RegisterEnvironment)] = CallingConvention.all.map {
        ($0.name, makeRegisterEnvironment(for: $0))
    }

    private static func makeRegisterEnvironment(for convention: CallingConvention) -> RegisterEnvironment {
        let all: [PReg] = [.rax, .rcx, .rdx, .rsi, .rdi, .r8, .r9, .r10, .r11, .rbx, .r12, .r13, .r14, .r15]
        let callerSaved = all.filter { !convention.calleeSaved.contains($0) }
        let calleeSaved = all.filter { convention.calleeSaved.contains($0) }
        let xmms: [PReg] = (0 ..< 16).map { PReg(.float, UInt8($0)) }
        let floatCallerSaved = xmms.filter { !convention.calleeSaved.contains($0) }
        let floatCalleeSaved = xmms.filter { convention.calleeSaved.contains($0) }
        return RegisterEnvironment(integerRegisters: callerSaved + calleeSaved,
                                   floatRegisters: floatCallerSaved + floatCalleeSaved)
    }
}

/// One compiled function.
public struct CompiledFunction: Sendable {
    public var name: ExternalName
    /// The signature it was compiled for (after convention overrides).
    public var signature: Signature
    public var emitted: EmittedFunction
    public var timings: PhaseTimings
    /// Spill slots the register allocator needed (0 when every value stayed in a
    /// register).
    public var spillSlotCount: Int
    /// Kept when `Compiler.Options.keepVCode` is set.
    public var lowered: LoweredFunction?
    public var allocation: RegAllocation?

    public var code: FinishedCode { emitted.code }
}

/// Time spent in each phase, in nanoseconds.
public struct PhaseTimings: Sendable {
    public enum Phase: String, CaseIterable, Sendable {
        case parse, verify, lower, regalloc, check, emit, link
    }

    public private(set) var nanoseconds: [UInt64] = Array(repeating: 0, count: Phase.allCases.count)

    public init() {}

    public subscript(phase: Phase) -> UInt64 {
        get { nanoseconds[Phase.allCases.firstIndex(of: phase) ?? 0] }
        set { nanoseconds[Phase.allCases.firstIndex(of: phase) ?? 0] = newValue }
    }

    /// Runs `body`, adding its time to `phase`.
    public mutating func measure<T>(_ phase: Phase, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { self[phase] += DispatchTime.now().uptimeNanoseconds &- start }
        return try body()
    }

    public mutating func add(_ other: PhaseTimings) {
        for index in nanoseconds.indices { nanoseconds[index] &+= other.nanoseconds[index] }
    }

    public var total: UInt64 { nanoseconds.reduce(0, &+) }
}
