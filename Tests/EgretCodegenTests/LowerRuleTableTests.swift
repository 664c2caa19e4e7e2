import Testing
import EgretIR
@testable import EgretCodegen

/// The rule table as data: coverage of tier 1, the table's own invariants, and every
/// rule run through a recording builder (the SMT verifier's way of reading rules).
struct LowerRuleTableTests {
    /// Opcode × type pairs of tier 1 that the opcode table allows but that cannot
    /// exist at i8–i64, each with its reason.
    static let impossible: [(opcode: Opcode, type: IRType, reason: String)] = [
        (.uextend, .i8, "no integer type is narrower than i8"),
        (.sextend, .i8, "no integer type is narrower than i8"),
        (.ireduce, .i64, "reducing to i64 needs an i128 operand (Rules+I128.swift)"),
    ]

    /// Every tier-1 opcode, for every integer type its table row allows (i8–i64), or
    /// untyped when it is not polymorphic, has a rule.
    @Test func everyTierOneOpcodeAndTypeHasARule() {
        var missing: [String] = []
        var pairs = 0
        for opcode in OpcodeTable.tier1 {
            let rules = X64LoweringRules.rules(for: opcode)
            guard let controlling = opcode.info.controllingTypes else {
                pairs += 1
                if !rules.contains(where: { $0.accepts(.invalid) }) { missing.append(opcode.name) }
                continue
            }
            for type in [IRType].integers where controlling.contains(type) {
                if Self.impossible.contains(where: { $0.opcode == opcode && $0.type == type }) { continue }
                pairs += 1
                if !rules.contains(where: { $0.accepts(type) }) { missing.append("\(opcode.name).\(type)") }
            }
        }
        #expect(missing.isEmpty, "no rule for: \(missing.joined(separator: " "))")
        #expect(OpcodeTable.tier1.count >= 60)
        #expect(pairs > 200)
    }

    /// Every tier-1 opcode whose table row allows i128 as its controlling type, and
    /// iconcat/isplit, has an i128 rule (iconcat's controlling type is its i64 half).
    @Test func everyOpcodeThatAllowsI128HasARule() {
        var missing: [String] = []
        var checked = 0
        for opcode in OpcodeTable.tier1 + [.isplit] {
            guard let controlling = opcode.info.controllingTypes, controlling.contains(.i128) else { continue }
            // ireduce.i128 would need a wider operand than any type there is.
            if opcode == .ireduce { continue }
            checked += 1
            if !X64LoweringRules.rules(for: opcode).contains(where: { $0.accepts(.i128) }) { missing.append(opcode.name) }
        }
        #expect(missing.isEmpty, "no i128 rule for: \(missing.joined(separator: " "))")
        #expect(X64LoweringRules.rules(for: .iconcat).contains { $0.accepts(.i64) })
        #expect(checked > 40)
    }

    @Test func everyRuleHasAUniqueNameAndAReason() {
        var seen = Set<String>()
        for rule in X64LoweringRules.all {
            #expect(seen.insert(rule.name).inserted, "duplicate rule name \(rule.name)")
            #expect(!rule.priorityReason.isEmpty, "\(rule.name) has no priority reason")
            #expect(rule.types.allSatisfy { LoweringRule.typeBit($0) != 0 }, "\(rule.name) names a non-integer type")
            for guardRule in rule.guards {
                #expect(guardRule.operand < rule.pattern.count, "\(rule.name): guard \(guardRule) names a missing operand")
            }
        }
        #expect(X64LoweringRules.all.count > 150)
    }

    /// Lookup by opcode returns exactly that opcode's rules, best first.
    @Test func lookupIsByOpcodeAndPriority() {
        var total = 0
        for opcode in Opcode.allCases {
            let rules = Array(X64LoweringRules.rules(for: opcode))
            total += rules.count
            #expect(rules.allSatisfy { $0.opcode == opcode })
            #expect(zip(rules, rules.dropFirst()).allSatisfy { $0.priority >= $1.priority })
        }
        #expect(total == X64LoweringRules.all.count)
        #expect(X64LoweringRules.rule(named: "iadd_imm")?.pattern == [.register, .constant])
    }

