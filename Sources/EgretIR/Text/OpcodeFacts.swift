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
    /// Where this opcode's result constraints start in `OpcodeFacts.resultTypes`.
    var firstResult: UInt16

    /// One row per opcode, in `Opcode` order.
    static let rows: [OpcodeFacts] = {
        var rows: [OpcodeFacts] = []
        rows.reserveCapacity(Opcode.allCases.count)
        var firstResult = 0
        for info in OpcodeTable.rows {
            rows.append(OpcodeFacts(
                format: info.format, typevarOperand: Int8(info.typevarOperand ?? -1),
                isPolymorphic: info.isPolymorphic, requiresTypeSuffix: info.requiresTypeSuffix,
                controllingTypes: info.controllingTypes ?? TypeSet(), resultCount: UInt8(info.results.count),
                firstResult: UInt16(firstResult)))
            firstResult += info.results.count
        }
        return rows
    }()

    /// The result constraints of every opcode, concatenated in `Opcode` order.
    static let resultTypes: [OperandType] = OpcodeTable.rows.flatMap(\.results)

    /// For each opcode, the controlling types it accepts as a bitset over the 512
    /// possible `IRType` raw values (lane kind, lane count, dynamic bit): eight words
    /// per opcode, so checking an inferred type is one bit test instead of a
    /// `TypeSet.contains` call.
    static let acceptedTypeBits: [UInt64] = {
        var bits = [UInt64](repeating: 0, count: 8 * Opcode.allCases.count)
        for (index, info) in OpcodeTable.rows.enumerated() {
            guard let set = info.controllingTypes else { continue }
            for raw in 0 ..< 512 where set.contains(IRType(raw: UInt16(raw))) {
                bits[8 * index + raw >> 6] |= 1 << UInt64(raw & 63)
            }
        }
        return bits
    }()

    /// Whether `type` is an accepted controlling type of the opcode with raw value
    /// `opcodeIndex`, read from `acceptedTypeBits`.
    @inline(__always)
    static func accepts(_ bits: [UInt64], opcodeIndex: Int, _ type: IRType) -> Bool {
        let raw = Int(type.raw)
        guard raw < 512 else { return false }
        return bits[8 * opcodeIndex + raw >> 6] & (1 << UInt64(raw & 63)) != 0
    }
}
