import EgretIR

/// Test-only ways into the pipeline: the one value through which the harness's
/// self-tests change what the compiler does (`Compiler.Options.hooks`, nil in every
/// real use). Each hook sits between two phases and sees only what that boundary
/// hands over:
///
///     lower ──afterLower──▶ allocate ──afterAllocate──▶ check ──frame──▶ emit
///       ▲
///       replacedEmitters
///
/// - `replacedEmitters`: lowering rules whose emitter is replaced, by rule name (the
///   SMT verifier's broken fixtures run on the JIT this way).
/// - `afterLower`: rewrites the lowered code (a wrong condition code, a store that
///   lost its trap record).
/// - `afterAllocate`: rewrites the register allocation before the checker sees it
///   (a misallocation, to test the checker's reports end to end).
/// - `frame`: changes the frame's saved registers or incoming-argument offsets (a
///   wrong callee-saved set, an off-by-one stack offset).
///
/// What the hooks plant lives with the tests that use them (the fuzzer's planted bugs,
/// EgretFuzz/SelfTest; the misallocation, the test-support target); the compiler
/// knows only these four places. Trampolines, Egret's own glue, compile without hooks.
public struct CompilerHooks: Sendable {
    public typealias AfterLower = @Sendable (inout LoweredFunction) -> Void
    public typealias AfterAllocate = @Sendable (inout RegAllocation, LoweredFunction, RegisterEnvironment) throws -> Void
    public typealias Frame = @Sendable (inout FrameChoices) -> Void

    public var replacedEmitters: [String: RuleEmitter] = [:]
    public var afterLower: AfterLower?
    public var afterAllocate: AfterAllocate?
    public var frame: Frame?
    /// Whether a hook reads which rule and IR instruction emitted each VCode
    /// instruction (`LoweredFunction.appliedRules`, `vcodeSources`): lowering then
    /// records them, which it skips on the hot path.
    public var readsLoweringRecords = false

    public init() {}

    /// Hooks that only replace the emitters of the named rules.
    public init(replacedEmitters: [String: RuleEmitter]) {
        self.replacedEmitters = replacedEmitters
    }
}

/// What the `frame` hook may change: the layout's inputs that a miscompiled frame gets
/// wrong.
public struct FrameChoices: Sendable {
    /// Callee-saved integer registers the prologue saves, in push order.
    public var savedRegisters: [PReg]
    /// Bytes added to every incoming stack argument's offset (0 when correct).
    public var incomingArgumentBias: Int32 = 0

    public init(savedRegisters: [PReg]) {
        self.savedRegisters = savedRegisters
    }
}
