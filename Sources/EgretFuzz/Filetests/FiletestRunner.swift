import EgretIR
import EgretInterpreter

/// Runs the `; run:` directives of `.clif` files and judges each against its
/// expectation.
///
/// Requires: nothing of the files; anything malformed becomes a diagnostic.
/// Guarantees: every run line ends as exactly one of passed / failed / unsupported, and
/// every file as one `FileOutcome`; nothing the input does can crash the runner (the
/// interpreter has fuel and a call-depth limit).
///
/// Today the executors are the reference interpreter only; compiled execution joins
/// here when the backend exists, and each run line is then judged on every executor.
public struct FiletestRunner {
    public struct Options: Sendable {
        /// Steps each call may take in the interpreter.
        public var fuel: Int = 10_000_000

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
        for directive in module.runDirectives {
            outcome.record(directive, judge(directive, on: &interpreter))
        }
        return outcome
    }

    /// Runs one directive on the interpreter and compares with its expectation.
    private func judge(_ directive: RunDirective, on interpreter: inout Interpreter) -> LineVerdict {
        let result: CallOutcome
        do {
            result = try interpreter.call(functionIndex: directive.functionIndex, arguments: directive.arguments)
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
        switch directive.expectation {
        case .none:
            return .passed(printed: "\(directive.text) -> \(result)")
        case .trap(let code):
            if result == .trap(code) { return .passed(printed: nil) }
            return .failed("expected trap \(code), interpreter gave \(result)")
        case .values(let comparison, let expected):
            let equal = result == .values(expected)
            switch comparison {
            case .equal:
                if equal { return .passed(printed: nil) }
                return .failed("expected \(CallOutcome.values(expected)), interpreter gave \(result)")
            case .notEqual:
                if case .values = result, !equal { return .passed(printed: nil) }
                return .failed("expected anything but \(CallOutcome.values(expected)), interpreter gave \(result)")
            }
        }
    }
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
    /// One line per failing or unsupported run line, and `; print:` output.
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
            messages.append("\(place): \(directive.function)(\(directive.arguments.map(\.description).joined(separator: ", "))): \(why)")
        case .unsupported(let feature):
            unsupported += 1
            if !unsupportedFeatures.contains(feature) { unsupportedFeatures.append(feature) }
            messages.append("\(place): unsupported: \(feature)")
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
