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

    /// The opcodes of tier 1 (integers i8–i64, control flow, stack memory).
    public static var tier1: [Opcode] { Opcode.allCases.filter { $0.info.tier == 1 } }
}

/// Collects rows; each `OpcodeTable+*.swift` file adds its group.
struct RowBuilder {
    private var table = [OpcodeInfo?](repeating: nil, count: Opcode.allCases.count)

    mutating func add(_ opcode: Opcode, _ format: InstructionFormat, _ controlling: TypeSet?, typevar: Int?,
                      _ operands: [OperandType], _ results: [OperandType], varargs: Bool = false,
                      _ properties: OpcodeProperties = [], tier: Int, _ summary: String) {
        table[Int(opcode.rawValue)] = OpcodeInfo(
            name: String(describing: opcode), format: format, controllingTypes: controlling,
            typevarOperand: typevar, operands: operands, results: results, hasVariableArguments: varargs,
            properties: properties, tier: tier, summary: summary)
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
