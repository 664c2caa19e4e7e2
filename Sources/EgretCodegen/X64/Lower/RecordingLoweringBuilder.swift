import EgretIR

/// A `LoweringBuilder` that runs one rule on symbolic operands and records what it
/// emits: the SMT verifier's view of a rule (and the tests').
///
///     let builder = RecordingLoweringBuilder(opcode: .iadd, type: .i32, operandTypes: [.i32, .i32],
///                                            resultTypes: [.i32], constants: [1: 5])
///     try rule.emit(builder)
///     builder.instructions   // [addl $5, %v0, %v2]
///
/// Registers: operand k is `%vk` (`%vkf`, an xmm register, when read with `xmm`);
/// result k is `%v(operandCount + k)`; temporaries of both classes share one
/// numbering. A `.constant` operand has the given constant and no register; a
/// `.comparison` operand is an icmp of two fresh registers (`comparisonOperands`).
/// An i128 operand or result has its ordinary register as its low half and a high
/// half made on first request (`highRegisters`); a `.wideComparison` operand is an
/// icmp of two fresh pairs.
/// Edge k's label is `MachLabel(k)`. Address operands fold to `disp(%vk)` (a register
/// base plus the constant given for that operand), or to the stack slot `ss0`.
/// Calls and returns are not modelled: `callee()` throws.
public final class RecordingLoweringBuilder: LoweringBuilder {
    public let opcode: Opcode
    public let type: IRType
    public var match: RuleMatch
    public let operandTypes: [IRType]
    public let resultTypes: [IRType]
    public var intCC: IntCC = .eq
    public var floatCC: FloatCC = .eq
    public var trapCode: TrapCode = .heapOutOfBounds
    public var memoryFlags = MemFlags()
    public var offset: Int32 = 0
    public var stackSlot: UInt32 = 0
    /// The condition and operand registers of each `.comparison` operand, by operand.
    public var comparisonOperands: [Int: (condition: IntCC, lhs: Gpr, rhs: Gpr)] = [:]
    /// The index register of each `.basePlusIndex` operand, by operand (made on first
    /// use; the SMT verifier presets them to bind them to IR values).
    public var addressIndexes: [Int: Gpr] = [:]
    /// The condition and operand registers of each `.floatComparison` operand.
    public var floatComparisonOperands: [Int: (condition: FloatCC, lhs: Xmm, rhs: Xmm)] = [:]
    /// The compared pairs of each `.wideComparison` operand, by operand.
    public var wideComparisonOperands: [Int: FusedWideComparison] = [:]
    /// The high half of each i128 operand (key k) and result (key -1 - k) asked for.
    public private(set) var highRegisters: [Int: Gpr] = [:]
    /// A `.comparison` operand whose icmp compares with a constant that the lowering
    /// folds into `cmp $imm` (by operand): the immediate the emitter sees.
    public var comparisonImmediates: [Int: Int32] = [:]
    /// The shape each operand is read as (default `.register`).
    public var shapes: [Int: OperandShape] = [:]
    /// Every instruction emitted, in order.
    public private(set) var instructions: [X64Inst] = []
    /// The edges whose argument moves the rule asked for.
    public private(set) var edgeMoves: [Int] = []
    public var edgeCount = 2
    private var nextRegister: UInt32

    public init(opcode: Opcode, type: IRType, operandTypes: [IRType], resultTypes: [IRType],
                constants: [Int: Int64] = [:]) {
        self.opcode = opcode
        self.type = type
        self.operandTypes = operandTypes
        self.resultTypes = resultTypes
        match = RuleMatch(type: type)
        for (operand, value) in constants { match.setConstant(operand, value) }
        nextRegister = UInt32(operandTypes.count + resultTypes.count)
    }

    public var operandCount: Int { operandTypes.count }
    public func operandType(_ operand: Int) -> IRType { operandTypes[operand] }
    public var resultCount: Int { resultTypes.count }
    public func resultType(_ result: Int) -> IRType { resultTypes[result] }
    public var immediate: Int64 { match.constant(0) }

    public func gpr(_ operand: Int) -> Gpr { Gpr(virtual: UInt32(operand)) }
    public func xmm(_ operand: Int) -> Xmm { Xmm(virtual: UInt32(operand)) }

    public func gprPair(_ operand: Int) -> GprPair { GprPair(low: gpr(operand), high: highHalf(key: operand)) }

