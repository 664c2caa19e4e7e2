import Testing
import EgretIR
@testable import EgretCodegen

/// i128 lowering: values as register pairs, the rule chosen for mixed-width operands,
/// comparisons fused into their consumers, and the ABI moves of both halves.
struct LowerI128Tests {
    @Test func addIsAddThenAddWithCarryOnThePairs() throws {
        let text = LowerTest.function("(i128, i128) -> i128", """
            block0(v0: i128, v1: i128):
                v2 = iadd v0, v1
                return v2
            """)
        let lowered = try LowerTest.lower(text)
        #expect(try LowerTest.mnemonics(text) == ["addq", "adcq", "retq"])
        // rdi:rsi + rdx:rcx, returned in rax:rdx.
        #expect(lowered.vcode.entryArguments.map(\.preg) == [.rdi, .rsi, .rdx, .rcx])
        guard case .ret(let returns, _)? = lowered.vcode.insts.last else {
            Issue.record("no ret")
            return
        }
        #expect(returns.map(\.preg) == [.rax, .rdx])
    }

    /// A single-use i128 icmp is recomputed at the branch: no setcc, no test.
    @Test(arguments: [("slt", "jl"), ("ugt", "jb"), ("sle", "jge"), ("eq", "je")])
    func anI128ComparisonFusesIntoBrif(condition: String, jump: String) throws {
        let text = LowerTest.function("(i128, i128) -> i32", """
            block0(v0: i128, v1: i128):
                v2 = icmp \(condition) v0, v1
                brif v2, block1, block2
            block1:
                v3 = iconst.i32 1
                return v3
            block2:
                v4 = iconst.i32 0
                return v4
            """)
        let mnemonics = try LowerTest.mnemonics(text)
        #expect(!mnemonics.contains { $0.hasPrefix("set") })
        #expect(mnemonics.contains(jump))
        #expect(try LowerTest.rules(text, opcode: .brif) == ["brif_icmp_i128"])
    }

    @Test func selectOfI128ValuesIsTwoCmovsAfterOneTest() throws {
        let text = LowerTest.function("(i8, i128, i128) -> i128", """
            block0(v0: i8, v1: i128, v2: i128):
                v3 = select v0, v1, v2
                return v3
            """)
        #expect(try LowerTest.mnemonics(text) == ["testb", "cmovneq", "cmovneq", "retq"])
    }

    /// Mixed widths pick rules by operand shape: an i128 count is read as its low half
    /// by the ordinary shift rule; an i128 condition needs the pair rule.
    @Test func narrowInstructionsWithI128OperandsPickTheirOwnRules() throws {
        let text = LowerTest.function("(i32, i128, i32, i32) -> i32", """
            block0(v0: i32, v1: i128, v2: i32, v3: i32):
                v4 = ishl v0, v1
                v5 = select v1, v2, v3
                v6 = ireduce.i32 v1
                v7 = iadd v4, v5
                v8 = iadd v7, v6
                return v8
            """)
        #expect(try LowerTest.rules(text, opcode: .ishl) == ["ishl"])
        #expect(try LowerTest.rules(text, opcode: .select) == ["select_i128_condition"])
        #expect(try LowerTest.rules(text, opcode: .ireduce) == ["ireduce_i128"])
    }

    /// Block parameters of type i128 move both halves in one parallel move.
    @Test func i128BlockArgumentsMoveBothHalves() throws {
        let text = LowerTest.function("(i128, i128, i8) -> i128", """
            block0(v0: i128, v1: i128, v2: i8):
                brif v2, block1(v0, v1), block1(v1, v0)
            block1(v3: i128, v4: i128):
                v5 = isub v3, v4
                return v5
            """)
        let lowered = try LowerTest.lower(text)
        let copies = lowered.vcode.insts.filter { if case .movRR = $0 { return true } else { return false } }
        // Two edges, each writing four halves.
        #expect(copies.count == 8)
    }

    /// The recording builder (the verifier's view) gives i128 operands and results a
    /// second register for the high half.
    @Test func i128RulesRunThroughTheRecordingBuilder() throws {
        let rule = try #require(X64LoweringRules.rule(named: "isub_i128"))
        let builder = RecordingLoweringBuilder(opcode: .isub, type: .i128, operandTypes: [.i128, .i128],
                                               resultTypes: [.i128])
        try rule.emit(builder)
        #expect(builder.instructions.map(\.description) == ["subq %v1, %v0, %v2", "sbbq %v4, %v3, %v5"])
        #expect(builder.highRegisters.count == 3)
    }

    @Test func divisionChecksZeroThenOverflowAndItsDividesCannotFault() throws {
        let text = LowerTest.function("(i128, i128) -> i128", """
            block0(v0: i128, v1: i128):
                v2 = sdiv v0, v1
                return v2
            """)
        let lowered = try LowerTest.lower(text)
        let traps = lowered.vcode.insts.compactMap { inst -> TrapCode? in
            if case .trapIf(_, let trap) = inst { return trap }
            return nil
        }
        #expect(traps == [.integerDivisionByZero, .integerOverflow])
        #expect(lowered.vcode.insts.filter { if case .div = $0 { return true } else { return false } }.count == 3)
        #expect(!lowered.vcode.insts.contains { if case .callKnown = $0 { return true } else { return false } })
    }
}
