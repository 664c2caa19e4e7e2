/// What the parser needs of each opcode's table row, flattened into plain values.
///
/// An `OpcodeInfo` carries strings and arrays, so reading `opcode.info` copies it with
/// a dozen reference-count operations; the parser reads these facts for every
/// instruction, so it takes them from this derived table instead, whose rows are
/// trivially copyable. The facts are computed from `OpcodeTable.rows` (the one source
/// of truth) when first used.
struct OpcodeFacts {
    var format: InstructionFormat
    /// The operand whose type is the controlling type; -1 when none.
    var typevarOperand: Int8
    var isPolymorphic: Bool
    var requiresTypeSuffix: Bool
    /// The controlling types (meaningful when `isPolymorphic`).
    var controllingTypes: TypeSet
    var resultCount: UInt8
    /// Where this opcode's result constraints start in `OpcodeTable.flatResults`.
    var firstResult: UInt16

    /// One row per opcode, in `Opcode` order.
    static let rows: [OpcodeFacts] = {
        var rows: [OpcodeFacts] = []
        rows.reserveCapacity(Opcode.allCases.count)
        for (index, info) in OpcodeTable.rows.enumerated() {
            rows.append(OpcodeFacts(
                format: info.format, typevarOperand: Int8(info.typevarOperand ?? -1),
                isPolymorphic: info.isPolymorphic, requiresTypeSuffix: info.requiresTypeSuffix,
                controllingTypes: info.controllingTypes ?? TypeSet(), resultCount: UInt8(info.results.count),
                firstResult: OpcodeTable.firstResult[index]))
        }
        return rows
    }()
}
