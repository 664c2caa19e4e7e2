import EgretIR

/// Where a campaign's cases come from: generated from nothing (ModuleGenerator) or
/// taken from existing files (SeedCaseSource). A case is determined by (seed, index)
/// either way, so a worker and its campaign produce the same text independently.
public protocol CaseSource: Sendable {
    /// Case `index` of the campaign with `seed`.
    func generate(seed: UInt64, index: UInt64) -> GeneratedCase
    /// How many cases there are; nil when there is no end.
    var caseCount: UInt64? { get }
    /// The generator configuration that decides types, weights and coverage.
    var configuration: GeneratorConfiguration { get }
    /// Whether a case the harness cannot judge (a feature Egret does not support, a
    /// loop the interpreter's fuel cannot finish) is skipped and counted by reason
    /// rather than reported: true for real CLIF, which uses everything; false for
    /// generated cases, which must only use what Egret supports.
    var skipsUnjudgeableCases: Bool { get }
}

/// Cases from the functions of existing files (SeedCorpus): case k is entry k mod n in
/// round k / n; round 0 runs the function as written, later rounds a mutation of it
/// (SeedMutation). Each case gets `inputsPerFunction` inputs drawn like the
/// generator's, the heap's address for the function's pointer parameters, and a heap
/// of random bytes when it has any.
public struct SeedCaseSource: CaseSource {
    public let corpus: SeedCorpus
    /// Rounds over the entries: 1 (as written) plus the mutated ones.
    public let rounds: Int
    public let configuration: GeneratorConfiguration

    /// Bytes of the heap a function with pointer parameters receives: whole pages, so
    /// guard pages lie on both sides (JITHeap).
    static let heapSize = 4096

    public init(corpus: SeedCorpus, mutations: Int, configuration: GeneratorConfiguration = GeneratorConfiguration()) {
        self.corpus = corpus
        rounds = 1 + max(0, mutations)
        self.configuration = configuration
    }

    public var caseCount: UInt64? { UInt64(corpus.entries.count * rounds) }
    public var skipsUnjudgeableCases: Bool { true }

    public func generate(seed: UInt64, index: UInt64) -> GeneratedCase {
        guard !corpus.entries.isEmpty else {
            return GeneratedCase(text: "", functionCount: 0, instructionCount: 0, inputCount: 0, coverage: [],
                                 shapes: [])
        }
        let count = UInt64(corpus.entries.count)
        let entry = corpus.entries[Int(index % count)]
        let round = index / count
        var source = SeededByteSource(campaignSeed: seed, caseIndex: index)
        var module = entry.slice
        var shapes = ["seed: as written"]
        if round > 0, let mutated = SeedMutation.mutate(module.functions[0], &source) {
            var candidate = module
            candidate.functions[0] = mutated.function
            // A mutated constant may move an address past the heap's guard pages or out
            // of its stack slot: such a mutation is dropped, like an invalid one.
            let staysInBounds = AddressFlow.unboundedAccess(mutated.function, pointers: entry.pointerParameters,
                                                            heapSize: Self.heapSize) == nil
            if staysInBounds && IRVerifier.verify(candidate).isEmpty {
                module = candidate
                shapes = ["seed: mutated (\(mutated.kind))"]
            }
        }
        if !entry.pointerParameters.isEmpty {
            let bytes = (0 ..< Self.heapSize).map { _ in
                UInt8(truncatingIfNeeded: EdgeValues.draw(.i8, edgePercent: configuration.edgeInputPercent, &source))
            }
            module.heap = HeapImage(size: Self.heapSize, bytes: bytes, location: .unknown)
            shapes.append("heap")
        }
        let function = module.functions[0]
        // Run lines follow the function they call; the callees come after them.
        var header = module
        header.functions = []
        var text = "; egret fuzz case: seed \(seed), case \(index) (\(entry.file), round \(round))\n"
            + CLIFPrinter.print(header) + "\n" + CLIFPrinter.print(function)
        for _ in 0 ..< configuration.inputsPerFunction {
            let arguments = function.signature.params.indices.map { position in
                entry.pointerParameters.contains(position) ? "heap"
                    : EdgeValues.drawText(function.signature.params[position].type,
                                          edgePercent: configuration.edgeInputPercent, &source)
            }
            text += "; print: \(function.name)(\(arguments.joined(separator: ", ")))\n"
        }
        for callee in module.functions.dropFirst() { text += "\n" + CLIFPrinter.print(callee) }
        var coverage: [String] = []
        for block in function.layout {
            for inst in function.instructions(in: block) {
                let data = function[inst]
                coverage.append(data.type.isValid ? "\(data.opcode.name).\(data.type)" : data.opcode.name)
            }
        }
        return GeneratedCase(text: text, functionCount: module.functions.count, instructionCount: coverage.count,
                             inputCount: configuration.inputsPerFunction, coverage: coverage, shapes: shapes)
    }
}
