import EgretCodegen
import EgretIR
import EgretInterpreter

/// Runs the `; run:` directives of `.clif` files and judges each against its
/// expectation, on the reference interpreter and on the compiled code.
///
/// Each run line is executed on the interpreter and, unless `interpreterOnly`, on the
/// JIT under each calling-convention variant of the module (ConventionVariants.swift):
/// a line passes only if every executor meets the expectation and agrees with the
/// interpreter. The register allocation of every compiled function is checked.
///
/// Requires: nothing of the files; anything malformed becomes a diagnostic.
/// Guarantees: every run line ends as exactly one of passed / failed / unsupported, and
/// every file as one `FileOutcome`; nothing the input does can make the interpreter
/// hang (fuel, a call-depth limit), and hardware traps in compiled code are results.
public struct FiletestRunner {
    public struct Options: Sendable {
        /// Steps each call may take in the interpreter.
        public var fuel: Int = 10_000_000
        /// Run on the interpreter only.
        public var interpreterOnly = false

        public init() {}
    }

    public let options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    /// Runs one file given its name and text.
    public func run(fileName: String, text: String) -> FileOutcome {
        var outcome = FileOutcome(fileName: fileName)
        let module: Module
        do {
            module = try CLIFParser.parse(text, fileName: fileName)
        } catch let diagnostic as Diagnostic {
            outcome.diagnostics.append(diagnostic)
            return outcome
        } catch {
            outcome.diagnostics.append(Diagnostic(.error, "\(error)", file: fileName))
            return outcome
        }
        let sourceLines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let problems = IRVerifier.verify(module)
        if !problems.isEmpty {
            outcome.diagnostics = problems.map { $0.attachingSource(sourceLines) }
            return outcome
        }
        var interpreter: Interpreter
        do {
            interpreter = try Interpreter(module: module)
        } catch {
            outcome.diagnostics.append(Diagnostic(.error, "interpreter could not load the module: \(error)",
                                                  file: fileName))
            return outcome
        }
        interpreter.fuel = options.fuel
        let compiled = options.interpreterOnly ? [] : compileVariants(of: module)
        let heap: JITHeap?
        do {
            heap = try compiled.isEmpty ? nil : module.heap.map { try JITHeap(size: $0.size) }
        } catch {
            outcome.diagnostics.append(Diagnostic(.error, "\(error)", file: fileName))
            return outcome
        }
        for directive in module.runDirectives {
            outcome.record(directive, judge(directive, on: &interpreter, compiled: compiled,
                                            heap: heap, image: module.heap?.bytes))
        }
        if outcome.unsupported > 0 {
            // One line per file: which features its unsupported run lines need.
            outcome.messages.append("\(fileName): unsupported: \(outcome.unsupported) run lines need "
                                    + outcome.unsupportedFeatures.joined(separator: ", "))
        }
        return outcome
    }

    /// The module compiled under each convention variant, or why it could not be.
    private func compileVariants(of module: Module) -> [CompiledVariant] {
        ConventionVariants.of(module).map { variant in
            var options = Compiler.Options()
            options.callConvOverrides = variant.overrides
            options.checkAllocation = true
            do {
                return CompiledVariant(name: variant.name, module: try CompiledModule(module, options: options),
                                       failure: nil)
            } catch CodegenError.unsupported(let feature) {
                return CompiledVariant(name: variant.name, module: nil, failure: .unsupported(feature))
            } catch {
                return CompiledVariant(name: variant.name, module: nil, failure: .failed("compiling: \(error)"))
            }
        }
    }

    /// Runs one directive on every executor and judges it. Every executor starts from
    /// the heap `image` (when the module has a heap); `heap` is the compiled code's.
    private func judge(_ directive: RunDirective, on interpreter: inout Interpreter, compiled: [CompiledVariant],
                       heap: JITHeap?, image: [UInt8]?) -> LineVerdict {
        let reference: ExecutedCall
        do {
            reference = try interpreter.execute(directive, heap: image)
        } catch let error as InterpreterError {
            switch error {
            case .unsupported(let feature, _, _):
                return .unsupported(feature)
            case .outOfFuel, .callDepthExceeded, .invalidProgram:
                return .failed("interpreter: \(error)")
            }
        } catch {
            return .failed("interpreter: \(error)")
        }
        if let problem = mismatch(reference, directive, executor: "interpreter") {
            return .failed(problem)
        }
        var unsupportedFeature: String?
        for variant in compiled {
            switch run(directive, on: variant, heap: heap, image: image) {
            case .success(let executed):
                if let problem = mismatch(executed, directive, executor: variant.name) {
                    return .failed(problem)
                }
                if executed.outcome != reference.outcome {
                    return .failed("\(variant.name) gave \(executed.outcome), interpreter gave \(reference.outcome)")
                }
                if let difference = executed.heapDifference(from: reference) {
                    return .failed("after \(variant.name), \(difference) as after the interpreter")
                }
            case .failure(.unsupported(let feature)):
                unsupportedFeature = unsupportedFeature ?? feature
            case .failure(.failed(let why)):
                return .failed("\(variant.name): \(why)")
            }
        }
        if let feature = unsupportedFeature { return .unsupported(feature) }
        if case .none = directive.expectation {
            return .passed(printed: "\(directive.text) -> \(reference.outcome)"
                + (reference.heap.map { ", heap == \(HeapImage.hexText($0))" } ?? ""))
        }
        return .passed(printed: nil)
    }

