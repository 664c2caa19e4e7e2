import Foundation

extension Campaign {
    /// Deduplicates findings by signature (against each other and the corpus), reduces
    /// the new ones in a fresh worker each, and stores them in the corpus. After an
    /// interrupt nothing more is reduced: the findings are stored as found and marked
    /// unreduced. A finding the corpus cannot take stays in its journal file, and the
    /// error is recorded with its path.
    func processFindings(scratch: String, log: (String) -> Void) {
        let corpus = options.corpusDirectory.map(Corpus.init(directory:))
        var known = corpus?.knownSignatures(openOnly: true) ?? []
        var reductions = 0
        var findings = currentFindings()
        var storageErrors: [String] = []
        for position in findings.indices {
            let signature = findings[position].finding.signature
            if known.contains(signature.description) {
                findings[position].isDuplicate = true
                continue
            }
            known.insert(signature.description)
            var text = findings[position].originalText
            if options.reduce && reductions < options.maxReductions && signature.kind != .invalidCase
                && currentInterrupt == nil {
                reductions += 1
                if let reduced = reduce(&findings[position], scratch: scratch, log: log) { text = reduced }
            }
            guard let corpus else { continue }
            let item = findings[position]
            do {
                findings[position].corpusPath = try corpus.store(item.finding, text: text, seed: item.seed,
                                                                 caseIndex: item.caseIndex,
                                                                 unreduced: item.reduction == nil && options.reduce)
            } catch {
                let kept = item.journalPath.map { "; the case is kept in \($0)" } ?? ""
                storageErrors.append("cannot store case \(item.caseIndex) in \(corpus.directory): \(Self.reason(error))\(kept)")
                if item.journalPath == nil {
                    FileHandle.standardError.write(Data("\(Corpus.signaturePrefix)\(signature)\n\(text)\n".utf8))
                }
            }
        }
        replaceFindings(findings)
        record { $0.storageErrors += storageErrors }
    }

    /// Reduces one finding in a fresh worker; returns the reduced text, or nil when the
    /// finding does not happen again in a fresh worker (it is then stored as found).
    private func reduce(_ item: inout CampaignFinding, scratch: String, log: (String) -> Void) -> String? {
        let signature = item.finding.signature
        let checker = IsolatedChecker(command: options.workerArguments(inflightPath: "\(scratch)/inflight/reduce.clif"),
                                      scratch: "\(scratch)/inflight/reduce-candidate.clif", timeout: options.caseTimeout)
        defer { checker.finish() }
        guard checker.signature(of: item.originalText) == signature else {
            log("case \(item.caseIndex) (\(signature)) does not fail the same way in a fresh worker; stored unreduced")
            return nil
        }
        var evidence: Finding?
        let reducer = CaseReducer { [self] candidate in
            // An interrupt ends the reduction: what is reduced so far is kept.
            guard currentInterrupt == nil, checker.signature(of: candidate) == signature else { return false }
            evidence = checker.lastFinding
            return true
        }
        let (reduced, result) = reducer.reduce(item.originalText)
        log("reduced case \(item.caseIndex) (\(signature)): \(result.instructionsBefore) → "
            + "\(result.instructionsAfter) instructions, \(result.linesBefore) → \(result.linesAfter) lines "
            + "in \(String(format: "%.1f", result.seconds)) s")
        item.reducedText = reduced
        item.reduction = result
        // The reduced case's own evidence (input, results) for the header.
        if let evidence { item.finding = evidence }
        return reduced
    }
}
