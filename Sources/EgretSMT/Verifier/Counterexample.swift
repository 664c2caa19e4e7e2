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

/// `value` as `0x` and 16 hexadecimal digits (a word of memory).
func hex(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 16 - digits.count)) + digits
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
    /// For inputs narrower than 64 bits: the bits above the value in its register (the
    /// machine side may read them; the `.clif` reproduction puts them there).
    public var upperBits: [String: UInt64]
    /// The constants the rule matched (`k1`, `disp1`, `offset`).
    public var constants: [(name: String, value: Int64)]
    public var ir: ConcreteOutcome
    public var machine: ConcreteOutcome
    /// A memory instruction's counterexample placed in a stack slot (`StackWindow`):
    /// the words it touches, before and after; nil for other instructions and for a
    /// memory counterexample that does not fit a slot.
    public var slot: StackSlotContents?
    /// A run test whose expectation is the IR's outcome; nil for instructions without
    /// inputs and for memory counterexamples without a `slot`.
    public var clif: String?
    /// Why there is no `clif`, when there is none.
    public var clifUnavailable: String?

    /// - Parameter window: where the model places a memory instruction's accesses
    ///   (nil: the model is not placed, and the counterexample gets no `.clif`).
    init(rule: LoweringRule, type: IRType, instance: RuleInstance, model: Z3Model, window: StackWindow? = nil) throws {
        self.rule = rule.name
        opcode = rule.opcode
        self.type = type
        variant = instance.variant.description
        inputs = try instance.inputs.map { ($0.name, $0.type, try model.value(of: $0.term)) }
        upperBits = try instance.upperBits.mapValues { try model.value(of: $0) }
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
        if let window = window { slot = try window.contents(instance, model: model) }
        clif = CounterexampleTest.text(self, instance: instance)
        if clif == nil { clifUnavailable = CounterexampleTest.unavailableReason(self) }
    }

    /// What the `.clif` function returns with the IR's semantics and with the rule's
    /// machine code: the outcomes themselves, or after a store the slot's words.
    public var reproducedOutcomes: (ir: ConcreteOutcome, machine: ConcreteOutcome) {
        guard let slot = slot, opcode.info.canStore, ir.trap == nil, machine.trap == nil else { return (ir, machine) }
        return (StackSlotContents.outcome(slot.afterIR), StackSlotContents.outcome(slot.afterMachine))
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
        if let slot = slot {
            let offsets = slot.wordOffsets.map { "ss0+\($0)" }.joined(separator: ", ")
            lines.append("  placed in a \(slot.size)-byte stack slot ss0 at model address \(hex(StackWindow.origin)); "
                         + "words \(offsets)")
            lines.append("  before:  " + slot.initial.map(hex).joined(separator: " "))
            if opcode.info.canStore {
                lines.append("  after the IR:           " + slot.afterIR.map(hex).joined(separator: " "))
                lines.append("  after the machine code: " + slot.afterMachine.map(hex).joined(separator: " "))
            }
        }
        if ir == machine && slot == nil { lines.append("  (the outcomes agree; the memory, a returned register or an obligation of the machine specs differs)") }
        return lines.joined(separator: "\n")
    }
}
