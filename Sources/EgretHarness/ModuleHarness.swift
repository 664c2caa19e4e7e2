import EgretCodegen
import EgretIR
import EgretInterpreter

/// One module ready to run on every executor, and the judgement of a run directive
/// across them: the one place where a run line is executed and judged. `egret run`
/// (FiletestRunner), the differential oracle, the culprit locator's probes and the
/// corpus replay all come through here.
///
///     directive ─┬─▶ interpreter ────────────────────▶ reference ─┐
///                ├─▶ jit[declared]   (compiled on first use) ─────┤ expectation,
///                └─▶ jit[exchanged]  (compiled on first use) ─────┘ policy ─▶ LineJudgement
///
/// Every executor starts each directive from the module's heap image; the compiled
/// code's heap has guard pages (JITHeap), so an out-of-bounds access faults where the
/// interpreter traps.
///
/// Requires: a module the IR verifier accepts. Guarantees: each variant is compiled at
/// most once; `judge` returns exactly one judgement per directive and never throws;
/// nothing the module does hangs the interpreter (fuel, the stack budget); hardware
/// traps in compiled code are results. Compiled code runs in this process: a wild
/// jump can still take it down (campaign workers isolate that).
public final class ModuleHarness {
    public struct Options: Sendable {
        /// Interpreter steps per directive.
        public var fuel: Int = 10_000_000
        /// How each compiled outcome is compared with the interpreter's.
        public var policy: ComparisonPolicy = .bitwise
        /// The convention variants to compile; nil: `ConventionVariant.variants(of:)`,
        /// empty: the interpreter only.
        public var variants: [ConventionVariant]?
        /// Run the register-allocation checker on every compiled function.
        public var checkAllocation = true
        /// Test-only: the self-tests' ways into the compiler (CompilerHooks).
        public var hooks: CompilerHooks?
        /// Also run every variant through an object and the system linker
        /// (`aot[declared]`…, AOTExecutor), each module's lines in one program. A
        /// module that says `test aot` always is.
        public var aheadOfTime = false
        /// With `aheadOfTime`: each line's wall-clock limit in that program.
        public var aheadOfTimeLineTimeout: Double = 30
        /// With `aheadOfTime`: where the programs are linked and run.
        public var aheadOfTimeTarget: AheadOfTimeTarget = .linux

        public init() {}
    }

    public let module: Module
    public let options: Options
    /// The variants this module is compiled under, in order.
    public let variants: [ConventionVariant]
    private var interpreter: Interpreter
    private var compiled: [Result<CompiledModule, ExecutorFailure>?]
    private let heapPool: JITHeapPool?
    private var heap: JITHeap?
    private var heapFailure: ExecutorFailure?
    /// The outcomes of the ahead-of-time variants, by variant and directive.
    private var aheadOfTimeResults: [[RunDirective: Result<ExecutedCall, ExecutorFailure>]]

    /// Loads `module` into the interpreter. Throws what the interpreter's loader throws
    /// (an `InterpreterError`) when it cannot take the module.
    /// - Parameter heapPool: where compiled code's heap buffers come from and go back
    ///   to (campaigns reuse them); nil: a buffer of this harness's own.
    public init(module: Module, options: Options = Options(), heapPool: JITHeapPool? = nil) throws {
        self.module = module
        self.options = options
        self.heapPool = heapPool
        interpreter = try Interpreter(module: module)
        interpreter.fuel = options.fuel
        let jitVariants = options.variants ?? ConventionVariant.variants(of: module)
        let aheadOfTime = options.aheadOfTime || module.runsAheadOfTime
        let target = options.aheadOfTime ? options.aheadOfTimeTarget : .linux
        variants = jitVariants + (aheadOfTime ? jitVariants.map { $0.throughObject(for: target) } : [])
        compiled = Array(repeating: nil, count: variants.count)
        aheadOfTimeResults = Array(repeating: [:], count: variants.count)
    }

    deinit {
        if let heap, let heapPool { heapPool.give(heap) }
    }

    /// The compiler options of `variant`.
    public func compileOptions(_ variant: ConventionVariant) -> Compiler.Options {
        var compileOptions = Compiler.Options()
        compileOptions.callConvOverrides = variant.overrides
        compileOptions.checkAllocation = options.checkAllocation
        compileOptions.hooks = options.hooks
        return compileOptions
    }

