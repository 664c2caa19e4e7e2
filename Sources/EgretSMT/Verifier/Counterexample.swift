import EgretCodegen
import EgretIR

/// What one side did on a counterexample's inputs, as concrete values.
public struct ConcreteOutcome: Equatable, CustomStringConvertible {
    /// The trap, if the code trapped.
    public var trap: TrapCode?
    /// The results (each its type's bits, zero-extended), when it did not trap.
    public var results: [UInt64]
    public var resultTypes: [IRType]
    /// The edge taken (branches), when it did not trap.
    public var edge: UInt32?

    public var description: String {
        if let trap = trap { return "trap \(trap)" }
        var parts: [String] = []
        if !results.isEmpty {
            let values = zip(results, resultTypes).map { signedText($0, $1) }
            parts.append(values.count == 1 ? values[0] : "[" + values.joined(separator: ", ") + "]")
        }
        if let edge = edge {
            parts.append(edge == MachineSpecs.returnLabel.index ? "returns" : "edge \(edge)")
        }
        return parts.isEmpty ? "no result" : parts.joined(separator: ", ")
    }
}

/// `value` (the bits of a `type`) as a signed decimal, as CLIF run lines write it.
func signedText(_ value: UInt64, _ type: IRType) -> String {
    let bits = type.bits
    guard bits > 0 && bits < 64 else { return String(Int64(bitPattern: value)) }
    let shift = UInt64(64 - bits)
    return String(Int64(bitPattern: value << shift) >> Int64(shift))
}

/// Concrete inputs on which a rule's machine code and the IR disagree, both
/// outcomes, and (where the rule's instruction can be written as a self-contained
/// function) a `.clif` run test that reproduces the disagreement.
public struct Counterexample: CustomStringConvertible {
    public var rule: String
    public var opcode: Opcode
    public var type: IRType
    public var variant: String
    /// IR inputs by name (`x0`, `l0`/`r0` for a fused icmp, `base1`…) and value.
    public var inputs: [(name: String, type: IRType, value: UInt64)]
    /// The constants the rule matched (`k1`, `disp1`, `offset`).
    public var constants: [(name: String, value: Int64)]
    public var ir: ConcreteOutcome
    public var machine: ConcreteOutcome
    /// A run test whose expectation is the IR's outcome; nil for memory instructions
    /// (their inputs include memory contents) and instructions without inputs.
    public var clif: String?

    init(rule: LoweringRule, type: IRType, instance: RuleInstance, model: Z3Model) throws {
        self.rule = rule.name
        opcode = rule.opcode
        self.type = type
        variant = instance.variant.description
        inputs = try instance.inputs.map { ($0.name, $0.type, try model.value(of: $0.term)) }
        constants = try instance.constants.map { entry in
            let raw = try model.value(of: entry.term)
            return (entry.slot.name, entry.slot.normalise(Int64(bitPattern: raw)))
        }
        let resultTypes = instance.variant.resultTypes
        ir = try Counterexample.outcome(model, trapped: instance.irTrap.trapped, code: instance.irTrap.code,
                                        results: instance.irResults, types: resultTypes,
                                        edge: instance.irEdge.map { (true, $0) })
        let machineBranched = try model.value(of: instance.machineEdge.branched)
        machine = try Counterexample.outcome(model, trapped: instance.machineTrap.trapped,
                                             code: instance.machineTrap.code, results: instance.machineResults,
                                             types: resultTypes,
                                             edge: machineBranched ? (true, instance.machineEdge.edge) : nil)
        clif = CounterexampleTest.text(self, instance: instance)
    }

    private static func outcome(_ model: Z3Model, trapped: Boolean, code: BitVector, results: [BitVector],
                                types: [IRType], edge: (Bool, BitVector)?) throws -> ConcreteOutcome {
        if try model.value(of: trapped) {
            return ConcreteOutcome(trap: TrapCode(raw: UInt8(try model.value(of: code))), results: [], resultTypes: [],
                                   edge: nil)
        }
        let values = try results.map { try model.value(of: $0) }
        var edgeValue: UInt32?
        if let (_, term) = edge { edgeValue = UInt32(try model.value(of: term)) }
        return ConcreteOutcome(trap: nil, results: values, resultTypes: types, edge: edgeValue)
    }

    public var description: String {
        var lines: [String] = ["counterexample for \(rule) at \(type.isValid ? type.description : "-") (\(variant))"]
        let inputText = inputs.map { "\($0.name) = \(signedText($0.value, $0.type))" }
            + constants.map { "\($0.name) = \($0.value)" }
        lines.append("  inputs:  " + (inputText.isEmpty ? "none" : inputText.joined(separator: ", ")))
        lines.append("  IR:      " + ir.description)
        lines.append("  machine: " + machine.description)
        if ir == machine { lines.append("  (the outcomes agree; the memory, a returned register or an obligation of the machine specs differs)") }
        return lines.joined(separator: "\n")
    }
}
