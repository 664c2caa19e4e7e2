/// The opcode table: one row per CLIF opcode (name, format, type constraints,
/// properties, tier, summary), in `Opcode` order. Semantics follow Cranelift's
/// instruction definitions; `OpcodeTableTests` checks that every opcode has exactly one
/// row and that the rows agree with their formats.
///
/// The rows are split by concern over `OpcodeTable+*.swift`.
public enum OpcodeTable {
    public static let rows: [OpcodeInfo] = {
        var builder = RowBuilder()
        addControlFlow(&builder)
        addIntegerArithmetic(&builder)
        addBitwise(&builder)
        addMemory(&builder)
        addConversions(&builder)
        addFloat(&builder)
        addVector(&builder)
        addMisc(&builder)
        return builder.finish()
    }()

    public static let byName: [String: Opcode] = {
        var names: [String: Opcode] = [:]
        for opcode in Opcode.allCases { names[rows[Int(opcode.rawValue)].name] = opcode }
        return names
    }()

    /// Each opcode's controlling type set as a bit set over `IRType.raw` (512 bits,
    /// eight words per opcode, well-formed types only), so that checking a controlling
    /// type in the parser's and the verifier's per-instruction loops is one bit test.
    public static let controllingTypeBits: [UInt64] = {
        var bits = [UInt64](repeating: 0, count: 8 * Opcode.allCases.count)
        for (index, info) in rows.enumerated() {
            guard let set = info.controllingTypes else { continue }
            for raw in 0 ..< 512 {
                let type = IRType(raw: UInt16(raw))
                if type.isWellFormed && set.contains(type) { bits[8 * index + raw >> 6] |= 1 << UInt64(raw & 63) }
            }
        }
        return bits
    }()

    /// The result constraints of every opcode, concatenated in `Opcode` order; opcode
    /// `k`'s are `flatResults[firstResult[k] ..< firstResult[k + 1]]`. The parser's and
    /// the verifier's compact per-opcode views index into this one array.
    public static let flatResults: [OperandType] = rows.flatMap(\.results)
    /// Where each opcode's results start in `flatResults`, plus one final end index.
    public static let firstResult: [UInt16] = firstIndices(rows.map(\.results.count))
    /// The operand constraints of every opcode, concatenated like `flatResults`.
    public static let flatOperands: [OperandType] = rows.flatMap(\.operands)
    /// Where each opcode's operands start in `flatOperands`, plus one final end index.
    public static let firstOperand: [UInt16] = firstIndices(rows.map(\.operands.count))

    /// Each opcode's properties, by raw value: what hot loops ask of an opcode without
    /// copying its whole row (a row holds arrays and strings; a copy retains each).
    public static let flatProperties: [OpcodeProperties] = rows.map(\.properties)
    /// Each opcode's typevar operand (-1: none), by raw value.
    public static let flatTypevarOperands: [Int8] = rows.map { Int8($0.typevarOperand ?? -1) }
    /// Whether each opcode is polymorphic (has a controlling type set), by raw value.
    public static let flatPolymorphic: [Bool] = rows.map(\.isPolymorphic)
    /// Whether each opcode takes variable arguments, by raw value.
    public static let flatVariableArguments: [Bool] = rows.map(\.hasVariableArguments)

    private static func firstIndices(_ counts: [Int]) -> [UInt16] {
        var starts: [UInt16] = [0]
        starts.reserveCapacity(counts.count + 1)
        for count in counts { starts.append(starts[starts.count - 1] + UInt16(count)) }
        return starts
    }

    /// Whether `type` is in `opcode`'s controlling type set, read from `bits` (a copy
    /// of `controllingTypeBits` the caller keeps at hand in its hot loop).
    @inline(__always)
    public static func accepts(_ bits: [UInt64], _ opcode: Opcode, controlling type: IRType) -> Bool {
        let raw = Int(type.raw)
        guard raw < 512 else { return false }
        return bits[8 * Int(opcode.rawValue) + raw >> 6] & (1 << UInt64(raw & 63)) != 0
    }

    /// The opcodes of tier 1 (integers i8–i64, control flow, stack memory).
    public static var tier1: [Opcode] { Opcode.allCases.filter { $0.info.tier == 1 } }
}

/// Collects rows; each `OpcodeTable+*.swift` file adds its group.
struct RowBuilder {
    private var table = [OpcodeInfo?](repeating: nil, count: Opcode.allCases.count)

    mutating func add(_ opcode: Opcode, _ format: InstructionFormat, _ controlling: TypeSet?, typevar: Int?,
                      _ operands: [OperandType], _ results: [OperandType], varargs: Bool = false,
                      _ properties: OpcodeProperties = [], tier: Int, access: MemoryAccess? = nil,
                      _ summary: String) {
        table[Int(opcode.rawValue)] = OpcodeInfo(
            name: String(describing: opcode), format: format, controllingTypes: controlling,
            typevarOperand: typevar, operands: operands, results: results, hasVariableArguments: varargs,
            properties: properties, tier: tier, summary: summary, access: access)
    }

    func finish() -> [OpcodeInfo] {
        table.enumerated().map { index, row in
            guard let row else {
                // The table is static data: a missing row is a bug in the table files,
                // caught by OpcodeTableTests before any user can see it.
                preconditionFailure("opcode table has no row for \(Opcode.allCases[index])")
            }
            return row
        }
    }
}

extension OpcodeTable {
    /// Shorthands for the row files: the controlling type, and the `i8` of flags.
    static let T = OperandType.controlling
    static let flag = OperandType.fixed(.i8)
}
