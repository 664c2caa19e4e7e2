import Testing
import EgretIR
import EgretInterpreter
@testable import EgretSMT

/// The IR specs against the interpreter, the other reference of CLIF semantics: every
/// tier-1 value and trap opcode, at every integer type and operand-type combination
/// it allows, on edge values (all pairs) and random values. The spec is built once on
/// symbolic inputs and evaluated per input by substitution and simplification.
struct IRSpecCrossCheckTests {
    /// Opcodes checked here; the others are memory, control flow or constants, which
    /// the rule verifier and the filetests cover.
    static let opcodes: [Opcode] = OpcodeTable.tier1.filter { opcode in
        let info = opcode.info
        return !(info.canLoad || info.canStore || info.isBranch || info.isTerminator || opcode == .iconst
                 || opcode == .stack_addr || opcode == .nop)
    }

    static let integerTypes: [IRType] = [.i8, .i16, .i32, .i64]

    /// Edge values of a type, as bits: 0, ±1, 2, the extremes and their neighbours,
    /// alternating patterns, and counts around the width.
    static func edges(_ type: IRType) -> [UInt64] {
        let bits = type.bits
        let mask: UInt64 = bits == 64 ? .max : (1 << UInt64(bits)) - 1
        let minimum: UInt64 = 1 << UInt64(bits - 1)
        let values: [UInt64] = [0, 1, 2, 3, mask, mask - 1, minimum, minimum - 1, minimum + 1, 0x5555_5555_5555_5555,
                                0xAAAA_AAAA_AAAA_AAAA, UInt64(bits - 1), UInt64(bits), UInt64(bits + 1), 0x80, 0x7F]
        var seen = Set<UInt64>()
        return values.map { $0 & mask }.filter { seen.insert($0).inserted }
    }

    struct Case: CustomStringConvertible {
        var opcode: Opcode
        var type: IRType
        var operandTypes: [IRType]
        var resultTypes: [IRType]
        var condition: IntCC?

        var description: String {
            "\(opcode.name).\(type)(\(operandTypes.map(\.description).joined(separator: ",")))"
                + (condition.map { " \($0)" } ?? "")
        }
    }

    static func cases(_ opcode: Opcode) -> [Case] {
        let info = opcode.info
        var result: [Case] = []
        for type in integerTypes where info.controllingTypes?.contains(type) ?? false {
            var lists: [[IRType]] = [[]]
            for operand in info.operands {
                let choices: [IRType]
                if let fixed = operand.resolve(controlling: type) {
                    choices = [fixed]
                } else {
                    choices = integerTypes.filter {
                        operand.accepts($0, controlling: type) && (opcode != .bitcast || $0 == type)
                    }
                }
                lists = lists.flatMap { prefix in choices.map { prefix + [$0] } }
            }
            let results = info.results.compactMap { $0.resolve(controlling: type) }
            for list in lists where list.count == info.operands.count {
                if opcode == .icmp {
                    for condition in RuleVerifier.allConditions {
                        result.append(Case(opcode: opcode, type: type, operandTypes: list, resultTypes: results,
                                           condition: condition))
                    }
                } else {
                    result.append(Case(opcode: opcode, type: type, operandTypes: list, resultTypes: results))
                }
            }
        }
        return result
    }

