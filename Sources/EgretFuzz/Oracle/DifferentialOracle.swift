import EgretCodegen
import EgretHarness
import EgretIR
import EgretInterpreter

/// Judges one case and names what went wrong: every input is judged by a ModuleHarness
/// (the interpreter against the compiled code under both convention variants,
/// NaN-canonical, traps included, with the heap buffer's contents afterwards when the
/// case has one), and the first problem becomes a finding with a signature: its kind,
/// the executor, and the culprit instruction and rule the CulpritLocator finds.
///
/// Every function is entered through its trampoline. The register-allocation checker
/// runs on every function; an allocation it rejects is a compile error named by the IR
/// instruction and rule whose code it failed at.
///
/// Requires: nothing of the text. Guarantees: returns at most one finding (the first);
/// a case the harness itself got wrong is reported as `invalid-case`, never as a
/// backend bug. Compiled code that faults in a way the JIT cannot turn into a result
/// may still take the process down: run untrusted cases in a worker (CampaignWorker).
public struct DifferentialOracle {
    public struct Options: Sendable {
        /// Interpreter steps per input; generated cases need far fewer (loops are bounded).
        public var fuel: Int = 1_000_000
        /// Run the register-allocation checker on every compiled function.
        public var checkAllocation: Bool = true
        /// Also compile with system_v and windows_fastcall exchanged.
        public var bothConventions: Bool = true
        /// Test-only: the self-tests' ways into the compiler (a planted bug, a replaced
        /// rule, a misallocation; CompilerHooks).
        public var hooks: CompilerHooks?

        public init() {}
    }

    public struct Verdict: Sendable {
        public var finding: Finding?
        /// Inputs run (on each executor).
        public var inputsRun: Int = 0
        /// How the interpreter's runs ended: `values` or the trap code.
        public var outcomes: [String: Int] = [:]
        /// What compiling the case's functions (as declared) involved: `regalloc:
        /// spills`, `frame: callee-saved registers`, `frame: xmm registers saved`, one
        /// per function.
        public var shapes: [String] = []
    }

    public let options: Options
    /// Heap buffers for the compiled code, reused from case to case.
    private let heaps = JITHeapPool()

    public init(options: Options = Options()) {
        self.options = options
    }

    /// The harness options a case is judged with.
    var harnessOptions: ModuleHarness.Options {
        var harnessOptions = ModuleHarness.Options()
        harnessOptions.fuel = options.fuel
        harnessOptions.policy = .nanCanonical
        harnessOptions.checkAllocation = options.checkAllocation
        harnessOptions.hooks = options.hooks
        harnessOptions.variants = options.bothConventions ? nil : [.declared]
        return harnessOptions
    }

    public func check(text: String, fileName: String = "case.clif") -> Verdict {
        var verdict = Verdict()
        let module: Module
        do {
            module = try CLIFParser.parse(text, fileName: fileName)
        } catch {
            verdict.finding = invalid("parse: \(error)")
            return verdict
        }
        return check(module: module)
    }

    public func check(module: Module) -> Verdict {
        var verdict = Verdict()
        let problems = IRVerifier.verify(module)
        if let first = problems.first {
            verdict.finding = invalid("verifier: \(first)")
            return verdict
        }
        let harness: ModuleHarness
        do {
            harness = try ModuleHarness(module: module, options: harnessOptions, heapPool: heaps)
        } catch {
            verdict.finding = invalid("interpreter: \(error)")
            return verdict
        }
        // Every variant is compiled before anything runs, so a compile error is found
        // even in a function no input reaches.
        for index in harness.variants.indices where !harness.variants[index].aheadOfTime {
            switch harness.compiledModule(index) {
            case .failure(let failure):
                if let finding = compileFinding(harness.variants[index], failure) {
                    verdict.finding = finding
                    return verdict
                }
            case .success(let compiled) where index == 0:
                verdict.shapes = Self.shapes(of: compiled)
            case .success:
                break
            }
        }
        for directive in module.runDirectives {
            let judgement = harness.judge(directive)
            if let reference = judgement.reference {
                verdict.inputsRun += 1
                verdict.outcomes[Self.outcomeKey(reference.outcome), default: 0] += 1
            }
            if let finding = finding(judgement, directive, harness) {
                verdict.finding = finding
                return verdict
            }
        }
        return verdict
    }

    /// The shapes compiling produced, one entry per function and shape.
    static func shapes(of compiled: CompiledModule) -> [String] {
        var shapes: [String] = []
        for case let function? in compiled.compiled {
            if function.spillSlotCount > 0 { shapes.append("regalloc: spills") }
            if !function.emitted.frame.savedRegisters.isEmpty { shapes.append("frame: callee-saved registers") }
            if !function.emitted.frame.savedVectorRegisters.isEmpty { shapes.append("frame: xmm registers saved") }
        }
        return shapes
    }

