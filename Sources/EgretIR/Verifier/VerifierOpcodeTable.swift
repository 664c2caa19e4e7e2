/// The opcode table (`OpcodeTable.rows`) flattened for the verifier's per-instruction
/// loop: one small plain row per opcode, the operand and result constraints of all
/// opcodes in shared arrays, and each opcode's controlling type set as a bit set.
/// Reading a row copies 16 bytes and no reference-counted storage (an `OpcodeInfo`
/// holds two strings and two arrays; a `TypeSet` is 40 bytes of optionals), so checking
/// an instruction costs no retain/release traffic and no large copies.
///
/// It is derived from `OpcodeTable` once; the table stays the only source of truth.
struct VerifierOpcodeTable {
    struct Row {
        var format: InstructionFormat
        var isPolymorphic: Bool
        var hasVariableArguments: Bool
        var properties: OpcodeProperties
        /// First constraint of the fixed operands in `operands`, and their number.
        var operandStart: UInt16
        var operandCount: UInt8
        /// First constraint of the fixed results in `results`, and their number.
        var resultStart: UInt16
        var resultCount: UInt8

        var isTerminator: Bool { properties.contains(.isTerminator) }
        var isBranch: Bool { properties.contains(.isBranch) }
        var isCall: Bool { properties.contains(.isCall) }
    }

    /// One operand or result constraint: the two common kinds answered from these four
    /// bytes, the others by the full `OperandType` at the same index.
    struct Constraint {
        enum Kind: UInt8 {
            case controlling, fixed
            /// A free type set: checkable without the controlling type.
            case free
            /// Derived from the controlling type.
            case derived
        }
        var kind: Kind
        var fixedType: IRType
    }

    let rows: [Row]
    let operands: [Constraint]
    let results: [Constraint]
    /// The full constraints, parallel to `operands` and `results`.
    let operandTypes: [OperandType]
    let resultTypes: [OperandType]
    /// `OpcodeTable.controllingTypeBits`, kept at hand for the per-instruction loop.
    let allowedControllingTypes = OpcodeTable.controllingTypeBits

    static let shared = VerifierOpcodeTable()

    private init() {
        var rows: [Row] = []
        rows.reserveCapacity(Opcode.allCases.count)
        for opcode in Opcode.allCases {
            let info = opcode.info
            let index = Int(opcode.rawValue)
            rows.append(Row(format: info.format, isPolymorphic: info.isPolymorphic,
                            hasVariableArguments: info.hasVariableArguments, properties: info.properties,
                            operandStart: OpcodeTable.firstOperand[index], operandCount: UInt8(info.operands.count),
                            resultStart: OpcodeTable.firstResult[index], resultCount: UInt8(info.results.count)))
        }
        self.rows = rows
        operandTypes = OpcodeTable.flatOperands
        resultTypes = OpcodeTable.flatResults
        operands = operandTypes.map(Self.compact)
        results = resultTypes.map(Self.compact)
    }

    private static func compact(_ type: OperandType) -> Constraint {
        switch type {
        case .controlling: return Constraint(kind: .controlling, fixedType: .invalid)
        case .fixed(let fixed): return Constraint(kind: .fixed, fixedType: fixed)
        case .free: return Constraint(kind: .free, fixedType: .invalid)
        case .laneOf, .asTruthy, .halfWidth, .doubleWidth, .splitLanes, .mergeLanes, .narrower, .wider,
             .dynamicToVector:
            return Constraint(kind: .derived, fixedType: .invalid)
        }
    }

    @inline(__always) func row(_ opcode: Opcode) -> Row { rows[Int(opcode.rawValue)] }

    /// Whether `type` is a well-formed member of the opcode's controlling type set.
    @inline(__always) func allows(_ opcode: Opcode, controlling type: IRType) -> Bool {
        OpcodeTable.accepts(allowedControllingTypes, opcode, controlling: type)
    }

    /// Whether `actual` meets `constraint`, whose full form is `full`.
    @inline(__always)
    static func satisfies(_ actual: IRType, _ constraint: Constraint, full: @autoclosure () -> OperandType,
                          controlling: IRType) -> Bool {
        switch constraint.kind {
        case .controlling: return actual == controlling
        case .fixed: return actual == constraint.fixedType
        case .free, .derived: return full().accepts(actual, controlling: controlling)
        }
    }
}

