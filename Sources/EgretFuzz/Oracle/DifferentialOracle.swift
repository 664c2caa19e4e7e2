@_spi(Testing) import EgretCodegen
import EgretIR
import EgretInterpreter

/// Judges one case: every input on the reference interpreter and on the compiled code
/// under both calling-convention assignments, compared bitwise, traps included, and
/// with the heap buffer's contents afterwards when the case has one (each input starts
/// from the case's heap image; the compiled code's buffer has guard pages, JITHeap).
///
/// The module is compiled twice: with the conventions it declares (so calls between
/// its system_v and windows_fastcall functions cross conventions directly) and with
/// system_v and windows_fastcall exchanged everywhere; every function is entered
/// through its trampoline. The register-allocation checker runs on every function;
/// an allocation it rejects is a compile error named by the IR instruction and rule
/// whose code it failed at.
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
        /// Test-only: compile with a planted bug (the fuzzer's self-test).
        public var plantedBug: PlantedBug?
        /// Test-only: lowering rules replaced by other emitters (`Compiler.Options`).
        @_spi(Testing) public var replacedEmitters: [String: RuleEmitter] = [:]
        /// Test-only: a wrong register in one rule's code (`Compiler.Options`).
        @_spi(Testing) public var misallocation: Misallocation?

        public init() {}
    }

    public struct Verdict: Sendable {
        public var finding: Finding?
        /// Inputs run (on each executor).
        public var inputsRun: Int = 0
        /// How the interpreter's runs ended: `values` or the trap code.
        public var outcomes: [String: Int] = [:]
    }

    public let options: Options
    /// Heap buffers for the compiled code, reused from case to case.
    private let heaps = JITHeapPool()

    public init(options: Options = Options()) {
        self.options = options
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
        var interpreter: Interpreter
        do {
            interpreter = try Interpreter(module: module)
        } catch {
            verdict.finding = invalid("interpreter: \(error)")
            return verdict
        }
        interpreter.fuel = options.fuel
        var references: [ExecutedCall] = []
        references.reserveCapacity(module.runDirectives.count)
        for directive in module.runDirectives {
            do {
                let executed = try interpreter.execute(directive, heap: module.heap?.bytes)
                references.append(executed)
                verdict.outcomes[Self.outcomeKey(executed.outcome), default: 0] += 1
            } catch {
                verdict.finding = invalid("interpreter on \(Self.inputText(directive)): \(error)")
                return verdict
            }
        }
        verdict.inputsRun = references.count
        let heap: JITHeap?
        do {
            heap = try module.heap.map { try heaps.take(size: $0.size) }
        } catch {
            verdict.finding = Finding(signature: FailureSignature(kind: .executionError,
                                                                  location: FailureSignature.normalised("\(error)")),
                                      detail: "\(error)")
            return verdict
        }
        defer { if let heap { heaps.give(heap) } }
        var variants: [(name: String, overrides: [CallConv: CallConv])] = [("jit[declared]", [:])]
        if options.bothConventions {
            variants.append(("jit[exchanged]", [.systemV: .windowsFastcall, .windowsFastcall: .systemV]))
        }
        for variant in variants {
            if let finding = run(module, variant.name, variant.overrides, references, heap) {
                verdict.finding = finding
                return verdict
            }
        }
        return verdict
    }

    /// Compiles under one convention assignment and compares every input.
    private func run(_ module: Module, _ name: String, _ overrides: [CallConv: CallConv],
                     _ references: [ExecutedCall], _ heap: JITHeap?) -> Finding? {
        var compileOptions = Compiler.Options()
        compileOptions.callConvOverrides = overrides
        compileOptions.checkAllocation = options.checkAllocation
        compileOptions.plantedBug = options.plantedBug
        compileOptions.replacedEmitters = options.replacedEmitters
        compileOptions.misallocation = options.misallocation
        let compiled: CompiledModule
        do {
            compiled = try CompiledModule(module, options: compileOptions)
        } catch CodegenError.unsupported(let feature) {
            return Finding(signature: FailureSignature(kind: .unsupported, location: FailureSignature.normalised(feature)),
                           detail: "\(name): unsupported: \(feature)")
        } catch CodegenError.rejectedAllocation(let rejection) {
            // Named like a mismatch: the rule whose code the checker failed at, and the
            // kind of failure rather than its registers and values, which shift with
            // any change to the case.
            let location = "\(name): \(rejection.culprit): checker: \(rejection.failure.problem.rawValue)"
            return Finding(signature: FailureSignature(kind: .compileError, location: location,
                                                       culprit: rejection.culprit),
                           detail: "\(name): \(CodegenError.rejectedAllocation(rejection))")
        } catch {
            let message = FailureSignature.normalised("\(error)")
            let opcode = CulpritLocator.opcodeNamed(in: "\(error)")
            return Finding(signature: FailureSignature(kind: .compileError,
                                                       location: (opcode.map { "\($0): " } ?? "") + message,
                                                       culprit: opcode),
                           detail: "\(name): \(error)")
        }
        for (directive, reference) in zip(module.runDirectives, references) {
            if let feature = compiled.unsupported[directive.functionIndex] {
                return Finding(signature: FailureSignature(kind: .unsupported,
                                                           location: FailureSignature.normalised(feature)),
                               detail: "\(name): unsupported: \(feature)")
            }
            let executed: ExecutedCall
            do {
                executed = try compiled.execute(directive, heap: heap, image: module.heap?.bytes)
            } catch {
                // A fault in the program's own code is named by the instruction the
                // probes find; one elsewhere (a trampoline using a register the program
                // clobbered) has no instruction of the program to name.
                var culprit: String?
                if Self.faultsInProgram(error, module) {
                    let locator = CulpritLocator(fuel: options.fuel, compileOptions: compileOptions)
                    culprit = locator.locate(in: module, directive: directive, heap: module.heap?.bytes)?.description
                }
                let location = "\(name): " + (culprit.map { "\($0): " } ?? "") + FailureSignature.normalised("\(error)")
                return Finding(signature: FailureSignature(kind: .executionError, location: location, culprit: culprit),
                               input: Self.inputText(directive), interpreterResult: reference.outcome.description,
                               detail: "\(name): \(error)")
            }
            if Self.equivalent(executed, reference) { continue }
            let outcome = executed.outcome
            let kind: FailureSignature.Kind
            let shape: String
            switch (reference.outcome, outcome) {
            case (.values, .values) where Self.equivalent(outcome, reference.outcome):
                kind = .heapMismatch
                shape = "heap differs"
            case (.trap(let code), .trap) where outcome == reference.outcome:
                kind = .heapMismatch
                shape = "heap differs after trap \(code)"
            case (.values, .values):
                kind = .valueMismatch
                shape = "values differ"
            case (.trap(let expected), .trap(let actual)):
                kind = .trapMismatch
                shape = "trap \(expected) became trap \(actual)"
            case (.values, .trap(let actual)):
                kind = .trapMismatch
                shape = "values became trap \(actual)"
            case (.trap(let expected), .values):
                kind = .trapMismatch
                shape = "trap \(expected) became values"
            }
            let locator = CulpritLocator(fuel: options.fuel, compileOptions: compileOptions)
            let culprit = locator.locate(in: module, directive: directive, heap: module.heap?.bytes)?.description
            let location = "\(name): " + (culprit.map { "\($0): " } ?? "") + shape
            let heapDifference = executed.heapDifference(from: reference).map { "; after it \($0) as after the interpreter" }
            return Finding(signature: FailureSignature(kind: kind, location: location, culprit: culprit),
                           input: Self.inputText(directive), interpreterResult: reference.summary(comparedTo: executed),
                           compiledResult: executed.summary(comparedTo: reference),
                           detail: "\(name) gave \(outcome), the interpreter gave \(reference.outcome) for "
                               + Self.inputText(directive) + (heapDifference ?? ""))
        }
        return nil
    }

    /// Bitwise equality, except that any two NaNs are equal: CLIF leaves the payload
    /// of a NaN produced by arithmetic unspecified.
    static func equivalent(_ outcome: CallOutcome, _ reference: CallOutcome) -> Bool {
        if outcome == reference { return true }
        guard case .values(let left) = outcome, case .values(let right) = reference, left.count == right.count
        else { return false }
        return zip(left, right).allSatisfy { $0 == $1 || ($0.type == $1.type && $0.isNaN && $1.isNaN) }
    }

    /// `equivalent` outcomes and the same heap, byte for byte (the heap holds only
    /// stored bits: a NaN stored there is compared as stored).
    static func equivalent(_ executed: ExecutedCall, _ reference: ExecutedCall) -> Bool {
        executed.heap == reference.heap && equivalent(executed.outcome, reference.outcome)
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