    /// The module compiled under variant `index` (compiled now if it was not yet).
    public func compiledModule(_ index: Int) -> Result<CompiledModule, ExecutorFailure> {
        if let done = compiled[index] { return done }
        let result: Result<CompiledModule, ExecutorFailure>
        do {
            result = .success(try CompiledModule(module, options: compileOptions(variants[index])))
        } catch CodegenError.unsupported(let feature) {
            result = .failure(.unsupported(feature))
        } catch {
            result = .failure(.compileFailed(error))
        }
        compiled[index] = result
        return result
    }

    /// Runs `directive` on the interpreter.
    public func runReference(_ directive: RunDirective) throws -> ExecutedCall {
        try interpreter.execute(directive, heap: module.heap?.bytes)
    }

    /// Runs `directive` on the code compiled under variant `index`.
    public func run(_ directive: RunDirective, variant index: Int) -> Result<ExecutedCall, ExecutorFailure> {
        if variants[index].aheadOfTime { return runAheadOfTime(directive, variant: index) }
        let compiledModule: CompiledModule
        switch self.compiledModule(index) {
        case .success(let module): compiledModule = module
        case .failure(let failure): return .failure(failure)
        }
        if let feature = compiledModule.unsupported[directive.functionIndex] {
            return .failure(.unsupported(feature))
        }
        let buffer: JITHeap?
        switch compiledHeap() {
        case .success(let mapped): buffer = mapped
        case .failure(let failure): return .failure(failure)
        }
        do {
            return .success(try compiledModule.execute(directive, heap: buffer, image: module.heap?.bytes))
        } catch {
            return .failure(.callFailed(error))
        }
    }

    /// Runs `directive` on ahead-of-time variant `index`: on first use, with every run
    /// directive of the module not run yet, in one program, from the code compiled for
    /// its JIT twin (the variant of the same conventions).
    private func runAheadOfTime(_ directive: RunDirective, variant index: Int) -> Result<ExecutedCall, ExecutorFailure> {
        if let done = aheadOfTimeResults[index][directive] { return done }
        guard let twin = variants.firstIndex(where: { !$0.aheadOfTime && $0.overrides == variants[index].overrides })
        else { return .failure(.callFailed(AOTExecutor.Failure.protocolError("no compiled variant to link"))) }
        let compilation: ModuleCompilation
        switch compiledModule(twin) {
        case .success(let compiled): compilation = compiled.compilation
        case .failure(let failure): return .failure(failure)
        }
        var batch = module.runDirectives.filter { aheadOfTimeResults[index][$0] == nil }
        if !batch.contains(directive) { batch.append(directive) }
        var unique: [RunDirective] = []
        var seen: Set<RunDirective> = []
        for line in batch where seen.insert(line).inserted { unique.append(line) }
        let results = AOTExecutor.run(unique, of: module, compilation: compilation,
                                      options: compileOptions(variants[index]), lineTimeout: options.aheadOfTimeLineTimeout,
                                      target: variants[index].aheadOfTimeTarget ?? .linux)
        for (line, result) in zip(unique, results) { aheadOfTimeResults[index][line] = result }
        return aheadOfTimeResults[index][directive] ?? .failure(.callFailed(AOTExecutor.Failure.protocolError("lost")))
    }

    /// The compiled code's heap buffer (nil without a heap), mapped on first use.
    private func compiledHeap() -> Result<JITHeap?, ExecutorFailure> {
        guard let image = module.heap else { return .success(nil) }
        if let heap { return .success(heap) }
        if let heapFailure { return .failure(heapFailure) }
        do {
            let mapped = try heapPool?.take(size: image.size) ?? JITHeap(size: image.size)
            heap = mapped
            return .success(mapped)
        } catch {
            heapFailure = .callFailed(error)
            return .failure(.callFailed(error))
        }
    }

