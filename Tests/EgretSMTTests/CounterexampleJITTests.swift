import Testing
import EgretCodegen
import EgretHarness
import EgretIR
import EgretInterpreter
@testable import EgretSMT

/// A counterexample's `.clif` file is a real test: with the backend's own rules it
/// passes on the interpreter and the JIT; with the broken rule swapped in (through
/// the test-only `replacedEmitters` compiler hook) the JIT gives the machine outcome the
/// verifier predicted, not the IR's.
struct CounterexampleJITTests {
    /// The fixtures with a register-only counterexample, including one whose wrong
    /// result depends on the unspecified bits above a narrow operand (`sdiv`: the
    /// `.clif` puts the counterexample's bits there through an i64 and `ireduce`).
    static let reproducible = ["ishl_narrow", "srem", "sdiv", "icmp", "iadd_imm", "clz_bsr", "brif_icmp"]

    @Test(arguments: reproducible)
    func counterexampleReproducesOnTheJIT(_ name: String) throws {
        let fixture = try #require(BrokenRules.all.first { $0.rule.name == name })
        let result = try RuleVerifier(rules: [fixture.rule]).verify(fixture.rule, type: fixture.type)
        let example = try #require(result.counterexample)
        let text = try #require(example.clif, "no .clif for \(name)")

        // With the real rules the file passes on the interpreter and the JIT.
        let outcome = FiletestRunner().run(fileName: "counterexample.clif", text: text)
        #expect(outcome.failed == 0 && outcome.passed >= 1, "\(outcome.messages)\n\(text)")

        // With the broken rule, the JIT shows the machine outcome.
        let module = try CLIFParser.parse(text, fileName: "counterexample.clif")
        let arguments = try #require(module.runDirectives.first).arguments
        var interpreter = try Interpreter(module: module)
        let expected = try interpreter.call(functionIndex: 0, arguments: arguments)
        var options = Compiler.Options()
        options.hooks = CompilerHooks(replacedEmitters: [fixture.rule.name: fixture.rule.emit])
        let broken = try CompiledModule(module, options: options)
        let actual = try broken.call(functionIndex: 0, arguments: arguments)
        // A branch's file returns the index of the edge taken.
        #expect(Self.describe(expected) == Self.expectation(example.ir), "\(text)")
        #expect(Self.describe(actual) == Self.expectation(example.machine), "\(text)")
        #expect(Self.describe(actual) != Self.describe(expected))
    }

    /// What the file's function returns for an outcome: the edge index of a branch.
    static func expectation(_ outcome: ConcreteOutcome) -> String {
        if outcome.trap == nil, let edge = outcome.edge { return "\(edge)" }
        return outcome.description
    }

    static func describe(_ outcome: CallOutcome) -> String {
        switch outcome {
        case .trap(let code): return "trap \(code)"
        case .values(let values): return text(values)
        }
    }

    static func describe(_ result: CallResult) -> String {
        switch result {
        case .trapped(let code): return "trap \(code)"
        case .returned(let values): return text(values)
        }
    }

    /// Values as `ConcreteOutcome` prints them (signed, each at its type's width).
    static func text(_ values: [DataValue]) -> String {
        let parts = values.map { value -> String in
            let bits = value.type.bits
            let mask: UInt64 = bits >= 64 ? .max : (1 << UInt64(bits)) - 1
            return signedText(value.low & mask, value.type)
        }
        return parts.count == 1 ? parts[0] : "[" + parts.joined(separator: ", ") + "]"
    }
}
