import EgretIR
import Foundation

/// How a reduction went.
public struct ReductionResult: Sendable, Codable {
    public var instructionsBefore: Int
    public var instructionsAfter: Int
    public var linesBefore: Int
    public var linesAfter: Int
    public var candidatesTried: Int
    public var seconds: Double
}

/// Delta debugging on the IR, to a fixpoint.
///
/// The case is parsed once; each pass (ReductionPasses) proposes smaller modules, one
/// edit at a time, and an edit is kept only if the module, printed as CLIF, still
/// fails with the same signature (the predicate, usually judged in a worker process).
/// Candidates are printed with the CLIF printer and parsed and verified in this
/// process first: one the verifier rejects is dropped without asking the predicate, so
/// the passes need not understand dominance or signatures.
///
///     text ──parse──▶ Module ──pass──▶ candidates ──print, parse, verify──▶ stillFails?
///                       ▲                                                     │ yes
///                       └──────────────────── keep ◀──────────────────────────┘
///
/// Every kept candidate is strictly smaller (`Size`: the weight of the code that runs,
/// then all instructions, then characters), so the fixpoint is reached: an edit that
/// replaces an i128 result by a two-instruction zero, say, is not kept.
///
/// Requires: `stillFails(original)` is true. Guarantees: the result is a case for
/// which `stillFails` is true and no single edit of any pass applies (within the
/// candidate and time budgets); a case that does not parse is returned as it is.
public struct CaseReducer {
    public var stillFails: (String) -> Bool
    /// Candidates tried at most (a safety net; reductions normally converge far earlier).
    public var maxCandidates: Int = 20_000
    /// Wall-clock budget in seconds: a case whose candidates keep hanging a worker
    /// would otherwise take minutes; what is reduced by then is kept.
    public var maxSeconds: Double = 60

    public init(stillFails: @escaping (String) -> Bool) {
        self.stillFails = stillFails
    }

    public func reduce(_ text: String) -> (text: String, result: ReductionResult) {
        let started = Date()
        let linesBefore = Self.lineCount(text)
        guard var module = try? CLIFParser.parse(text) else {
            return (text, ReductionResult(instructionsBefore: 0, instructionsAfter: 0, linesBefore: linesBefore,
                                          linesAfter: linesBefore, candidatesTried: 0, seconds: 0))
        }
        let before = Self.instructionCount(module)
        var current = text
        var size = Size(module, text: text)
        var tried = 0
        var changed = true
        let deadline = started.addingTimeInterval(maxSeconds)
        while changed && tried < maxCandidates && Date() < deadline {
            changed = false
            for pass in ReductionPasses.all {
                var site = 0
                while site < pass.sites(module) && tried < maxCandidates && Date() < deadline {
                    var accepted = false
                    for candidate in pass.candidates(module, site) {
                        guard let printed = Self.validText(of: candidate) else { continue }
                        let candidateSize = Size(candidate, text: printed)
                        guard candidateSize < size else { continue }
                        tried += 1
                        if stillFails(printed) {
                            module = candidate
                            current = printed
                            size = candidateSize
                            accepted = true
                            changed = true
                            break
                        }
                    }
                    if !accepted { site += 1 }
                }
            }
        }
        let result = ReductionResult(instructionsBefore: before, instructionsAfter: Self.instructionCount(module),
                                     linesBefore: linesBefore, linesAfter: Self.lineCount(current),
                                     candidatesTried: tried, seconds: Date().timeIntervalSince(started))
        return (current, result)
    }

    /// How big a case is, in the order that matters: the weight of the code that runs
    /// (reachable instructions and their operands, block parameters and the arguments
    /// passed to them, signatures' parameters and results), then all instructions,
    /// then text (shorter constants and arguments). Dropping a parameter adds a zero
    /// but removes more than that; retargeting a jump leaves code that no longer runs.
    struct Size: Comparable {
        var weight: Int
        var instructions: Int
        var characters: Int

        init(_ module: Module, text: String) {
            weight = 0
            for function in module.functions {
                weight += function.signature.params.count + function.signature.returns.count
                for block in ControlFlowGraph(function).postorder {
                    weight += function.params(of: block).count
                    for inst in function.instructions(in: block) {
                        weight += 1 + function.arguments(of: inst).count
                        for call in function.blockCalls(of: inst) { weight += function.arguments(of: call).count }
                    }
                }
            }
            instructions = CaseReducer.instructionCount(module)
            characters = text.utf8.count
        }

        static func < (lhs: Size, rhs: Size) -> Bool {
            (lhs.weight, lhs.instructions, lhs.characters) < (rhs.weight, rhs.instructions, rhs.characters)
        }
    }

    /// The candidate as CLIF text, when that text parses and verifies.
    static func validText(of module: Module) -> String? {
        let text = CLIFPrinter.print(module)
        guard let reparsed = try? CLIFParser.parse(text), IRVerifier.verify(reparsed).isEmpty else { return nil }
        return text
    }

    /// Instructions placed in the module's functions.
    static func instructionCount(_ module: Module) -> Int {
        module.functions.reduce(0) { $0 + $1.instructionCount }
    }

    static func lineCount(_ text: String) -> Int {
        text.split(separator: "\n", omittingEmptySubsequences: false).count
    }
}
