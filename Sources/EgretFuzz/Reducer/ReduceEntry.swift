import EgretHarness
import EgretIR
import Foundation

/// `egret reduce CASE.clif [-o OUT]`: reduces a failing case, keeping its signature.
public enum ReduceEntry {
    public struct Outcome: Sendable {
        public var signature: FailureSignature
        public var text: String
        public var result: ReductionResult
    }

    /// Reduces the case in `path`, judging candidates in a worker started with
    /// `workerCommand`; nil when the case does not fail at all. Throws a `Diagnostic`
    /// when the file cannot be read or its text does not parse: that is bad input, not
    /// a failure to reduce.
    public static func reduce(path: String, workerCommand: [String], timeout: Double = 20) throws -> Outcome? {
        let text = try InputFile.read(path)
        _ = try CLIFParser.parse(text, fileName: path)
        let scratch = NSTemporaryDirectory() + "egret-reduce-\(getpid())"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let checker = IsolatedChecker(command: workerCommand + ["--inflight", "\(scratch)/inflight.clif"],
                                      scratch: "\(scratch)/candidate.clif", timeout: timeout)
        defer { checker.finish() }
        guard let signature = checker.signature(of: text) else { return nil }
        let reducer = CaseReducer { candidate in checker.signature(of: candidate) == signature }
        let (reduced, result) = reducer.reduce(text)
        return Outcome(signature: signature, text: reduced, result: result)
    }
}
