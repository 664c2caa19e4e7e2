import EgretCodegen
import EgretIR

/// The `.clif` run test of a load or store counterexample placed in a stack slot
/// (`StackWindow`): `ss0` stands for the window, so every model address A is
/// `ss0 + (A - origin)`.
///
///     block0(stored value?, index?):
///         fill       store.i64 of each word the accesses touch (the model's bytes)
///         address    the rule's shape, so that the same rule matches:
///                      reg                 stack_addr ss0+p, passed to block1 as a
///                                          block parameter (no defining instruction)
///                      stack_addr          stack_addr ss0+d
///                      iadd(base, iconst)  iadd (stack_addr ss0+b), (iconst d)
///                      iadd(base, index)   iadd (stack_addr ss0+b), index parameter
///         access     the instruction: same opcode, type and memory flags; the
///                    instruction's offset where the rule reads it (reg, base+index),
///                    else 0 (a placed counterexample of a folded address has 0)
///         result     a load's value; after a store, every word touched, read back
///
/// The words are filled and read back through an address shape other than the
/// rule's (stack_addr, or iadd of stack_addr and iconst when the rule is a stack-slot
/// rule), so a broken rule swapped in for the rule under test changes nothing else.
/// The run line expects the IR's outcome; the rule's machine code gives the
/// machine outcome (`Counterexample.reproducedOutcomes`).
extension CounterexampleTest {
    static func memoryText(_ example: Counterexample, instance: RuleInstance, slot: StackSlotContents) -> String? {
        let opcode = example.opcode
        let info = opcode.info
        let variant = instance.variant
        let addressOperand = variant.operandTypes.count - 1
        guard addressOperand >= 0, instance.pattern.count == variant.operandTypes.count,
              example.ir.trap == nil, example.machine.trap == nil else { return nil }
        let shape = instance.pattern[addressOperand]
        let origin = StackWindow.origin
        func input(_ name: String) -> UInt64? { example.inputs.first { $0.name == name }?.value }
        func constant(_ name: String) -> Int64 { example.constants.first { $0.name == name }?.value ?? 0 }

        var function = FunctionText()
        // Parameters: the stored value (a register operand), then the index.
        var storedValue: String?
        if info.canStore, instance.pattern[0] == .register {
            guard let value = input("x0") else { return nil }
            storedValue = function.parameter(variant.operandTypes[0], value)
        }
        var index: String?
        if shape == .basePlusIndex {
            guard let value = input("index\(addressOperand)") else { return nil }
            index = function.parameter(.i64, value)
        }

        // The slot's words, through the other address shape.
        let slotBase = function.define("stack_addr.i64 ss0")
        let auxiliaryIsStack = shape != .stackAddress
        func word(_ offset: Int) -> String {
            if auxiliaryIsStack { return slotBase + offsetText(Int64(offset)) }
            let displacement = function.define("iconst.i64 \(offset)")
            return function.define("iadd \(slotBase), \(displacement)")
        }
        for (offset, value) in zip(slot.wordOffsets, slot.initial) {
            let constant = function.define("iconst.i64 \(hex(value))")
            function.body.append("    store \(constant), \(word(offset))")
        }

        if info.canStore, instance.pattern[0] == .constant {
            storedValue = function.define("iconst.\(variant.operandTypes[0]) \(constant("k0"))")
        }

        // The address, in the rule's shape.
        func slotOffset(_ pointer: UInt64) -> Int64? {
            let offset = Int64(bitPattern: pointer &- origin)
            return offset >= 0 && offset < Int64(slot.size) ? offset : nil
        }
        let pointerNames = StackWindow.addressInputs(instance.pattern)
        var address: String
        var offset: Int64 = 0
        switch shape {
        case .register, .lowBits:
            guard let name = pointerNames.pointer, let pointer = input(name).flatMap(slotOffset) else { return nil }
            let computed = function.define("stack_addr.i64 ss0\(offsetText(pointer))")
            // A block parameter has no defining instruction: only the plain rule matches.
            address = function.newValue()
            function.body.append("    jump block1(\(computed))")
            function.body.append("")
            function.body.append("block1(\(address): i64):")
            offset = constant("offset")
        case .stackAddress:
            address = function.define("stack_addr.i64 ss0\(offsetText(constant("disp\(addressOperand)")))")
        case .basePlusConstant:
            guard let name = pointerNames.pointer, let base = input(name).flatMap(slotOffset) else { return nil }
            let baseValue = function.define("stack_addr.i64 ss0\(offsetText(base))")
            let displacement = function.define("iconst.i64 \(constant("disp\(addressOperand)"))")
            address = function.define("iadd \(baseValue), \(displacement)")
        case .basePlusIndex:
            guard let name = pointerNames.pointer, let base = input(name).flatMap(slotOffset),
                  let indexValue = index else { return nil }
            let baseValue = function.define("stack_addr.i64 ss0\(offsetText(base))")
            address = function.define("iadd \(baseValue), \(indexValue)")
            offset = constant("offset")
        case .constant, .comparison, .float, .floatComparison, .pair, .wideComparison:
            return nil
        }

        // The instruction and what the function returns.
        let flags = variant.memoryFlags.description
        let flagsText = flags.isEmpty ? "" : " " + flags
        let addressText = address + offsetText(offset)
        var returned: [String] = []
        var returnTypes: [IRType] = []
        if info.canStore {
            guard let value = storedValue else { return nil }
            function.body.append("    \(opcode.name)\(flagsText) \(value), \(addressText)")
            for offset in slot.wordOffsets {
                returned.append(function.define("load.i64 \(word(offset))"))
                returnTypes.append(.i64)
            }
        } else {
            guard let resultType = variant.resultTypes.first else { return nil }
            returned.append(function.define("\(opcode.name).\(resultType)\(flagsText) \(addressText)"))
            returnTypes.append(resultType)
        }
        function.body.append("    return \(returned.joined(separator: ", "))")

        let outcomes = example.reproducedOutcomes
        let expected = info.canStore ? wordsText(outcomes.ir.results) : outcomes.ir.description
        var lines: [String] = header(example)
        lines.append("function %\(functionName)(\(function.parameters.map { "\($0.type)" }.joined(separator: ", ")))"
                     + " -> \(returnTypes.map(\.description).joined(separator: ", ")) {")
        lines.append("    ss0 = explicit_slot \(slot.size), align = 16")
        lines.append("")
        lines.append("block0(\(function.parameters.map { "\($0.name): \($0.type)" }.joined(separator: ", "))):")
        lines += function.body
        lines.append("}")
        let arguments = function.parameters.map { signedText($0.value, $0.type) }.joined(separator: ", ")
        lines.append("; run: %\(functionName)(\(arguments)) == \(expected)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `+n`, `-n` or nothing: an offset as CLIF writes it after a value or slot.
    static func offsetText(_ offset: Int64) -> String {
        offset == 0 ? "" : offset > 0 ? "+\(offset)" : "\(offset)"
    }

    /// Words as a run line's expected values, in hexadecimal.
    static func wordsText(_ words: [UInt64]) -> String {
        let values = words.map(hex)
        return values.count == 1 ? values[0] : "[" + values.joined(separator: ", ") + "]"
    }
}

/// The parameters and body of a function being written, with its value numbering
/// (parameters first, as they are `block0`'s).
private struct FunctionText {
    var parameters: [(name: String, type: IRType, value: UInt64)] = []
    var body: [String] = []
    private var nextValue = 0

    mutating func newValue() -> String {
        defer { nextValue += 1 }
        return "v\(nextValue)"
    }

    mutating func parameter(_ type: IRType, _ value: UInt64) -> String {
        let name = newValue()
        parameters.append((name, type, value))
        return name
    }

    /// Appends `name = instruction` and returns the name.
    mutating func define(_ instruction: String) -> String {
        let name = newValue()
        body.append("    \(name) = \(instruction)")
        return name
    }
}