    /// The finding a module that does not compile under `variant` makes.
    private func compileFinding(_ variant: ConventionVariant, _ failure: ExecutorFailure) -> Finding? {
        switch failure {
        case .unsupported(let feature):
            return Finding(signature: FailureSignature(kind: .unsupported, location: FailureSignature.normalised(feature)),
                           detail: "\(variant): unsupported: \(feature)")
        case .compileFailed(CodegenError.rejectedAllocation(let rejection)):
            // Named like a mismatch: the rule whose code the checker failed at, and the
            // kind of failure rather than its registers and values, which shift with
            // any change to the case.
            let location = "\(variant): \(rejection.culprit): checker: \(rejection.failure.problem.rawValue)"
            return Finding(signature: FailureSignature(kind: .compileError, location: location,
                                                       culprit: rejection.culprit),
                           detail: "\(variant): \(CodegenError.rejectedAllocation(rejection))")
        case .compileFailed(let error):
            let message = FailureSignature.normalised("\(error)")
            let opcode = CulpritLocator.opcodeNamed(in: "\(error)")
            return Finding(signature: FailureSignature(kind: .compileError,
                                                       location: (opcode.map { "\($0): " } ?? "") + message,
                                                       culprit: opcode),
                           detail: "\(variant): \(error)")
        case .callFailed:
            return nil
        }
    }

    /// The finding one input's judgement makes, if any.
    private func finding(_ judgement: LineJudgement, _ directive: RunDirective, _ harness: ModuleHarness) -> Finding? {
        let module = harness.module
        switch judgement {
        case .agreed:
            return nil
        case .unsupported(let feature, let executor):
            guard executor != "interpreter" else {
                return invalid("interpreter on \(Self.inputText(directive)): unsupported: \(feature)")
            }
            return Finding(signature: FailureSignature(kind: .unsupported, location: FailureSignature.normalised(feature)),
                           detail: "\(executor): unsupported: \(feature)")
        case .interpreterFailed(let error):
            return invalid("interpreter on \(Self.inputText(directive)): \(error)")
        case .expectationMissed(let problem):
            // A generated case states no expectations; a replayed corpus file may.
            return Finding(signature: FailureSignature(kind: .valueMismatch,
                                                       location: FailureSignature.normalised(problem)),
                           input: Self.inputText(directive), detail: problem)
        case .executorFailed(let variant, let failure, let reference):
            guard case .callFailed(let error) = failure else { return compileFinding(variant, failure) }
            // A fault in the program's own code is named by the instruction the probes
            // find; one elsewhere (a trampoline using a register the program clobbered)
            // has no instruction of the program to name.
            var culprit: String?
            if Self.faultsInProgram(error, module) {
                culprit = locator(variant).locate(in: module, directive: directive, heap: module.heap?.bytes)?.description
            }
            let location = "\(variant): " + (culprit.map { "\($0): " } ?? "") + FailureSignature.normalised("\(error)")
            return Finding(signature: FailureSignature(kind: .executionError, location: location, culprit: culprit),
                           input: Self.inputText(directive), interpreterResult: reference.outcome.description,
                           detail: "\(variant): \(error)")
        case .disagreed(let variant, let disagreement, let executed, let reference):
            let kind: FailureSignature.Kind
            switch disagreement.kind {
            case .values: kind = .valueMismatch
            case .trap: kind = .trapMismatch
            case .heap: kind = .heapMismatch
            }
            let culprit = locator(variant).locate(in: module, directive: directive, heap: module.heap?.bytes)?.description
            let location = "\(variant): " + (culprit.map { "\($0): " } ?? "") + disagreement.shape
            let heapDifference = executed.heapDifference(from: reference).map { "; after it \($0) as after the interpreter" }
            return Finding(signature: FailureSignature(kind: kind, location: location, culprit: culprit),
                           input: Self.inputText(directive), interpreterResult: reference.summary(comparedTo: executed),
                           compiledResult: executed.summary(comparedTo: reference),
                           detail: "\(variant) gave \(executed.outcome), the interpreter gave \(reference.outcome) for "
                               + Self.inputText(directive) + (heapDifference ?? ""))
        }
    }

    /// The culprit locator for a finding under `variant`: the same compiler, hooks
    /// included, and the same fuel.
    private func locator(_ variant: ConventionVariant) -> CulpritLocator {
        var harnessOptions = self.harnessOptions
        harnessOptions.variants = [variant]
        harnessOptions.checkAllocation = false
        return CulpritLocator(harnessOptions: harnessOptions)
    }

    /// Whether `error` is a fault without a trap record inside one of `module`'s functions.
    static func faultsInProgram(_ error: Error, _ module: Module) -> Bool {
        guard case JITError.faultWithoutTrapRecord(let fault) = error, let function = fault.location?.function
        else { return false }
        return module.functionIndex(named: function) != nil
    }

    private func invalid(_ message: String) -> Finding {
        Finding(signature: FailureSignature(kind: .invalidCase, location: FailureSignature.normalised(message)),
                detail: message)
    }

    static func inputText(_ directive: RunDirective) -> String {
        "%\(directive.function.description.drop { $0 == "%" })(\(directive.argumentText))"
    }

    static func outcomeKey(_ outcome: CallOutcome) -> String {
        switch outcome {
        case .values: return "values"
        case .trap(let code): return "trap \(code)"
        }
    }
}
