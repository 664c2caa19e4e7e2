import Foundation

extension Campaign {
    /// Deduplicates findings by signature (against each other and the corpus), reduces
    /// the new ones in a fresh worker each, and stores them in the corpus.
    func processFindings(scratch: String, log: (String) -> Void) throws {
        let corpus = options.corpusDirectory.map(Corpus.init(directory:))
        var known = corpus?.knownSignatures(openOnly: true) ?? []
        var reductions = 0
        var findings = currentFindings()
        for position in findings.indices {
            let signature = findings[position].finding.signature
            if known.contains(signature.description) {
                findings[position].isDuplicate = true
                continue
            }
            known.insert(signature.description)
            var text = findings[position].originalText
            if options.reduce && reductions < options.maxReductions && signature.kind != .invalidCase {
                reductions += 1
                let checker = IsolatedChecker(command: options.workerArguments(inflightPath: "\(scratch)/inflight/reduce.clif"),
                                              scratch: "\(scratch)/reduce-candidate.clif", timeout: options.caseTimeout)
                // A crash from outside (a worker killed by the system or a person) does
                // not reproduce: keep the case as it is.
                guard checker.signature(of: text) == signature else {
                    checker.finish()
                    log("case \(findings[position].caseIndex) (\(signature)) does not reproduce; stored unreduced")
                    if let corpus {
                        findings[position].corpusPath = try corpus.store(findings[position].finding, text: text,
                                                                         seed: findings[position].seed,
                                                                         caseIndex: findings[position].caseIndex)
                    }
                    continue
                }
                var evidence: Finding?
                let reducer = CaseReducer { candidate in
                    guard checker.signature(of: candidate) == signature else { return false }
                    evidence = checker.lastFinding
                    return true
                }
                let (reduced, result) = reducer.reduce(text)
                checker.finish()
                log("reduced case \(findings[position].caseIndex) (\(signature)): \(result.instructionsBefore) → "
                    + "\(result.instructionsAfter) instructions, \(result.linesBefore) → \(result.linesAfter) lines "
                    + "in \(String(format: "%.1f", result.seconds)) s")
                findings[position].reducedText = reduced
                findings[position].reduction = result
                text = reduced
                // The reduced case's own evidence (input, results) for the header.
                if let evidence { findings[position].finding = evidence }
            }
            if let corpus {
                findings[position].corpusPath = try corpus.store(findings[position].finding, text: text,
                                                                 seed: findings[position].seed,
                                                                 caseIndex: findings[position].caseIndex)
            }
        }
        replaceFindings(findings)
    }
}

/// Judges candidate cases in a worker process, so a case that crashes or hangs the
/// backend does not take the reducer down. Each candidate is written to `scratch`.
final class IsolatedChecker {
    let command: [String]
    let scratch: String
    let timeout: Double
    private var worker: WorkerProcess?
    /// The finding of the last candidate judged.
    private(set) var lastFinding: Finding?

    init(command: [String], scratch: String, timeout: Double) {
        self.command = command
        self.scratch = scratch
        self.timeout = timeout
    }

    /// The failure signature of `text`, or nil when it passes.
    func signature(of text: String) -> FailureSignature? {
        guard FileManager.default.createFile(atPath: scratch, contents: Data(text.utf8)) else { return nil }
        if worker == nil { worker = try? WorkerProcess(command: command) }
        guard let process = worker, process.send("check \(scratch)") else {
            worker = nil
            return nil
        }
        guard let line = process.readLine(timeout: timeout) else {
            let timedOut = process.timedOut
            process.kill()
            worker = nil
            let how = timedOut ? "no answer within \(Int(timeout)) s" : process.endDescription
            let signature = FailureSignature(kind: timedOut ? .timeout : .crash,
                                             location: FailureSignature.normalised(how))
            // This candidate's own evidence, not an earlier candidate's.
            lastFinding = Finding(signature: signature,
                                  detail: "the worker \(timedOut ? "hung" : "died (\(how))") running the case")
            return signature
        }
        guard line.hasPrefix("verdict "), line != "verdict clean" else {
            lastFinding = nil
            return nil
        }
        let finding = WorkerProtocol.decode(Finding.self, line.dropFirst(8))
        lastFinding = finding
        return finding?.signature
    }

    func finish() {
        worker?.finish()
        worker = nil
    }
}