    public func resultPair(_ result: Int) -> WritableGprPair {
        WritableGprPair(low: self.result(result), high: Writable(highHalf(key: -1 - result)))
    }

    public func wideComparison(_ operand: Int) -> FusedWideComparison {
        if let compared = wideComparisonOperands[operand] { return compared }
        let compared = FusedWideComparison(condition: intCC, lhs: GprPair(low: newGpr().reg, high: newGpr().reg),
                                           rhs: GprPair(low: newGpr().reg, high: newGpr().reg))
        wideComparisonOperands[operand] = compared
        return compared
    }

    private func highHalf(key: Int) -> Gpr {
        if let existing = highRegisters[key] { return existing }
        let register = newGpr().reg
        highRegisters[key] = register
        return register
    }
    public func constant(_ operand: Int) -> Int64 { match.constant(operand) }

    public func comparison(_ operand: Int) -> FusedComparison {
        let compared = comparisonOperands[operand] ?? (intCC, newGpr().reg, newGpr().reg)
        comparisonOperands[operand] = compared
        let rhs: GprMemImm = comparisonImmediates[operand].map { .imm($0) } ?? .reg(compared.rhs)
        return FusedComparison(condition: compared.condition, size: OperandSize(exactly: operandTypes[operand]),
                               lhs: compared.lhs, rhs: rhs)
    }

    /// Compares two fresh xmm registers with `floatCC` (f64 unless `type` is f32).
    public func floatComparison(_ operand: Int) -> FusedFloatComparison {
        let compared = floatComparisonOperands[operand] ?? (floatCC, newXmm().reg, newXmm().reg)
        floatComparisonOperands[operand] = compared
        return FusedFloatComparison(condition: compared.condition, width: type == .f32 ? .f32 : .f64,
                                    lhs: compared.lhs, rhs: compared.rhs)
    }

    public func amode(_ operand: Int) -> Amode {
        let displacement = Int32(truncatingIfNeeded: match.constant(operand))
        switch shapes[operand] ?? .register {
        case .stackAddress:
            return Amode(.frame(.stackSlot(0), displacement: displacement), trap: memoryFlags.trapCode)
        case .basePlusIndex:
            let index = addressIndexes[operand] ?? newGpr().reg
            addressIndexes[operand] = index
            return Amode(.baseIndex(gpr(operand), index: index, scale: .one, displacement: offset),
                         trap: memoryFlags.trapCode)
        case .register, .constant, .comparison, .float, .floatComparison, .pair, .lowBits, .wideComparison:
            return Amode(.base(gpr(operand), displacement: offset), trap: memoryFlags.trapCode)
        case .basePlusConstant:
            return Amode(.base(gpr(operand), displacement: displacement), trap: memoryFlags.trapCode)
        }
    }

    public func result(_ result: Int) -> Writable<Gpr> { Writable(Gpr(virtual: UInt32(operandTypes.count + result))) }

    public func newGpr() -> Writable<Gpr> {
        defer { nextRegister += 1 }
        return Writable(Gpr(virtual: nextRegister))
    }

    public func xmmResult(_ result: Int) -> Writable<Xmm> {
        Writable(Xmm(virtual: UInt32(operandTypes.count + result)))
    }

    public func newXmm() -> Writable<Xmm> {
        defer { nextRegister += 1 }
        return Writable(Xmm(virtual: nextRegister))
    }

    public func emit(_ inst: consuming X64Inst) { instructions.append(inst) }

    public func edgeLabel(_ edge: Int) -> MachLabel { MachLabel(UInt32(edge)) }
    public func emitEdgeMoves(_ edge: Int) { edgeMoves.append(edge) }

    /// The lowered function's signature layout, for `return` (empty unless set).
    public var signature = ABISignature(emptyFor: .systemV)
    public var functionSignature: ABISignature { signature }

    /// The register holding the caller's return-area pointer, for a `return` whose
    /// signature has a return area (nil: none).
    public var returnAreaRegister: Gpr?
    public var returnAreaPointer: Gpr? { returnAreaRegister }
    public var structReturnPointer: Gpr? { nil }

    public func callee() throws -> Callee {
        throw CodegenError.unsupported("calls are not modelled by the recording builder")
    }

    public func functionReference() throws -> ExternalName { .testCase("function") }
    public var positionIndependent = false
    public func reserveOutgoingArguments(_ bytes: Int) {}
    public func noteCallClobbers(_ registers: PRegSet) {}
}
