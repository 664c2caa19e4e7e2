import Testing
import EgretCodegen
import EgretIR
@testable import EgretSMT

/// The rule verifier on real rules (a sample here; `egret verify` in ci/test runs
/// all of them) and on the broken fixtures, each of which must get a counterexample.
struct RuleVerifierTests {
    static let sampleRules = ["iadd", "iadd_imm", "isub_imm", "ishl_narrow", "ushr", "rotl_imm", "srem", "udiv_pow2",
                              "icmp", "select_icmp", "brif_icmp", "br_table", "trapnz", "uadd_overflow_cin",
                              "smul_overflow_i8", "ctz_bsf_narrow", "bitrev", "sextend", "load_base_index",
                              "istore16_imm_stack_slot", "stack_addr", "jump", "return", "iconst"]

    @Test(arguments: sampleRules)
    func realRuleIsProvenAtEveryType(_ name: String) throws {
        let verifier = RuleVerifier()
        let results = try verifier.verifyAll(ruleName: name)
        #expect(!results.isEmpty, "no rule \(name)")
        for result in results {
            #expect(result.status == .proven, "\(name).\(result.typeText): \(result.status) \(result.counterexample?.description ?? "")")
            #expect(result.queries >= 1)
        }
    }

    /// Constants are symbolic where the emitter passes them through, enumerated where
    /// it computes code from them (a count masked at compile time, a power of two).
    @Test func constantsAreSymbolicUnlessTheCodeDependsOnThem() throws {
        let verifier = RuleVerifier()
        for (name, expected) in [("iadd_imm", "symbolic constants"), ("udiv_const", "symbolic constants"),
                                 ("store_imm_base_offset", "symbolic constants"), ("ishl_imm", "enumerated constants"),
                                 ("udiv_pow2", "enumerated constants"), ("iadd", "no constants")] {
            for result in try verifier.verifyAll(ruleName: name, type: .i32) {
                #expect(result.constantHandling == expected, "\(name): \(result.constantHandling)")
                #expect(result.status == .proven)
            }
        }
    }

    @Test func everyTierOneRuleIsVerifiable() {
        // Every tier-1 rule × type is a check the verifier runs (none silently skipped),
        // and the only rules it leaves out are those of later tiers.
        let verifier = RuleVerifier()
        let checks = verifier.checks()
        #expect(checks.count == X64LoweringRules.all.reduce(0) { $0 + max($1.types.count, 1) })
        let tierOne = checks.filter { $0.rule.opcode.info.tier == 1 }
        #expect(tierOne.count > 400)
        #expect(OpcodeTable.tier1.allSatisfy { IRSpecs.isModelled($0) })
    }

    @Test(arguments: BrokenRules.all.indices)
    func brokenFixtureGetsACounterexample(_ index: Int) throws {
        let fixture = BrokenRules.all[index]
        let verifier = RuleVerifier(rules: [fixture.rule])
        let result = try verifier.verify(fixture.rule, type: fixture.type)
        #expect(result.status == .counterexample, "\(fixture.mistake): \(result.status)")
        guard let example = result.counterexample else { return }
        let memoryDiffers = example.slot.map { $0.afterIR != $0.afterMachine } ?? false
        #expect(example.ir != example.machine || memoryDiffers || fixture.rule.opcode == .return,
                "\(fixture.mistake): \(example)")
    }

    @Test func counterexampleNamesInputsAndOutcomes() throws {
        let verifier = RuleVerifier(rules: [BrokenRules.ishlNarrowUnmasked])
        let result = try verifier.verify(BrokenRules.ishlNarrowUnmasked, type: .i8)
        let example = try #require(result.counterexample)
        let count = try #require(example.inputs.first { $0.name == "x1" })
        // Only counts of 8 and more (modulo 32) tell the broken rule apart.
        #expect(count.value & 31 >= 8)
        #expect(example.ir.trap == nil && example.machine.trap == nil)
        let text = try #require(example.clif)
        // Narrow inputs arrive as i64 values narrowed by ireduce (their upper bits pinned).
        #expect(text.contains("v1 = ireduce.i8 v0"))
        #expect(text.contains("v3 = ireduce.i8 v2"))
        #expect(text.contains("ishl v1, v3"))
        #expect(text.contains("; run: %counterexample("))
    }

    @Test func sremCounterexampleIsTheMinimumOverMinusOne() throws {
        let verifier = RuleVerifier(rules: [BrokenRules.sremTrapsOnMinusOne])
        let result = try verifier.verify(BrokenRules.sremTrapsOnMinusOne, type: .i32)
        let example = try #require(result.counterexample)
        #expect(example.inputs.first { $0.name == "x0" }?.value == 0x8000_0000)
        #expect(example.inputs.first { $0.name == "x1" }?.value == 0xFFFF_FFFF)
        #expect(example.ir == ConcreteOutcome(trap: nil, results: [0], resultTypes: [.i32], edge: nil))
        #expect(example.machine.trap == .integerDivisionByZero)
    }

    @Test func reportCountsAndListsCoverage() throws {
        let verifier = RuleVerifier()
        let results = try verifier.verifyAll(ruleName: "bnot") + verifier.verifyAll(ruleName: "call")
        let report = VerificationReport(results: results, totalSeconds: 1)
        #expect(report.count("proven") == 4)
        #expect(report.count("not modelled") == 1)
        #expect(report.allProven, "a call rule (tier 2) must not fail the run")
        #expect(report.table.contains("bnot"))
        #expect(report.json.contains("\"notModelled\" : 1"))
        let coverage = VerificationReport.coverage()
        #expect(coverage.contains("forms not modelled: "))
        #expect(coverage.contains("forms not modelled: push pop call "))
        #expect(coverage.contains("forms modelled: add or adc "))
        #expect(coverage.contains("tier-1 opcodes without IR specs: none"))
    }
}
