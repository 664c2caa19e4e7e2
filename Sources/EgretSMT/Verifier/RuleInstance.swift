import EgretCodegen
import EgretIR

/// How one constant slot is bound in an instance.
enum SlotValue {
    /// The emitter sees `sentinel`; the immediates it derives from it are lifted back
    /// to the slot's symbolic term, so the proof covers every value the guards allow.
    case symbolic(sentinel: Int64)
    /// The emitter and the IR both see this value.
    case concrete(Int64)

    var emitterValue: Int64 {
        switch self {
        case .symbolic(let sentinel): return sentinel
        case .concrete(let value): return value
        }
    }
}

/// One instance of a rule: the IR instruction and the rule's machine code on the same
/// symbolic inputs, and the claim that they agree.
struct RuleInstance {
    var description: String
    /// guards ⇒ (same traps ∧ same results, edge and memory when not trapping ∧
    /// the machine specs' obligations).
    var claim: Boolean
    /// The machine side's terms, to compare two instances term for term.
    var machineTerms: [BitVector]
    var machineConditions: [Boolean]
    /// For counterexamples: the IR inputs, the constants, and both outcomes.
    var inputs: [(name: String, type: IRType, term: BitVector)]
    var constants: [(slot: ConstantSlot, term: BitVector)]
    var irResults: [BitVector]
    var machineResults: [BitVector]
    var irTrap: (trapped: Boolean, code: BitVector)
    var machineTrap: (trapped: Boolean, code: BitVector)
    var irEdge: BitVector?
    var machineEdge: (branched: Boolean, edge: BitVector)
    var variant: RuleVariant
    var values: [ConstantSlot: SlotValue]
    /// The rule's operand shapes (the address shape places a counterexample in memory).
    var pattern: [OperandShape]
    /// The memory before the instruction, after the IR's and after the machine code's.
    var memory: (initial: Memory, ir: Memory, machine: Memory)
    /// Every memory access of either side: its first byte and its width.
    var accesses: [(address: BitVector, bytes: Int)]
    /// The address of stack slot 0 (`ss0`).
    var stackSlot: BitVector
    /// For each input narrower than 64 bits (by name): the unspecified bits above it in
    /// its register, so that a reproduction can put exactly those bits there.
    var upperBits: [String: BitVector] = [:]
}

/// Whether a 64-bit constant slot only takes sign-extended 32-bit values: a `.value`
/// guarded by `fits_simm32`, or an icmp's right-hand side folded into `cmp $imm`.
private func isSignExtendedImmediate(_ slot: ConstantSlot, _ rule: LoweringRule) -> Bool {
    switch slot {
    case .value(let operand, _):
        return rule.guards.contains { $0.operand == operand && $0.name == "fits_simm32" }
    case .comparisonRight:
        return true
    case .displacement, .offset:
        return false
    }
}

/// Registers the verifier binds that the recording builder does not number itself.
private enum BoundRegisters {
    static func comparisonLeft(_ operand: Int) -> Gpr { Gpr(virtual: UInt32(100_000 + 2 * operand)) }
    static func comparisonRight(_ operand: Int) -> Gpr { Gpr(virtual: UInt32(100_001 + 2 * operand)) }
    static func addressIndex(_ operand: Int) -> Gpr { Gpr(virtual: UInt32(100_100 + operand)) }
    static let returnArea = Gpr(virtual: 100_200)
}

extension RuleVerifier {
    /// The trap code the verifier gives trapping instructions: a user code, so that a
    /// rule must pass the instruction's own code through.
    static let instructionTrapCode = TrapCode(raw: 42)