    /// Two rules of one opcode with the same priority must not both apply to one
    /// instruction: their types or patterns differ.
    @Test func equalPrioritiesNeverCompete() {
        for opcode in Opcode.allCases {
            let rules = Array(X64LoweringRules.rules(for: opcode))
            for (index, rule) in rules.enumerated() {
                for other in rules[(index + 1)...] where other.priority == rule.priority {
                    let sharedTypes = rule.typeMask & other.typeMask != 0 || (rule.types.isEmpty && other.types.isEmpty)
                    // atomic_rmw rules of different operations never match the same instruction.
                    let operations = Set(rule.guards.map(\.name).filter { $0.hasPrefix("atomic_op_") })
                    let otherOperations = Set(other.guards.map(\.name).filter { $0.hasPrefix("atomic_op_") })
                    let disjointOperations = !operations.isEmpty && !otherOperations.isEmpty
                        && operations.isDisjoint(with: otherOperations)
                    #expect(!sharedTypes || rule.pattern != other.pattern || disjointOperations,
                            "\(rule.name) and \(other.name) compete at priority \(rule.priority)")
                }
            }
        }
    }

    @Test func guardsAreNamedPredicatesOverTheMatch() {
        let match = RuleMatch(type: .i8, constants: [0, -128, 0x1_0000_0000])
        #expect(RuleGuard.fitsSignExtendedImm32(1).check(match))
        #expect(!RuleGuard.fitsSignExtendedImm32(2).check(match))
        #expect(RuleGuard.isPowerOfTwo(1).check(match), "-128 at i8 is 0x80")
        #expect(!RuleGuard.isNonZero(0).check(match))
        #expect(RuleGuard.isNotMinusOne(1).check(RuleMatch(type: .i64, constants: [0, 5])))
        #expect(RuleGuard.fitsSignExtendedImm32(0).name == "fits_simm32")
        #expect("\(RuleGuard.isNonZero(1))" == "nonzero(op1)")
    }

    // MARK: The recording builder

    /// The recording builder runs a rule value outside the pass: the very emitter the
    /// pass runs, on symbolic registers.
    @Test func aRuleRunsThroughTheRecordingBuilder() throws {
        let rule = try #require(X64LoweringRules.rule(named: "iadd_imm"))
        let builder = RecordingLoweringBuilder(opcode: .iadd, type: .i32, operandTypes: [.i32, .i32],
                                               resultTypes: [.i32], constants: [1: 5])
        try rule.emit(builder)
        #expect(builder.instructions.map(\.description) == ["addl $5, %v0, %v2"])

        let sdiv = try #require(X64LoweringRules.rule(named: "sdiv"))
        let division = RecordingLoweringBuilder(opcode: .sdiv, type: .i8, operandTypes: [.i8, .i8], resultTypes: [.i8])
        try sdiv.emit(division)
        #expect(division.instructions.map(\.description) == [
            "cmpb $-1, %v1", "sete %v3", "cmpb $1, %v0", "seto %v4", "andb %v4, %v3, %v5", "je .+4; ud2",
            "movsbl %v1, %v6", "movsbl %v0, %v7", "cltd # %v7 -> %v8", "idivl %v6 # %v7, %v8 -> %v2, %v9",
        ])
        #expect(division.instructions.contains { $0.trapCode == .integerOverflow })
        #expect(division.instructions.contains { $0.trapCode == .integerDivisionByZero })
    }

    /// Every rule, for every type it is defined for, emits through a recording builder
    /// without touching the pass (calls excepted: they are not modelled).
    @Test func everyRuleRunsThroughTheRecordingBuilder() throws {
        var ran = 0
        for rule in X64LoweringRules.all {
            let info = rule.opcode.info
            if info.isCall { continue }
            for type in rule.types.isEmpty ? [IRType.invalid] : rule.types {
                let builder = Self.recordingBuilder(for: rule, type: type)
                try rule.emit(builder)
                ran += 1
                if info.isTerminator {
                    #expect(!builder.instructions.isEmpty, "\(rule.name).\(type) emits no terminator")
                }
            }
        }
        #expect(ran > 400)
    }

    /// A builder whose operands suit `rule` at `type`: constants that pass its guards.
    static func recordingBuilder(for rule: LoweringRule, type: IRType) -> RecordingLoweringBuilder {
        let opcode = rule.opcode
        var operandTypes = [IRType](repeating: type, count: rule.pattern.count)
        var resultTypes = opcode.info.results.isEmpty ? [] : [type]
        switch opcode {
        case .uextend, .sextend: operandTypes = [.i8]
        case .ireduce: operandTypes = [.i64]
        case .iconcat: resultTypes = [.i128]
        case .isplit: resultTypes = [.i64, .i64]
        case .icmp: resultTypes = [.i8]
        case .brif, .trapz, .trapnz: operandTypes = [type]
        case .br_table: operandTypes = [.i32]
        case .load, .uload8, .sload8, .uload16, .sload16, .uload32, .sload32: operandTypes = [.i64]
        case .store, .istore8, .istore16, .istore32: operandTypes = [type, .i64]
        case .uadd_overflow_cin, .sadd_overflow_cin, .usub_overflow_bin, .ssub_overflow_bin:
            operandTypes = [type, type, .i8]
            resultTypes = [type, .i8]
        case .uadd_overflow, .sadd_overflow, .usub_overflow, .ssub_overflow, .umul_overflow, .smul_overflow:
            resultTypes = [type, .i8]
        default: break
        }
        // A `.pair` operand is an i128 under a narrower controlling type.
        for (operand, shape) in rule.pattern.enumerated() where shape == .pair && operand < operandTypes.count {
            operandTypes[operand] = .i128
        }
        let builder = RecordingLoweringBuilder(opcode: opcode, type: type, operandTypes: operandTypes,
                                               resultTypes: resultTypes, constants: [0: 8, 1: 8, 2: 8])
        for (operand, shape) in rule.pattern.enumerated() { builder.shapes[operand] = shape }
        builder.edgeCount = opcode == .br_table ? 4 : 2
        return builder
    }

    // MARK: Unsupported input

    /// Blocks are lowered last to first, so the message names the last unsupported
    /// instruction of the function.
    @Test(arguments: [
        ("function %f(f32x4) -> f32x4 {\nblock0(v0: f32x4):\n    return v0\n}",
         "unsupported: f32x4 return value 0 in a signature"),
        ("function %f(f64) -> i128 {\nblock0(v0: f64):\n    v1 = fcvt_to_sint.i128 v0\n    return v1\n}",
         "unsupported: opcode fcvt_to_sint on i128"),
        ("function %f(i64) -> i32 {\nblock0(v0: i64):\n    v1, v2 = isplit v0\n    return v1\n}",
         "unsupported: opcode isplit on i64"),
        ("function %f(i64) -> i64 apple_aarch64 {\nblock0(v0: i64):\n    return v0\n}",
         "unsupported: calling convention apple_aarch64"),
    ])
    func unsupportedInputIsANamedError(_ text: String, _ message: String) throws {
        #expect {
            _ = try LowerTest.lower(text)
        } throws: { error in
            "\(error)" == message
        }
    }
}
