import EgretIR

/// Stack slot accesses: every load and store width, little- and big-endian, at
/// in-bounds offsets split between `stack_addr` and the access itself.
///
/// Out-of-bounds stack accesses are not generated: CLIF gives them no meaning (compiled
/// code reads or overwrites the frame, the interpreter traps), so they cannot be
/// compared. Slots are zero-initialised in the entry block for the same reason: an
/// unwritten slot holds whatever the frame held before.
extension FunctionEmitter {
    mutating func initialiseStackSlots(_ source: inout Source) {
        guard !slotSizes.isEmpty else { return }
        let zero = constant(.i64, 0)
        for (slot, size) in slotSizes.enumerated() {
            let address = fresh()
            line("v\(address) = stack_addr.i64 ss\(slot)")
            var offset = 0
            while offset < size {
                line("store v\(zero), v\(address)+\(offset)")
                offset += 8
            }
        }
    }

    /// The access width in bytes of a memory opcode for a value type.
    static func accessBytes(_ opcode: Opcode, _ type: IRType) -> Int {
        GeneratorVocabulary.narrowAccessBytes[opcode] ?? type.bytes
    }

    /// The memory opcodes allowed for `type` (by the table's controlling types and
    /// `--ops`).
    func memoryOpcodes(for type: IRType) -> [Opcode] {
        OpcodeSignatures.memoryOpcodes.filter { opcode in
            (configuration.onlyOpcodes.isEmpty || configuration.onlyOpcodes.contains(opcode))
                && (opcode.info.controllingTypes?.contains(type) ?? false)
        }
    }

    mutating func emitMemoryAccess(_ source: inout Source) {
        let type = source.pick(configuration.supportedTypes)
        let opcodes = memoryOpcodes(for: type)
        guard !opcodes.isEmpty else {
            _ = constant(type, &source)
            return
        }
        let opcode = source.pick(opcodes)
        let bytes = Self.accessBytes(opcode, type)
        let slot = source.below(slotSizes.count)
        let size = slotSizes[slot]
        guard size >= bytes else { return }
        let total = source.inRange(0 ... size - bytes)
        let addressOffset = source.inRange(0 ... total)
        let accessOffset = total - addressOffset
        let address = fresh()
        line("v\(address) = stack_addr.i64 ss\(slot)" + (addressOffset == 0 ? "" : "+\(addressOffset)"))
        let flags = source.chance(configuration.bigEndianPercent) ? " big" : ""
        let place = "v\(address)" + (accessOffset == 0 ? "" : "+\(accessOffset)")
        if opcode.info.canStore {
            let value = use(type, &source)
            line("\(opcode.name)\(flags) v\(value), \(place)")
        } else {
            let result = fresh()
            line("v\(result) = \(opcode.name).\(type)\(flags) \(place)")
            available.append((result, type))
        }
        coverage.append("\(opcode.name).\(type)")
        coverage.append("stack_addr.i64")
    }
}
