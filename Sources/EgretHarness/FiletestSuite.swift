import EgretIR
import Foundation

/// Runs every `.clif` file under a set of paths and totals the outcome, as
/// `egret run` and `egret interpret` report it.
public struct FiletestSuite {
    public var runner: FiletestRunner

    public init(runner: FiletestRunner = FiletestRunner()) {
        self.runner = runner
    }

    /// The `.clif` files named by `paths`: files as given, directories searched
    /// recursively, in sorted order. Throws a usage diagnostic for a path that does not
    /// exist and for a directory without `.clif` files (a typo must not pass as an
    /// empty run).
    public static func collectFiles(_ paths: [String]) throws -> [String] {
        var files: [String] = []
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw Diagnostic(.error, "no such file or directory", file: path)
            }
            guard isDirectory.boolValue else {
                files.append(path)
                continue
            }
            var found: [String] = []
            if let walker = manager.enumerator(atPath: path) {
                for case let relative as String in walker where relative.hasSuffix(".clif") {
                    found.append(path.hasSuffix("/") ? path + relative : path + "/" + relative)
                }
            }
            guard !found.isEmpty else { throw Diagnostic(.error, "no .clif files in this directory", file: path) }
            files.append(contentsOf: found.sorted())
        }
        return files
    }

    /// Runs each file, handing every outcome to `report` as it completes.
    public func run(files: [String], report: (FileOutcome) -> Void) -> SuiteSummary {
        var summary = SuiteSummary()
        for file in files {
            let outcome = Self.runFile(file, runner: runner)
            summary.add(outcome)
            report(outcome)
        }
        return summary
    }

    /// Reads and runs one file.
    public static func runFile(_ file: String, runner: FiletestRunner, decided: [UInt32: LineVerdict] = [:],
                               hooks: FiletestRunner.Hooks = FiletestRunner.Hooks()) -> FileOutcome {
        let text: String
        do {
            text = try InputFile.read(file)
        } catch {
            var unreadable = FileOutcome(fileName: file)
            unreadable.diagnostics.append(error as? Diagnostic ?? Diagnostic(.error, "cannot be read", file: file))
            return unreadable
        }
        return runner.run(fileName: file, text: text, decided: decided, hooks: hooks)
    }
}

/// Totals over files.
public struct SuiteSummary: Sendable {
    public var files = 0
    public var passed = 0
    public var failed = 0
    public var unsupported = 0
    /// Files that could not be run because of bad input.
    public var filesWithErrors = 0
    /// Files that could not be run because they need an unsupported feature.
    public var unsupportedFiles = 0
    public var unsupportedFeatures: [String: Int] = [:]

    public init() {}

    public mutating func add(_ outcome: FileOutcome) {
        files += 1
        passed += outcome.passed
        failed += outcome.failed
        unsupported += outcome.unsupported
        if let first = outcome.diagnostics.first {
            if first.isUnsupported { unsupportedFiles += 1 } else { filesWithErrors += 1 }
            if case .unsupported(let feature) = first.kind { unsupportedFeatures[feature, default: 0] += 1 }
        }
        for feature in outcome.unsupportedFeatures { unsupportedFeatures[feature, default: 0] += 1 }
    }

    /// Exit status (DESIGN.md §7): 1 if anything failed, else 2 for bad input, else 3
    /// if something needed an unsupported feature, else 0.
    public var exitStatus: Int32 {
        if failed > 0 { return 1 }
        if filesWithErrors > 0 { return 2 }
        if unsupported > 0 || unsupportedFiles > 0 { return 3 }
        return 0
    }

    /// The closing line: `N passed, N failed, N unsupported`.
    public var line: String { "\(passed) passed, \(failed) failed, \(unsupported) unsupported" }
}
