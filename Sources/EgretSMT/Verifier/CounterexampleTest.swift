import EgretCodegen
import EgretIR

/// Writes a counterexample as a `.clif` run test: one function holding the rule's
/// instruction, its register inputs as parameters, its constants as `iconst`s and a
/// fused comparison as an `icmp`, and a run line expecting the IR's outcome. On the
/// JIT, the broken rule gives the machine outcome instead.
///
/// Results: the instruction's results; an instruction without results returns the
/// i32 0 (so a trap or its absence is what the run line checks); a branch returns the
/// index of the edge it took. Loads and stores are placed in a stack slot
/// (`CounterexampleTest+Memory.swift`); instructions without inputs get no test (nil).
enum CounterexampleTest {
    static let functionName = "counterexample"

    static func text(_ example: Counterexample, instance: RuleInstance) -> String? {
        let opcode = example.opcode
        let info = opcode.info
        if info.canLoad || info.canStore {
            guard let slot = example.slot else { return nil }
            return memoryText(example, instance: instance, slot: slot)
        }
        if opcode == .stack_addr || opcode == .jump || opcode == .trap || opcode == .nop || opcode == .return {
            return nil
        }
        var parameters: [(name: String, type: IRType, value: UInt64)] = []
        var body: [String] = []
        var nextValue = 0
        func newValue() -> String {
            defer { nextValue += 1 }
            return "v\(nextValue)"
        }
        // Parameters first (they are v0…).
        var operandNames: [String] = []
        var pending: [() -> Void] = []
        let variant = instance.variant
        // A narrow input whose register bits above it matter to the machine code
        // arrives as an i64 holding those bits and is narrowed with `ireduce`, which
        // the backend lowers to a whole-register copy: the register then holds exactly
        // the counterexample's bits, whatever the trampoline would have put there.
        func input(_ name: String, _ type: IRType, _ value: UInt64) -> String {
            guard type.bits < 64, let upper = example.upperBits[name] else {
                let parameter = newValue()
                parameters.append((parameter, type, value))
                return parameter
            }
            let parameter = newValue(), narrowed = newValue()
            let mask: UInt64 = (1 << UInt64(type.bits)) - 1
            parameters.append((parameter, .i64, (upper << UInt64(type.bits)) | (value & mask)))
            body.append("    \(narrowed) = ireduce.\(type) \(parameter)")
            return narrowed
        }
        for (operand, operandType) in variant.operandTypes.enumerated() {
            let name = "x\(operand)"
            if let given = example.inputs.first(where: { $0.name == name }) {
                operandNames.append(input(name, given.type, given.value))
            } else if let left = example.inputs.first(where: { $0.name == "l\(operand)" }),
                      let right = example.inputs.first(where: { $0.name == "r\(operand)" }) {
                let lhs = input("l\(operand)", left.type, left.value)
                let rhs = input("r\(operand)", right.type, right.value)
                operandNames.append("")
                let index = operandNames.count - 1
                pending.append {
                    let condition = newValue()
                    body.append("    \(condition) = icmp \(variant.intCC) \(lhs), \(rhs)")
                    operandNames[index] = condition
                }
            } else if let left = example.inputs.first(where: { $0.name == "l\(operand)" }),
                      let right = example.constants.first(where: { $0.name == "kr\(operand)" }) {
                // An icmp with a constant right-hand side (folded into `cmp $imm`).
                let lhs = input("l\(operand)", left.type, left.value)
                operandNames.append("")
                let index = operandNames.count - 1
                pending.append {
                    let constant = newValue(), condition = newValue()
                    body.append("    \(constant) = iconst.\(left.type) \(right.value)")
                    body.append("    \(condition) = icmp \(variant.intCC) \(lhs), \(constant)")
                    operandNames[index] = condition
                }
            } else if let constant = example.constants.first(where: { $0.name == "k\(operand)" }) {
                operandNames.append("")
                let index = operandNames.count - 1
                pending.append {
                    let value = newValue()
                    body.append("    \(value) = iconst.\(operandType) \(constant.value)")
                    operandNames[index] = value
                }
            } else {
                return nil
            }
        }
        for action in pending { action() }
        let typeSuffix = info.requiresTypeSuffix ? ".\(example.type)" : ""
        let arguments = operandNames.joined(separator: ", ")
        var blocks: [String] = []
        var returnTypes: [IRType] = variant.resultTypes
        let trapText = "\(RuleVerifier.instructionTrapCode)"
        if opcode == .brif || opcode == .br_table {
            returnTypes = [.i32]
            let edges = opcode == .brif ? 2 : variant.edgeCount
            let targets = (1 ... edges).map { "block\($0)" }
            if opcode == .brif {
                body.append("    brif \(arguments), \(targets[0]), \(targets[1])")
            } else {
                body.append("    br_table \(arguments), \(targets[0]), [\(targets.dropFirst().joined(separator: ", "))]")
            }
            for (edge, target) in targets.enumerated() {
                let value = newValue()
                blocks.append("\(target):\n    \(value) = iconst.i32 \(edge)\n    return \(value)")
            }
        } else if opcode == .trapz || opcode == .trapnz {
            returnTypes = [.i32]
            body.append("    \(opcode.name) \(arguments), \(trapText)")
            let zero = newValue()
            body.append("    \(zero) = iconst.i32 0")
            body.append("    return \(zero)")
        } else {
            let results = variant.resultTypes.map { _ in newValue() }
            var instruction = "\(opcode.name)\(typeSuffix)"
            if opcode == .icmp { instruction += " \(variant.intCC)" }
            var operandText = arguments
            if opcode == .uadd_overflow_trap { operandText += ", \(trapText)" }
            if opcode == .iconst, let constant = example.constants.first { operandText = "\(constant.value)" }
            body.append("    \(results.joined(separator: ", ")) = \(instruction) \(operandText)")
            body.append("    return \(results.joined(separator: ", "))")
        }
        let parameterList = parameters.map { "\($0.type)" }.joined(separator: ", ")
        let blockParameters = parameters.map { "\($0.name): \($0.type)" }.joined(separator: ", ")
        let returnList = returnTypes.map(\.description).joined(separator: ", ")
        var expected: String
        if let trap = example.ir.trap {
            expected = "trap \(trap)"
        } else if let edge = example.ir.edge {
            expected = "\(edge)"
        } else if opcode == .trapz || opcode == .trapnz {
            expected = "0"
        } else {
            let values = zip(example.ir.results, example.ir.resultTypes).map { signedText($0, $1) }
            expected = values.count == 1 ? values[0] : "[" + values.joined(separator: ", ") + "]"
        }
        let argumentValues = parameters.map { signedText($0.value, $0.type) }.joined(separator: ", ")
        var lines: [String] = header(example) + [
            "function %\(functionName)(\(parameterList)) -> \(returnList) {",
            "block0(\(blockParameters)):",
        ]
        lines += body
        lines += blocks
        lines.append("}")
        lines.append("; run: %\(functionName)(\(argumentValues)) == \(expected)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The comment naming the rule and both outcomes, and the test lines.
    static func header(_ example: Counterexample) -> [String] {
        var outcomes = (ir: example.ir.description, machine: example.machine.description)
        if let slot = example.slot, example.opcode.info.canStore {
            // After a store, the words the function returns.
            outcomes = ("ss0 holds \(wordsText(slot.afterIR))", "\(wordsText(slot.afterMachine))")
        }
        return [
            "; Counterexample for the lowering rule \(example.rule) at \(example.type) (\(example.variant)).",
            "; IR: \(outcomes.ir)   machine code of the rule: \(outcomes.machine)",
            "test interpret",
            "test run",
            "target x86_64",
            "",
        ]
    }

    /// Why a counterexample has no `.clif` file.
    static func unavailableReason(_ example: Counterexample) -> String {
        let info = example.opcode.info
        if info.canLoad || info.canStore {
            return "the counterexample of a \(example.opcode.name) was not placed in a stack slot"
        }
        if example.opcode == .return {
            return "a return's mistake lives in what its caller sees (register bits above a value's width, "
                + "return-area bytes the caller never set), which a run test cannot pin"
        }
        return "a \(example.opcode.name) has nothing to vary in a self-contained function"
    }
}
