import EgretCodegen
import EgretIR
import Testing
@testable import EgretFuzz

@Suite struct GeneratorTests {
    @Test func thousandsOfCasesPassTheVerifier() throws {
        let generator = ModuleGenerator()
        var instructions = 0
        for index in 0 ..< 3000 as Range<UInt64> {
            let generated = generator.generate(seed: 7, index: index)
            let module = try CLIFParser.parse(generated.text)
            let problems = IRVerifier.verify(module)
            #expect(problems.isEmpty, "case \(index): \(problems.first.map { "\($0)" } ?? "")\n\(generated.text)")
            if !problems.isEmpty { return }
            #expect(module.runDirectives.count == generated.inputCount)
            instructions += generated.instructionCount
        }
        #expect(instructions > 3000 * 10)
    }

    /// `--functions 8`: modules of up to 8 functions, all valid; 9 is refused.
    @Test func modulesOfUpToEightFunctions() throws {
        var options = CampaignOptions()
        options.maxFunctions = 8
        let generator = ModuleGenerator(configuration: try options.generatorConfiguration())
        var most = 0
        for index in 0 ..< 200 as Range<UInt64> {
            let module = try CLIFParser.parse(generator.generate(seed: 5, index: index).text)
            #expect(IRVerifier.verify(module).isEmpty, "case \(index)")
            most = max(most, module.functions.count)
        }
        #expect(most == 8)
        options.maxFunctions = 9
        #expect(throws: CampaignError.self) { try options.generatorConfiguration() }
    }

    @Test func aCaseIsDeterminedBySeedAndIndex() {
        let generator = ModuleGenerator()
        #expect(generator.generate(seed: 3, index: 41).text == generator.generate(seed: 3, index: 41).text)
        #expect(generator.generate(seed: 3, index: 41).text != generator.generate(seed: 3, index: 42).text)
        #expect(generator.generate(seed: 3, index: 41).text != generator.generate(seed: 4, index: 41).text)
    }

    @Test func everyTierOneOpcodeIsGeneratedOrExcludedWithAReason() {
        let configuration = GeneratorConfiguration()
        let signatures = OpcodeSignatures(configuration: configuration).signatures
        let generated = Set(signatures.map(\.opcode)).union(OpcodeSignatures.memoryOpcodes)
        for opcode in OpcodeTable.tier1 {
            let reason = OpcodeSignatures.exclusions[opcode]
            #expect(generated.contains(opcode) || reason != nil, "\(opcode.name) neither generated nor excluded")
        }
        // Every type a generated opcode accepts among the supported ones is drawn.
        let iaddTypes = Set(signatures.filter { $0.opcode == .iadd }.map(\.type))
        #expect(iaddTypes == Set(configuration.supportedTypes.filter(\.isInt)))
    }

    @Test func rawBytesOfAnyLengthGiveValidModules() throws {
        let generator = ModuleGenerator()
        var random = SplitMix64(seed: 99)
        for length in [0, 1, 7, 64, 500, 4000] {
            let bytes = (0 ..< length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            var source = RawByteSource(bytes)
            let generated = generator.generate(&source)
            let module = try CLIFParser.parse(generated.text)
            #expect(IRVerifier.verify(module).isEmpty, "\(length) bytes:\n\(generated.text)")
        }
    }

    @Test func narrowedOpcodesAreTheOnlyTableOpcodes() {
        let configuration = GeneratorConfiguration.narrowed(to: [.iadd, .udiv])
        let opcodes = Set(OpcodeSignatures(configuration: configuration).signatures.map(\.opcode))
        #expect(opcodes == [.iadd, .udiv])
    }

    /// The default types are the backend's (BackendSupport): floats and i128 are
    /// generated without asking, and so is every convention the backend compiles.
    @Test func theDefaultsAreWhatTheBackendSupports() {
        let configuration = GeneratorConfiguration()
        #expect(configuration.supportedTypes == BackendSupport.types)
        #expect(Set(configuration.supportedTypes) == [.i8, .i16, .i32, .i64, .i128, .f32, .f64])
        for convention in BackendSupport.conventions {
            #expect((configuration.conventionWeights[convention] ?? 0) > 0, "\(convention.name) is never generated")
        }
        let opcodes = Set(ModuleGenerator(configuration: configuration).signatures.signatures.map(\.opcode))
        #expect(opcodes.contains(.fcmp) && opcodes.contains(.fma) && opcodes.contains(.iconcat))
    }
}
