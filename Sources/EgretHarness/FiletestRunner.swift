import EgretCodegen
import EgretIR
import EgretInterpreter

/// Runs the `; run:` directives of `.clif` files and judges each against its
/// expectation, on the reference interpreter and on the compiled code.
///
/// Each run line is judged by a ModuleHarness: executed on the interpreter and, unless
/// `interpreterOnly`, on the JIT under each convention variant of the module
/// (ConventionVariant.swift); a line passes only if every executor meets the
/// expectation and agrees with the interpreter, bit for bit. The register allocation
/// of every compiled function is checked.
///
/// Requires: nothing of the files; anything malformed becomes a diagnostic.
/// Guarantees: every run line ends as exactly one of passed / failed / unsupported, and
/// every file as one `FileOutcome`; nothing the input does can make the interpreter
/// hang (fuel, the stack budget), and hardware traps in compiled code are results.
public struct FiletestRunner {
    public struct Options: Sendable {
        /// Steps each call may take in the interpreter.
        public var fuel: Int = 10_000_000
        /// Run on the interpreter only.
        public var interpreterOnly = false
        /// Also run each convention variant through an object and the system linker
        /// (`egret run --aot`).
        public var aheadOfTime = false
        /// With `aheadOfTime`: each run line's wall-clock limit in the linked program.
        public var lineTimeout: Double = 30
        /// With `aheadOfTime`: where the programs are linked and run.
        public var target: AheadOfTimeTarget = .linux

        public init() {}
    }

    public let options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    /// What a worker process learns while a file runs (IsolatedFiletestSuite): the
    /// stage, the run line about to run, each verdict. `judged` returning false stops
    /// the file there (the process is no longer fit to run code).
    public struct Hooks {
        public var stage: (String) -> Void = { _ in }
        public var willRun: (UInt32) -> Void = { _ in }
        public var judged: (UInt32, LineVerdict) -> Bool = { _, _ in true }

        public init() {}
    }

    /// Runs one file given its name and text. Run lines in `decided` (by line number)
    /// are not run: they take the verdict given (a line that crashed or hung a worker).
    public func run(fileName: String, text: String, decided: [UInt32: LineVerdict] = [:],
                    hooks: Hooks = Hooks()) -> FileOutcome {
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
        var harnessOptions = ModuleHarness.Options()
        harnessOptions.fuel = options.fuel
        harnessOptions.policy = .bitwise
        harnessOptions.variants = options.interpreterOnly ? [] : nil
        harnessOptions.aheadOfTime = options.aheadOfTime && !options.interpreterOnly
        harnessOptions.aheadOfTimeLineTimeout = options.lineTimeout
        harnessOptions.aheadOfTimeTarget = options.target
        let harness: ModuleHarness
        do {
            harness = try ModuleHarness(module: module, options: harnessOptions)
        } catch {
            outcome.diagnostics.append(Diagnostic(.error, "interpreter could not load the module: \(error)",
                                                  file: fileName))
            return outcome
        }
        if module.runDirectives.contains(where: { decided[$0.location.line] == nil }) {
            // Compiling first, so that a crash while compiling is the file's, not a run line's.
            hooks.stage("compiling")
            for index in harness.variants.indices { _ = harness.compiledModule(index) }
        }
        for directive in module.runDirectives {
            let line = directive.location.line
            if let verdict = decided[line] {
                outcome.record(directive, verdict)
                continue
            }
            hooks.willRun(line)
            let verdict = Self.verdict(directive, harness.judge(directive))
            outcome.record(directive, verdict)
            if !hooks.judged(line, verdict) {
                outcome.incomplete = true
                return outcome
            }
        }
        if outcome.unsupported > 0 {
            // One line per file: which features its unsupported run lines need.
            outcome.messages.append("\(fileName): unsupported: \(outcome.unsupported) run lines need "
                                    + outcome.unsupportedFeatures.joined(separator: ", "))
        }
        return outcome
    }

    /// The verdict of a run line from its judgement.
    static func verdict(_ directive: RunDirective, _ judgement: LineJudgement) -> LineVerdict {
        switch judgement {
        case .agreed(let reference):
            guard case .none = directive.expectation else { return .passed(printed: nil) }
            return .passed(printed: "\(directive.text) -> \(reference.outcome)"
                + (reference.heap.map { ", heap == \(HeapImage.hexText($0))" } ?? ""))
        case .unsupported(let feature, _):
            return .unsupported(feature)
        case .interpreterFailed(let error):
            return .failed("interpreter: \(error)")
        case .expectationMissed(let problem):
            return .failed(problem)
        case .executorFailed(let variant, .compileFailed(let error), _):
            return .failed("\(variant): compiling: \(error)")
        case .executorFailed(let variant, .callFailed(let error), _):
            return .failed("\(variant): \(error)")
        case .executorFailed(let variant, .unsupported(let feature), _):
            return .failed("\(variant): unsupported: \(feature)")
        case .disagreed(let variant, let disagreement, let executed, let reference):
            if disagreement.kind == .heap, let difference = executed.heapDifference(from: reference) {
                return .failed("after \(variant), \(difference) as after the interpreter")
            }
            return .failed("\(variant) gave \(executed.outcome), interpreter gave \(reference.outcome)")
        }
    }
}

/// How one run line ended.
public enum LineVerdict: Hashable, Sendable, Codable {
    /// Matched; `printed` is the output of a `; print:` directive.
    case passed(printed: String?)
    case failed(String)
    /// Needs a feature Egret does not support yet (named).
    case unsupported(String)
}

/// How one file ended: its diagnostics (it could not be run), or its run lines.
public struct FileOutcome: Sendable, Codable {
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
    /// Stopped before its last run line (Hooks.judged said so).
    public var incomplete = false

    public init(fileName: String) {
        self.fileName = fileName
    }

    /// A file whose worker crashed or hung outside any run line (loading or compiling
    /// it): one failure, as it is a bug in Egret whatever the input.
    public static func lost(fileName: String, stage: String, how: String) -> FileOutcome {
        var outcome = FileOutcome(fileName: fileName)
        outcome.failed = 1
        outcome.messages.append("\(fileName): egret \(how) while \(stage) the file")
        return outcome
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