    /// Builds the instance of `rule` at `type` for `variant` with the constants bound
    /// as `values`. Variables are named after `tag`, so two builds with one tag share
    /// their inputs.
    static func instance(_ rule: LoweringRule, _ type: IRType, _ variant: RuleVariant, tag: String,
                         values: [ConstantSlot: SlotValue], context: Z3Context, faults: Predicate) throws -> RuleInstance {
        let slots = constantSlots(rule, variant)
        // Constant terms: symbolic slots are variables, concrete ones numerals.
        var slotTerms: [ConstantSlot: BitVector] = [:]
        for slot in slots {
            switch values[slot] ?? .concrete(0) {
            case .symbolic:
                // A 64-bit constant guarded to fit a sign-extended 32-bit immediate is
                // exactly the sign extension of a 32-bit variable: the same set of
                // values, in the form the machine side computes.
                if slot.width == 64, isSignExtendedImmediate(slot, rule) {
                    slotTerms[slot] = context.bitVector("\(tag)_\(slot.name)", width: 32).signExtended(to: 64)
                } else {
                    slotTerms[slot] = context.bitVector("\(tag)_\(slot.name)", width: slot.width)
                }
            case .concrete(let value): slotTerms[slot] = context.bitVector(signed: value, width: slot.width)
            }
        }
        func slotTerm(_ slot: ConstantSlot) -> BitVector {
            slotTerms[slot] ?? context.bitVector(0, width: slot.width)
        }

        // The recording builder, set up as the matcher would for this variant.
        var constants: [Int: Int64] = [:]
        for slot in slots {
            switch slot {
            case .value(let operand, _), .displacement(let operand):
                constants[operand] = values[slot]?.emitterValue ?? 0
            case .offset, .comparisonRight: break
            }
        }
        let builder = RecordingLoweringBuilder(opcode: rule.opcode, type: rule.types.isEmpty ? .invalid : type,
                                               operandTypes: variant.operandTypes, resultTypes: variant.resultTypes,
                                               constants: constants)
        builder.intCC = variant.intCC
        builder.memoryFlags = variant.memoryFlags
        builder.trapCode = instructionTrapCode
        builder.edgeCount = variant.edgeCount
        if let signature = variant.returnSignature {
            builder.signature = signature
            if signature.returnAreaPointer != nil { builder.returnAreaRegister = BoundRegisters.returnArea }
        }
        builder.offset = Int32(truncatingIfNeeded: values[.offset]?.emitterValue ?? 0)
        for slot in slots {
            if case .comparisonRight(let operand, _) = slot {
                builder.comparisonImmediates[operand] = Int32(truncatingIfNeeded: values[slot]?.emitterValue ?? 0)
            }
        }
        for (operand, shape) in rule.pattern.enumerated() {
            builder.shapes[operand] = shape
            switch shape {
            case .comparison:
                builder.comparisonOperands[operand] = (variant.intCC, BoundRegisters.comparisonLeft(operand),
                                                       BoundRegisters.comparisonRight(operand))
            case .basePlusIndex:
                builder.addressIndexes[operand] = BoundRegisters.addressIndex(operand)
            case .register, .constant, .stackAddress, .basePlusConstant, .lowBits:
                break
            case .float, .floatComparison, .pair, .wideComparison:
                throw VerifierOutcomeError.notModelled("\(shape) operands (tier 2)")
            }
        }
        do {
            try rule.emit(builder)
        } catch let error as CodegenError {
            throw VerifierOutcomeError.notModelled("the emitter: \(error)")
        }

        // The machine state: inputs bound to registers, upper bits unspecified.
        let memory = context.memory("\(tag)_memory")
        var state = MachineState(context: context, memory: memory, faults: faults)
        let stackSlot = context.bitVector("ss0", width: 64)
        state.stackSlots[0] = stackSlot
        var lifted: [(sentinel: Int64, term: BitVector, width: Int)] = []
        for slot in slots {
            if case .symbolic(let sentinel)? = values[slot] {
                lifted.append((sentinel, slotTerm(slot).signExtended(to: 64), slot.width))
            }
        }
        if !lifted.isEmpty {
            state.liftImmediate32 = { value in
                for entry in lifted {
                    if value == Int32(truncatingIfNeeded: entry.sentinel) { return entry.term.low(32) }
                    // A big-endian store swaps a constant's bytes at compile time.
                    if value == Int32(Int16(truncatingIfNeeded: UInt16(truncatingIfNeeded: entry.sentinel).byteSwapped)) {
                        return IRSpecs.swapBytes(entry.term.low(16)).signExtended(to: 32)
                    }
                    if value == Int32(truncatingIfNeeded: UInt32(truncatingIfNeeded: entry.sentinel).byteSwapped) {
                        return IRSpecs.swapBytes(entry.term.low(32))
                    }
                    if value == Int32(Int16(truncatingIfNeeded: entry.sentinel)) {
                        return entry.term.low(16).signExtended(to: 32)
                    }
                    if value == Int32(Int8(truncatingIfNeeded: entry.sentinel)) {
                        return entry.term.low(8).signExtended(to: 32)
                    }
                }
                return context.bitVector(signed: Int64(value), width: 32)
            }
            state.liftImmediate64 = { value in
                for entry in lifted {
                    if value == UInt64(bitPattern: entry.sentinel) { return entry.term }
                    if value == UInt64(bitPattern: entry.sentinel).byteSwapped { return IRSpecs.swapBytes(entry.term) }
                    if value == UInt64(UInt32(truncatingIfNeeded: entry.sentinel)) {
                        return entry.term.low(32).zeroExtended(to: 64)
                    }
                    let mask: UInt64 = entry.width >= 64 ? .max : (1 << UInt64(entry.width)) - 1
                    if value == UInt64(bitPattern: entry.sentinel) & mask {
                        return entry.term.low(entry.width).zeroExtended(to: 64)
                    }
                }
                return context.bitVector(value, width: 64)
            }
        }

        var irOperands: [BitVector] = []
        var inputs: [(name: String, type: IRType, term: BitVector)] = []
        var upperBits: [String: BitVector] = [:]
        func bind(_ gpr: Gpr, _ value: BitVector, _ name: String) {
            if value.width >= 64 {
                state.registers[gpr.reg.raw] = value
            } else {
                let upper = context.bitVector("\(tag)_\(name)_upper", width: 64 - value.width)
                upperBits[name] = upper
                state.registers[gpr.reg.raw] = value.below(upper)
            }
        }
        for (operand, operandType) in variant.operandTypes.enumerated() {
            let shape = operand < rule.pattern.count ? rule.pattern[operand] : OperandShape.register
            let register = Gpr(virtual: UInt32(operand))
            switch shape {
            case .register, .lowBits:
                // `.lowBits` reads the low 64 bits: the whole value up to i64.
                let value = context.bitVector("\(tag)_x\(operand)", width: operandType.bits)
                bind(register, value, "x\(operand)")
                inputs.append(("x\(operand)", operandType, value))
                irOperands.append(isAddressOperand(rule, operand) ? value + slotTerm(.offset).signExtended(to: 64) : value)
            case .constant:
                let value = slotTerm(.value(operand: operand, type: operandType))
                bind(register, value, "x\(operand)")
                irOperands.append(value)
            case .comparison:
                let compared = variant.comparedTypes[operand] ?? operandType
                let lhs = context.bitVector("\(tag)_l\(operand)", width: compared.bits)
                bind(BoundRegisters.comparisonLeft(operand), lhs, "l\(operand)")
                inputs.append(("l\(operand)", compared, lhs))
                let rhs: BitVector
                if variant.comparisonImmediate {
                    rhs = slotTerm(.comparisonRight(operand: operand, type: compared))
                } else {
                    rhs = context.bitVector("\(tag)_r\(operand)", width: compared.bits)
                    bind(BoundRegisters.comparisonRight(operand), rhs, "r\(operand)")
                    inputs.append(("r\(operand)", compared, rhs))
                }
                let condition = IRSpecs.compare(variant.intCC, lhs, rhs).asBit(width: 8)
                bind(register, condition, "c\(operand)")
                irOperands.append(condition)
            case .stackAddress:
                irOperands.append(stackSlot + slotTerm(.displacement(operand: operand)).signExtended(to: 64))
            case .basePlusConstant:
                let base = context.bitVector("\(tag)_base\(operand)", width: 64)
                bind(register, base, "base\(operand)")
                inputs.append(("base\(operand)", .i64, base))
                irOperands.append(base + slotTerm(.displacement(operand: operand)).signExtended(to: 64))
            case .float, .floatComparison, .pair, .wideComparison:
                throw VerifierOutcomeError.notModelled("\(shape) operands (tier 2)")
            case .basePlusIndex:
                let base = context.bitVector("\(tag)_base\(operand)", width: 64)
                let index = context.bitVector("\(tag)_index\(operand)", width: 64)
                bind(register, base, "base\(operand)")
                bind(BoundRegisters.addressIndex(operand), index, "index\(operand)")
                inputs.append(("base\(operand)", .i64, base))
                inputs.append(("index\(operand)", .i64, index))
                irOperands.append(base + index + slotTerm(.offset).signExtended(to: 64))
            }
        }

        // A `return` through a return area: the caller's pointer to it.
        var returnArea: BitVector?
        if builder.returnAreaRegister != nil {
            let area = context.bitVector("\(tag)_return_area", width: 64)
            state.registers[BoundRegisters.returnArea.reg.raw] = area
            returnArea = area
        }

        do {
            for inst in builder.instructions { try inst.execute(on: &state) }
        } catch let error as MachineSpecError {
            throw VerifierOutcomeError.notModelled(error.description)
        }

        // The IR side on the same inputs.
        var irInputs = IRInputs(context: context, opcode: rule.opcode, type: type, operandTypes: variant.operandTypes,
                                operands: irOperands)
        irInputs.intCC = variant.intCC
        irInputs.trapCode = instructionTrapCode
        irInputs.memoryFlags = variant.memoryFlags
        irInputs.edgeCount = variant.edgeCount
        irInputs.memory = memory
        irInputs.faults = faults
        if rule.opcode == .iconst, let resultType = variant.resultTypes.first {
            irInputs.immediate = slotTerm(.value(operand: 0, type: resultType))
        }
        irInputs.stackAddress = stackSlot + slotTerm(.offset).signExtended(to: 64)
        guard let outcome = try IRSpecs.outcome(irInputs) else {
            throw VerifierOutcomeError.notModelled("no IR spec for \(rule.opcode.name)")
        }
        guard outcome.results.count == variant.resultTypes.count else {
            throw SMTError.internalError("\(rule.name): the spec gives \(outcome.results.count) results, "
                                         + "the opcode has \(variant.resultTypes.count)")
        }

        // The claim.
        var irCode = context.bitVector(0, width: 8)
        for entry in outcome.traps.reversed() {
            irCode = entry.condition.select(context.bitVector(UInt64(entry.code.raw), width: 8), irCode)
        }
        let irTrapped = context.any(outcome.traps.map(\.condition))
        let machineTrap = state.trapSummary
        var agreements: [Boolean] = []
        var machineResults: [BitVector] = []
        for (index, resultType) in variant.resultTypes.enumerated() {
            let machine = state.read(Gpr(virtual: UInt32(variant.operandTypes.count + index)), .init(exactly: resultType))
            machineResults.append(machine)
            agreements.append(outcome.results[index] == machine)
        }
        var irEdge = outcome.edge
        if rule.opcode == .return { irEdge = context.bitVector(UInt64(MachineSpecs.returnLabel.index), width: 32) }
        if let edge = irEdge {
            agreements.append(state.branched && state.edge == edge)
        } else {
            agreements.append(!state.branched)
        }
        // Both memories are the initial one with stores on top: they are equal iff they
        // agree at every address either side wrote.
        var irMemory = outcome.memory ?? memory
        var irWritten = outcome.writtenAddresses
        if let signature = variant.returnSignature, let area = returnArea {
            // What the convention makes of `return`: the values past the return
            // registers stored into the caller's area.
            (irMemory, irWritten) = RuleVerifier.returnAreaStores(signature, irOperands, area: area, into: irMemory,
                                                                 written: irWritten)
        }
        if !irMemory.isIdentical(to: state.memory) {
            for address in irWritten + state.writtenAddresses {
                agreements.append(irMemory.byte(at: address) == state.memory.byte(at: address))
            }
        }
        if rule.opcode == .jump { agreements.append(context.boolean(builder.edgeMoves == [0])) }
        if let signature = variant.returnSignature {
            agreements += try returnedValues(signature, irOperands, state)
        }
        let sameTraps = irTrapped == machineTrap.trapped && irTrapped.implies(irCode == machineTrap.code)
        let body = sameTraps && (!irTrapped).implies(context.all(agreements))
        let obligations = context.all(state.obligations.map(\.condition))

        var guards: [Boolean] = []
        for ruleGuard in rule.guards {
            let slot = slots.first { candidate in
                if case .value(let operand, _) = candidate { return operand == ruleGuard.operand }
                return false
            }
            guard let guardSlot = slot, case .symbolic? = values[guardSlot] else { continue }
            guards.append(try guardCondition(ruleGuard.name, slotTerm(guardSlot)))
        }

        var accesses = state.accesses
        let info = rule.opcode.info
        if info.canLoad || info.canStore, let address = irOperands.last {
            accesses.append((address, IRSpecs.access(rule.opcode, type: type).bytes))
        }
        var constantsList: [(slot: ConstantSlot, term: BitVector)] = []
        for slot in slots { constantsList.append((slot, slotTerm(slot))) }
        let machineTerms: [BitVector] = machineResults + [machineTrap.code, state.edge]
        let machineConditions: [Boolean] = [machineTrap.trapped, state.branched, obligations]
            + state.writtenAddresses.map { state.memory.byte(at: $0) == memory.byte(at: $0) }
        return RuleInstance(description: variant.description, claim: context.all(guards).implies(body && obligations),
                            machineTerms: machineTerms, machineConditions: machineConditions,
                            inputs: inputs, constants: constantsList, irResults: outcome.results,
                            machineResults: machineResults, irTrap: (irTrapped, irCode), machineTrap: machineTrap,
                            irEdge: irEdge, machineEdge: (state.branched, state.edge), variant: variant, values: values,
                            pattern: rule.pattern, memory: (memory, irMemory, state.memory), accesses: accesses,
                            stackSlot: stackSlot, upperBits: upperBits)
    }