    /// The case as a CLIF function: parameters, the instruction, its results (or the
    /// i32 0 for a conditional trap).
    static func clif(_ test: Case) -> String {
        let parameters = test.operandTypes.enumerated().map { "v\($0.offset): \($0.element)" }.joined(separator: ", ")
        let arguments = test.operandTypes.indices.map { "v\($0)" }.joined(separator: ", ")
        let first = test.operandTypes.count
        var lines = ["function %f(\(test.operandTypes.map(\.description).joined(separator: ", "))) -> "
                     + (test.resultTypes.isEmpty ? "i32" : test.resultTypes.map(\.description).joined(separator: ", ")) + " {",
                     "block0(\(parameters)):"]
        let suffix = test.opcode.info.requiresTypeSuffix ? ".\(test.type)" : ""
        if test.resultTypes.isEmpty {
            lines.append("    \(test.opcode.name) \(arguments), user42")
            lines.append("    v\(first) = iconst.i32 0")
            lines.append("    return v\(first)")
        } else {
            let results = test.resultTypes.indices.map { "v\(first + $0)" }.joined(separator: ", ")
            var operands = arguments
            if test.opcode == .uadd_overflow_trap { operands += ", user42" }
            let condition = test.condition.map { " \($0)" } ?? ""
            lines.append("    \(results) = \(test.opcode.name)\(suffix)\(condition) \(operands)")
            lines.append("    return \(results)")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    @Test(arguments: opcodes)
    func specAgreesWithTheInterpreter(_ opcode: Opcode) throws {
        var generator = SplitMix(seed: UInt64(opcode.rawValue) &* 0x9E37_79B9)
        var checked = 0
        for test in Self.cases(opcode) {
            let module = try CLIFParser.parse(Self.clif(test))
            var interpreter = try Interpreter(module: module)
            let context = try Z3Context()
            let variables = test.operandTypes.enumerated().map { context.bitVector("a\($0.offset)", width: $0.element.bits) }
            var inputs = IRInputs(context: context, opcode: opcode, type: test.type, operandTypes: test.operandTypes,
                                  operands: variables)
            inputs.intCC = test.condition ?? .eq
            inputs.trapCode = TrapCode(raw: 42)
            let outcome = try #require(try IRSpecs.outcome(inputs))

            // All pairs of edge values (all triples' diagonal for three operands), then random values.
            var vectors: [[UInt64]] = []
            let edgeLists = test.operandTypes.map { Self.edges($0) }
            if edgeLists.count == 1 {
                vectors = edgeLists[0].map { [$0] }
            } else if edgeLists.count == 2 {
                vectors = edgeLists[0].flatMap { a in edgeLists[1].map { [a, $0] } }
            } else {
                vectors = edgeLists[0].flatMap { a in edgeLists[1].map { b in [a, b, edgeLists[2][Int(a % UInt64(edgeLists[2].count))]] } }
            }
            for _ in 0 ..< 200 {
                vectors.append(test.operandTypes.map { type in
                    let bits = type.bits
                    return generator.next() & (bits == 64 ? .max : (1 << UInt64(bits)) - 1)
                })
            }
            for vector in vectors {
                let arguments = zip(test.operandTypes, vector).map { DataValue(type: $0, low: $1) }
                let reference = try interpreter.call(functionIndex: 0, arguments: arguments)
                let numerals = zip(test.operandTypes, vector).map { context.bitVector($1, width: $0.bits) }
                var trap: TrapCode?
                for entry in outcome.traps {
                    let holds = entry.condition.substituting(variables, numerals).simplified().literal
                    #expect(holds != nil, "\(test): trap condition did not simplify")
                    if holds == true { trap = entry.code; break }
                }
                let spec: String
                if let trap = trap {
                    spec = "trap \(trap)"
                } else if test.resultTypes.isEmpty {
                    spec = "[0]"
                } else {
                    let values = outcome.results.map { $0.substituting(variables, numerals).simplified().numeral }
                    spec = "[" + values.map { $0.map { String($0) } ?? "?" }.joined(separator: ", ") + "]"
                }
                let interpreted: String
                switch reference {
                case .trap(let code): interpreted = "trap \(code)"
                case .values(let values):
                    interpreted = "[" + values.map { value -> String in
                        let bits = value.type.bits
                        return String(value.low & (bits == 64 ? .max : (1 << UInt64(bits)) - 1))
                    }.joined(separator: ", ") + "]"
                }
                #expect(spec == interpreted, "\(test) on \(vector): spec \(spec), interpreter \(interpreted)")
                if spec != interpreted { return }
                checked += 1
            }
        }
        #expect(checked >= 200)
    }
}

/// A small deterministic generator for test inputs.
struct SplitMix {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