// MARK: - Shapes of the formats

extension InstructionFormat {
    /// How many branch targets (`BlockCall`s) an instruction of this format has:
    /// exactly `count`, or at least `count` when `orMore`.
    var blockCallShape: (count: Int, orMore: Bool) {
        switch self {
        case .jump: return (1, false)
        case .brif: return (2, false)
        // The default target, then the table.
        case .branchTable: return (1, true)
        // The normal-return target, then one per handler.
        case .tryCall, .tryCallIndirect: return (1, true)
        case .unary, .unaryImm, .unaryIeee16, .unaryIeee32, .unaryIeee64, .unaryConst, .unaryGlobalValue,
             .binary, .binaryImm8, .ternary, .ternaryImm8, .multiAry, .nullAry, .shuffle, .intCompare,
             .floatCompare, .call, .callIndirect, .funcAddr, .atomicRmw, .atomicCas, .load, .loadNoOffset,
             .store, .storeNoOffset, .stackAddr, .dynamicStackAddr, .trap, .condTrap, .intAddTrap,
             .exceptionHandlerAddress:
            return (0, false)
        }
    }

    /// Whether instructions of this format carry memory flags.
    var hasMemoryFlags: Bool {
        switch self {
        case .atomicRmw, .atomicCas, .load, .loadNoOffset, .store, .storeNoOffset: return true
        case .unary, .unaryImm, .unaryIeee16, .unaryIeee32, .unaryIeee64, .unaryConst, .unaryGlobalValue,
             .binary, .binaryImm8, .ternary, .ternaryImm8, .multiAry, .nullAry, .shuffle, .intCompare,
             .floatCompare, .jump, .brif, .branchTable, .call, .callIndirect, .tryCall, .tryCallIndirect,
             .funcAddr, .stackAddr, .dynamicStackAddr, .trap, .condTrap, .intAddTrap, .exceptionHandlerAddress:
            return false
        }
    }

    /// Whether instructions of this format carry a byte offset.
    var hasOffset: Bool {
        switch self {
        case .load, .store, .stackAddr: return true
        case .unary, .unaryImm, .unaryIeee16, .unaryIeee32, .unaryIeee64, .unaryConst, .unaryGlobalValue,
             .binary, .binaryImm8, .ternary, .ternaryImm8, .multiAry, .nullAry, .shuffle, .intCompare,
             .floatCompare, .jump, .brif, .branchTable, .call, .callIndirect, .tryCall, .tryCallIndirect,
             .funcAddr, .atomicRmw, .atomicCas, .loadNoOffset, .storeNoOffset, .dynamicStackAddr, .trap,
             .condTrap, .intAddTrap, .exceptionHandlerAddress:
            return false
        }
    }
}

// MARK: - Calling-convention facts (Cranelift's `CallConv`)

extension CallConv {
    /// Only `tail` supports `return_call` (Cranelift's `supports_tail_calls`).
    var supportsTailCalls: Bool {
        switch self {
        case .tail: return true
        case .fast, .cold, .systemV, .windowsFastcall, .appleAarch64, .probestack, .winch, .preserveAll,
             .patchable:
            return false
        }
    }

    /// Whether a `try_call` may call a function of this convention (Cranelift's
    /// `supports_exceptions`).
    var supportsExceptions: Bool {
        switch self {
        case .tail, .systemV, .winch, .preserveAll, .appleAarch64: return true
        case .fast, .cold, .windowsFastcall, .probestack, .patchable: return false
        }
    }

    /// The number of exception payload values (`exn0`, `exn1`, …) a callee of this
    /// convention delivers to a handler; each is pointer-sized (Cranelift's
    /// `exception_payload_types`).
    var exceptionPayloadCount: Int {
        switch self {
        case .tail, .systemV, .preserveAll, .appleAarch64: return 2
        case .fast, .cold, .windowsFastcall, .probestack, .winch, .patchable: return 0
        }
    }
}