    /// `return`: each value in its register, extended to 64 bits when the signature
    /// says `uext`/`sext`.
    static func returnedValues(_ signature: ABISignature, _ values: [BitVector], _ state: MachineState) throws
        -> [Boolean] {
        var agreements: [Boolean] = []
        for (index, returned) in signature.returns.enumerated() {
            // Values in the return area are compared as memory (`returnAreaStores`).
            guard case .register(let register) = returned.location else { continue }
            guard let machine = state.returned.first(where: { $0.register == register })?.value,
                  values.indices.contains(index) else {
                agreements.append(state.context.boolean(false))
                continue
            }
            let value = values[index]
            switch returned.isExtended ? returned.extension_ : .none {
            case .uext: agreements.append(machine == value.zeroExtended(to: 64))
            case .sext: agreements.append(machine == value.signExtended(to: 64))
            case .none: agreements.append(machine.low(value.width) == value)
            }
        }
        return agreements
    }

    /// `memory` with the values `signature` returns on the stack stored at their
    /// offsets in the area at `area` (8 bytes, extended, when `uext`/`sext`; else the
    /// value's own width), and the bytes written added to `written`.
    static func returnAreaStores(_ signature: ABISignature, _ values: [BitVector], area: BitVector,
                                 into memory: Memory, written: [BitVector]) -> (Memory, [BitVector]) {
        var memory = memory, written = written
        for (index, returned) in signature.returns.enumerated() where values.indices.contains(index) {
            guard case .stack(let offset) = returned.location else { continue }
            let value = values[index]
            let stored: BitVector
            switch returned.isExtended ? returned.extension_ : .none {
            case .uext: stored = value.zeroExtended(to: 64)
            case .sext: stored = value.signExtended(to: 64)
            case .none: stored = value
            }
            let address = area + area.constant(UInt64(bitPattern: Int64(offset)))
            let bytes = stored.width / 8
            memory = memory.storing(bytes, of: stored, at: address)
            written += (0 ..< bytes).map { address + address.constant(UInt64($0)) }
        }
        return (memory, written)
    }

    static func isAddressOperand(_ rule: LoweringRule, _ operand: Int) -> Bool {
        let info = rule.opcode.info
        return (info.canLoad || info.canStore) && operand == info.operands.count - 1
    }

    /// The SMT definition of a guard over the matched constant `value` (of the
    /// operand's width).
    static func guardCondition(_ name: String, _ value: BitVector) throws -> Boolean {
        switch name {
        case "fits_simm32":
            let wide = value.signExtended(to: 64)
            return wide == wide.low(32).signExtended(to: 64)
        case "nonzero":
            return !value.isZero
        case "not_minus_one":
            return value != value.constant(signed: -1)
        case "power_of_two":
            return !value.isZero && (value & (value - value.constant(1))).isZero
        default:
            throw VerifierOutcomeError.notModelled("guard \(name) has no SMT definition")
        }
    }
}

/// Outcomes of building an instance that are not bugs.
enum VerifierOutcomeError: Error {
    case notModelled(String)
}