    /// Runs `directive` on the interpreter and on every variant, and judges it: each
    /// outcome must meet the directive's expectation (`== 3`, `== trap int_divz`,
    /// `heap == "…"`; nothing for `; print:`), and each compiled outcome must equal the
    /// interpreter's under the policy. The first problem found is the judgement.
    public func judge(_ directive: RunDirective) -> LineJudgement {
        let reference: ExecutedCall
        do {
            reference = try runReference(directive)
        } catch InterpreterError.unsupported(let feature, _, _) {
            return .unsupported(feature, executor: "interpreter")
        } catch {
            return .interpreterFailed(error)
        }
        if let problem = Expectation.problem(reference, directive, executor: "interpreter") {
            return .expectationMissed(problem)
        }
        var unsupported: LineJudgement?
        for (index, variant) in variants.enumerated() {
            switch run(directive, variant: index) {
            case .success(let executed):
                if let problem = Expectation.problem(executed, directive, executor: variant.name) {
                    return .expectationMissed(problem)
                }
                if let disagreement = options.policy.disagreement(executed, from: reference) {
                    return .disagreed(variant, disagreement, executed: executed, reference: reference)
                }
            case .failure(.unsupported(let feature)):
                unsupported = unsupported ?? .unsupported(feature, executor: variant.name)
            case .failure(let failure):
                return .executorFailed(variant, failure, reference: reference)
            }
        }
        return unsupported ?? .agreed(reference)
    }
}

/// Why an executor produced no outcome.
public enum ExecutorFailure: Error {
    /// The backend does not support a feature the function (or a callee) needs.
    case unsupported(String)
    /// The backend threw while compiling the module (the allocation checker included).
    case compileFailed(Error)
    /// The call failed: a fault without a trap record, a heap that could not be mapped.
    case callFailed(Error)
}

/// How one run directive fared across the executors.
public enum LineJudgement {
    /// Every executor met the expectation and agreed with the interpreter, whose
    /// outcome this is.
    case agreed(ExecutedCall)
    /// An executor does not support a feature the line needs (named); the others
    /// agreed.
    case unsupported(String, executor: String)
    /// The interpreter gave no outcome: out of fuel, too deep, an invalid program.
    case interpreterFailed(Error)
    /// An outcome differs from the directive's expectation (the message says whose).
    case expectationMissed(String)
    /// A compiled variant gave no outcome.
    case executorFailed(ConventionVariant, ExecutorFailure, reference: ExecutedCall)
    /// A compiled variant's outcome differs from the interpreter's.
    case disagreed(ConventionVariant, Disagreement, executed: ExecutedCall, reference: ExecutedCall)

    /// The interpreter's outcome, when it gave one.
    public var reference: ExecutedCall? {
        switch self {
        case .agreed(let reference), .executorFailed(_, _, let reference), .disagreed(_, _, _, let reference):
            return reference
        case .unsupported, .interpreterFailed, .expectationMissed:
            return nil
        }
    }
}

/// A run directive's expectation, checked against one executor's outcome.
public enum Expectation {
    /// What is wrong with `executed` under the directive's expectations (values or
    /// trap, and the heap afterwards), if anything. Expectations are exact.
    public static func problem(_ executed: ExecutedCall, _ directive: RunDirective, executor: String) -> String? {
        if let problem = problem(executed.outcome, directive.expectation, executor: executor) { return problem }
        guard let expected = directive.expectedHeap, let heap = executed.heap,
              let difference = ExecutedCall.difference(heap, from: expected) else { return nil }
        return "expected heap == \(HeapImage.hexText(expected)), after \(executor) \(difference)"
    }

    /// What is wrong with `outcome` under `expectation`, if anything.
    static func problem(_ outcome: CallOutcome, _ expectation: RunDirective.Expectation, executor: String) -> String? {
        switch expectation {
        case .none:
            return nil
        case .trap(let code):
            return outcome == .trap(code) ? nil : "expected trap \(code), \(executor) gave \(outcome)"
        case .values(let comparison, let expected):
            let equal = outcome == .values(expected)
            switch comparison {
            case .equal:
                return equal ? nil : "expected \(CallOutcome.values(expected)), \(executor) gave \(outcome)"
            case .notEqual:
                if case .values = outcome, !equal { return nil }
                return "expected anything but \(CallOutcome.values(expected)), \(executor) gave \(outcome)"
            }
        }
    }
}
