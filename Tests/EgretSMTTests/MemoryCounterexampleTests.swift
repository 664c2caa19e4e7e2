import Testing
import EgretCodegen
import EgretHarness
import EgretIR
import EgretInterpreter
@testable import EgretSMT

/// A memory rule's counterexample is placed in a stack slot and written as a `.clif`
/// file that fills the slot, computes the address in the rule's shape and runs the
/// instruction: with the backend's own rules the file passes on the interpreter and
/// the JIT; with the broken rule swapped in the JIT gives the machine outcome.
struct MemoryCounterexampleTests {
    @Test(arguments: BrokenRules.memory)
    func memoryCounterexampleReproducesOnTheJIT(_ name: String) throws {
        let fixture = try #require(BrokenRules.all.first { $0.rule.name == name })
        let result = try RuleVerifier(rules: [fixture.rule]).verify(fixture.rule, type: fixture.type)
        let example = try #require(result.counterexample)
        let slot = try #require(example.slot, "\(name) not placed: \(example.clifUnavailable ?? "")")
        let text = try #require(example.clif, "no .clif for \(name)")
        #expect(slot.size == StackWindow.sizes[0])
        #expect(example.clifUnavailable == nil)

        // With the real rules the file passes on the interpreter and the JIT.
        let outcome = FiletestRunner().run(fileName: "counterexample.clif", text: text)
        #expect(outcome.failed == 0 && outcome.passed == 1 && outcome.diagnostics.isEmpty,
                "\(outcome.messages) \(outcome.diagnostics)\n\(text)")

        // The rule under test is the one the lowering picks for the instruction.
        let module = try CLIFParser.parse(text, fileName: "counterexample.clif")
        var keep = Compiler.Options()
        keep.keepVCode = true
        let compiled = try Compiler.compile(module.functions[0], options: keep)
        let lowered = try #require(compiled.lowered)
        let applied = lowered.appliedRules.values.filter { $0 == fixture.rule.name }
        #expect(applied.count == 1, "\(lowered.appliedRules.values.sorted())\n\(text)")

        // With the broken rule, the JIT shows the machine outcome.
        let directive = try #require(module.runDirectives.first)
        var interpreter = try Interpreter(module: module)
        let expected = try interpreter.call(functionIndex: 0, arguments: directive.arguments)
        var options = Compiler.Options()
        options.hooks = CompilerHooks(replacedEmitters: [fixture.rule.name: fixture.rule.emit])
        let broken = try CompiledModule(module, options: options)
        let actual = try broken.call(functionIndex: 0, arguments: directive.arguments)
        let predicted = example.reproducedOutcomes
        #expect(CounterexampleJITTests.describe(expected) == predicted.ir.description, "\(text)")
        #expect(CounterexampleJITTests.describe(actual) == predicted.machine.description, "\(text)")
        #expect(CounterexampleJITTests.describe(actual) != CounterexampleJITTests.describe(expected))
    }

    /// The address appears in the rule's shape, so that the same rule matches it.
    @Test func eachAddressShapeIsWrittenAsTheRuleMatchesIt() throws {
        let expectations: [(name: String, text: [String])] = [
            ("load", ["jump block1(", "load.i32 little v"]),
            ("load_base_index", ["= iadd v", "load.i64 little v"]),
            // The slot's words go through iadd(stack_addr, iconst): the stack shape is the rule's.
            ("sload16_stack_slot", ["= iadd v0, v", "sload16.i32 little v"]),
            ("store_imm", ["= iconst.i16 ", "jump block1("]),
            ("uload16_base_index", ["= iadd v", "uload16.i32 big v"]),
            ("istore16_base_offset", ["= iconst.i64 ", "istore16 little v0, v"]),
        ]
        for (name, fragments) in expectations {
            let fixture = try #require(BrokenRules.all.first { $0.rule.name == name })
            let result = try RuleVerifier(rules: [fixture.rule]).verify(fixture.rule, type: fixture.type)
            let text = try #require(result.counterexample?.clif)
            for fragment in fragments { #expect(text.contains(fragment), "\(name): \(fragment)\n\(text)") }
            #expect(text.contains("ss0 = explicit_slot 64, align = 16"))
        }
    }

    /// A counterexample that no stack slot can hold (the rule is wrong only when an
    /// access faults) is still reported, without a file and with the reason.
    @Test func unplaceableCounterexampleSaysWhyItHasNoFile() throws {
        let loadWithoutTrap = LoweringRule(
            name: "load", opcode: .load, types: .integers, priority: 0,
            priorityReason: "broken fixture", pattern: [.register]) { b in
            b.emit(.load(size: .size32, src: Amode(.base(b.gpr(0), displacement: b.offset), trap: nil),
                         dst: b.result(0)))
        }
        let result = try RuleVerifier(rules: [loadWithoutTrap]).verify(loadWithoutTrap, type: .i32)
        let example = try #require(result.counterexample)
        #expect(example.ir.trap == .heapOutOfBounds && example.machine.trap == nil)
        #expect(example.clif == nil && example.slot == nil)
        let reason = try #require(example.clifUnavailable)
        #expect(reason.contains("\(StackWindow.sizes.last ?? 0)-byte stack slot"), "\(reason)")
    }

    /// The placed counterexample: no access faults, the pointer lies in the window,
    /// the offset the broken rule drops is not zero, and a folded address has offset 0.
    @Test func placedCounterexampleFitsTheWindow() throws {
        let fixture = try #require(BrokenRules.all.first { $0.rule.name == "load" })
        let result = try RuleVerifier(rules: [fixture.rule]).verify(fixture.rule, type: fixture.type)
        let example = try #require(result.counterexample)
        #expect(example.ir.trap == nil && example.machine.trap == nil)
        // The re-query ran (one query per variant up to the failing one, then one).
        #expect(result.queries >= 2)
        let pointer = try #require(example.inputs.first { $0.name == "x0" })
        #expect(pointer.value >= StackWindow.origin && pointer.value < StackWindow.origin + 64)
        let offset = try #require(example.constants.first { $0.name == "offset" })
        #expect(offset.value != 0, "dropping a zero offset changes nothing")

        // A folded address (iadd with iconst) carries the whole displacement: offset 0.
        let folded = try #require(BrokenRules.all.first { $0.rule.name == "istore16_base_offset" })
        let foldedResult = try RuleVerifier(rules: [folded.rule]).verify(folded.rule, type: folded.type)
        let foldedExample = try #require(foldedResult.counterexample)
        #expect(foldedExample.constants.first { $0.name == "offset" }?.value == 0)
        #expect(foldedExample.constants.first { $0.name == "disp1" }?.value != 0)
    }
}
