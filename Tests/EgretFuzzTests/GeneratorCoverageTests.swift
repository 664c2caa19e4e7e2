import EgretCodegen
import EgretIR
import Testing
@testable import EgretFuzz

/// The generator covers what the backend supports: every opcode × type pair of the
/// backend's rule table (BackendSupport) is produced by default campaigns, or is
/// listed in `OpcodeSignatures.notGenerated` with its reason. A pair the backend gains
/// fails this test until the generator produces it or says why it does not.
@Suite struct GeneratorCoverageTests {
    /// Coverage of 1,500 default cases, and the shapes they contain.
    static let generated: (coverage: [String: Int], shapes: [String: Int]) = {
        let generator = ModuleGenerator()
        var coverage: [String: Int] = [:]
        var shapes: [String: Int] = [:]
        for index in 0 ..< 1500 as Range<UInt64> {
            let generated = generator.generate(seed: 11, index: index)
            for key in generated.coverage { coverage[key, default: 0] += 1 }
            for shape in generated.shapes { shapes[shape, default: 0] += 1 }
        }
        return (coverage, shapes)
    }()

    @Test func everySupportedPairIsGeneratedOrExcludedWithAReason() {
        let universe = Set(OpcodeSignatures.coverageUniverse(configuration: GeneratorConfiguration()))
        for pair in BackendSupport.pairs {
            let excluded = OpcodeSignatures.notGenerated[pair]
            #expect(universe.contains(pair.description) || excluded != nil,
                    "\(pair) is supported by the backend but neither generated nor excluded with a reason")
            if let excluded { #expect(!excluded.isEmpty) }
        }
    }

    @Test func defaultCasesProduceEveryPairOfTheUniverse() {
        let universe = OpcodeSignatures.coverageUniverse(configuration: GeneratorConfiguration())
        let missing = universe.filter { (Self.generated.coverage[$0] ?? 0) == 0 }
        #expect(missing.isEmpty, "never generated in 1,500 cases: \(missing.joined(separator: " "))")
        let unknown = Self.generated.coverage.keys.filter { !universe.contains($0) }
        #expect(unknown.isEmpty, "coverage keys outside the universe: \(unknown.sorted().joined(separator: " "))")
    }

    @Test func defaultCasesProduceEveryGeneratedShape() {
        let expected = ShapeCoverage.expected(configuration: GeneratorConfiguration())
            .filter { !$0.hasPrefix("regalloc:") && !$0.hasPrefix("frame:") }
        let missing = expected.filter { (Self.generated.shapes[$0] ?? 0) == 0 }
        #expect(missing.isEmpty, "never generated in 1,500 cases: \(missing.joined(separator: ", "))")
    }

    /// Compiling reports its shapes too: spills and saved registers occur in default
    /// cases.
    @Test func compilingReportsSpillsAndSavedRegisters() {
        let runner = CaseRunner(seed: 11)
        var shapes: Set<String> = []
        for index in 0 ..< 60 as Range<UInt64> { shapes.formUnion(runner.run(index: index).shapes) }
        #expect(shapes.contains("regalloc: spills"))
        #expect(shapes.contains("frame: callee-saved registers"))
        #expect(shapes.contains("frame: xmm registers saved"))
    }
}
