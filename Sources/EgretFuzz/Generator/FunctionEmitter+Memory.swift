import EgretIR

/// Stack slot and heap accesses: every load and store width, little- and big-endian.
///
/// Stack accesses are at in-bounds constant offsets split between `stack_addr` and the
/// access itself, or at an index computed from a value and checked against the slot
/// first (`trapnz heap_oob` when it is out of bounds). An unchecked out-of-bounds
/// stack access is never generated: CLIF gives it no meaning (compiled code reads or
/// overwrites the frame, the interpreter traps), so it cannot be compared. Slots are
/// zero-initialised in the entry block for the same reason: an unwritten slot holds
/// whatever the frame held before.
///
/// Heap accesses go through the heap parameter at a constant offset (occasionally
/// past the end) or at a masked index: an access reaching past the end faults in the
/// compiled code's guard pages and traps on the interpreter, with the access's trap
/// code. Offsets never reach before the heap's start (only whole-page heaps have a
/// guard page there, JITHeap) nor farther past its end than the guard pages.
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
        (opcode.info.access ?? .wholeValue).bytes(at: type)
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
        let address = fresh()
        let place: String
        if source.chance(configuration.dynamicIndexPercent) {
            line("v\(address) = stack_addr.i64 ss\(slot)")
            let index = maskedIndex(atMost: size - bytes, &source)
            let limit = constant(.i64, Int64(size - bytes))
            let outside = fresh()
            line("v\(outside) = icmp ugt v\(index), v\(limit)")
            line("trapnz v\(outside), heap_oob")
            let indexed = fresh()
            line("v\(indexed) = iadd v\(address), v\(index)")
            place = "v\(indexed)"
            coverage.append("trapnz.i8")
        } else {
            let total = source.inRange(0 ... size - bytes)
            let addressOffset = source.inRange(0 ... total)
            let accessOffset = total - addressOffset
            line("v\(address) = stack_addr.i64 ss\(slot)" + (addressOffset == 0 ? "" : "+\(addressOffset)"))
            place = "v\(address)" + (accessOffset == 0 ? "" : "+\(accessOffset)")
        }
        emitAccess(opcode, type, at: place, flags: source.chance(configuration.bigEndianPercent) ? " big" : "",
                   &source)
        coverage.append("stack_addr.i64")
    }

    /// A load or store of `type` at `place` (an address operand with its offset).
    mutating func emitAccess(_ opcode: Opcode, _ type: IRType, at place: String, flags: String,
                             _ source: inout Source) {
        if opcode.info.canStore {
            var value = use(type, &source)
            if type.isFloat { value = canonicalNaN(value, type) }
            line("\(opcode.name)\(flags) v\(value), \(place)")
        } else {
            let result = fresh()
            line("v\(result) = \(opcode.name).\(type)\(flags) \(place)")
            available.append((result, type))
        }
        coverage.append("\(opcode.name).\(type)")
    }

    /// `value`, or the canonical NaN when it is a NaN: memory (reloaded as an integer,
    /// or the heap compared byte for byte) would expose the sign and payload of a NaN
    /// that arithmetic produced, which CLIF leaves unspecified (floatBitExclusions).
    mutating func canonicalNaN(_ value: Int, _ type: IRType) -> Int {
        let isNaN = fresh()
        line("v\(isNaN) = fcmp uno v\(value), v\(value)")
        let canonical = fresh()
        line("v\(canonical) = \(type == .f32 ? "f32const" : "f64const") +NaN")
        let chosen = fresh()
        line("v\(chosen) = select v\(isNaN), v\(canonical), v\(value)")
        used.insert(chosen)
        return chosen
    }

    /// An i64 index from an integer value, masked to `0 ..< 2^k` with 2^k the smallest
    /// power of two above `limit`: mostly at most `limit` (in bounds), sometimes not.
    mutating func maskedIndex(atMost limit: Int, _ source: inout Source) -> Int {
        let type = source.pick(configuration.supportedTypes.filter { $0.isInt && $0.bits <= 64 })
        var index = use(type, &source)
        if type != .i64 {
            let wide = fresh()
            line("v\(wide) = uextend.i64 v\(index)")
            index = wide
            coverage.append("uextend.i64")
        }
        var mask = 1
        while mask <= limit { mask <<= 1 }
        let maskValue = constant(.i64, Int64(mask - 1))
        let masked = fresh()
        line("v\(masked) = band v\(index), v\(maskValue)")
        return masked
    }

    /// A load or store through the heap parameter.
    mutating func emitHeapAccess(_ source: inout Source) {
        guard let heapPointer else { return }
        let type = source.pick(configuration.supportedTypes)
        let opcodes = memoryOpcodes(for: type)
        guard !opcodes.isEmpty else { return }
        let opcode = source.pick(opcodes)
        let bytes = Self.accessBytes(opcode, type)
        let size = plan.heapSize
        let place: String
        if source.chance(configuration.dynamicIndexPercent) {
            let index = maskedIndex(atMost: max(0, size - bytes), &source)
            let address = fresh()
            line("v\(address) = iadd v\(heapPointer), v\(index)")
            place = "v\(address)"
        } else {
            let offset: Int
            if size < bytes || source.chance(configuration.heapOutOfBoundsPercent) {
                // Past the end by 1 … 64 bytes (or straddling it): inside the guard pages.
                offset = source.inRange(max(0, size - bytes + 1) ... size + 64)
            } else {
                offset = source.inRange(0 ... size - bytes)
            }
            if source.chance(50) {
                place = "v\(heapPointer)" + (offset == 0 ? "" : "+\(offset)")
            } else {
                let address = fresh()
                let distance = constant(.i64, Int64(offset))
                line("v\(address) = iadd v\(heapPointer), v\(distance)")
                place = "v\(address)"
            }
        }
        var flags = source.chance(configuration.bigEndianPercent) ? " big" : ""
        if source.chance(configuration.accessTrapCodePercent) {
            flags += " " + source.pick(GeneratorVocabulary.userTrapCodes)
        }
        emitAccess(opcode, type, at: place, flags: flags, &source)
    }
}