    private func run(_ directive: RunDirective, on variant: CompiledVariant, heap: JITHeap?,
                     image: [UInt8]?) -> Result<ExecutedCall, ExecutorFailure> {
        guard let module = variant.module else {
            return .failure(variant.failure ?? .failed("not compiled"))
        }
        if let feature = module.unsupported[directive.functionIndex] { return .failure(.unsupported(feature)) }
        do {
            return .success(try module.execute(directive, heap: heap, image: image))
        } catch {
            return .failure(.failed("\(error)"))
        }
    }

    /// What is wrong with `executed` under the directive's expectations, if anything.
    private func mismatch(_ executed: ExecutedCall, _ directive: RunDirective, executor: String) -> String? {
        if let problem = mismatch(executed.outcome, directive.expectation, executor: executor) { return problem }
        guard let expected = directive.expectedHeap, let heap = executed.heap,
              let difference = ExecutedCall.difference(heap, from: expected) else { return nil }
        return "expected heap == \(HeapImage.hexText(expected)), after \(executor) \(difference)"
    }

    /// What is wrong with `outcome` under `expectation`, if anything.
    private func mismatch(_ outcome: CallOutcome, _ expectation: RunDirective.Expectation, executor: String) -> String? {
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

/// A module compiled under one convention variant.
struct CompiledVariant {
    /// `jit[system_v]`, `jit[windows_fastcall]`.
    var name: String
    var module: CompiledModule?
    var failure: ExecutorFailure?
}

/// Why an executor produced no outcome.
enum ExecutorFailure: Error {
    case unsupported(String)
    case failed(String)
}

/// How one run line ended.
public enum LineVerdict: Hashable, Sendable {
    /// Matched; `printed` is the output of a `; print:` directive.
    case passed(printed: String?)
    case failed(String)
    /// Needs a feature Egret does not support yet (named).
    case unsupported(String)
}

/// How one file ended: its diagnostics (it could not be run), or its run lines.
public struct FileOutcome: Sendable {
    public var fileName: String
    public var diagnostics: [Diagnostic] = []
    public var passed = 0
    public var failed = 0
    public var unsupported = 0
    /// One line per failing run line, one per file for its unsupported run lines, and
    /// `; print:` output.
    public var messages: [String] = []
    /// The features that made run lines unsupported, in first-seen order.
    public var unsupportedFeatures: [String] = []

    public init(fileName: String) {
        self.fileName = fileName
    }

    mutating func record(_ directive: RunDirective, _ verdict: LineVerdict) {
        let place = "\(fileName):\(directive.location.line)"
        switch verdict {
        case .passed(let printed):
            passed += 1
            if let printed { messages.append("\(place): \(printed)") }
        case .failed(let why):
            failed += 1
            messages.append("\(place): \(directive.function)(\(directive.argumentText)): \(why)")
        case .unsupported(let feature):
            unsupported += 1
            if !unsupportedFeatures.contains(feature) { unsupportedFeatures.append(feature) }
        }
    }

    /// The exit status this file alone would give (DESIGN.md §7).
    public var exitStatus: Int32 {
        if failed > 0 { return 1 }
        if let first = diagnostics.first { return first.isUnsupported ? 3 : 2 }
        if unsupported > 0 { return 3 }
        return 0
    }
}

extension Diagnostic {
    /// The diagnostic with the offending source line filled in from the file's lines.
    public func attachingSource(_ lines: [Substring]) -> Diagnostic {
        guard sourceLine == nil, location.isKnown, Int(location.line) <= lines.count else { return self }
        var copy = self
        copy.sourceLine = String(lines[Int(location.line) - 1])
        return copy
    }
}
