import EgretIR

/// Atomic operations and fences, against stack slots.
///
/// Every access is naturally aligned: at an offset of the slot that is a multiple of
/// its size, in a slot whose alignment is at least that size (slots of 16 bytes or
/// more are declared `align = 16`). An i128 compare-and-swap (`lock cmpxchg16b`)
/// faults on any other address, and CLIF gives a misaligned atomic no meaning, so
/// none is generated. Values are integers: atomics on i8 … i128, in either byte order.
extension FunctionEmitter {
    /// Read-modify-write operations of `atomic_rmw`.
    static var atomicOperations: [String] {
        ["add", "sub", "and", "nand", "or", "xor", "xchg", "umin", "umax", "smin", "smax"]
    }

    mutating func emitAtomic(_ source: inout Source) {
        // Load, store, read-modify-write, compare-and-swap, fence: read-modify-write
        // has the most rules; a fence has nothing to compare and is rare.
        let kind = source.weighted([2, 2, 4, 2, 1])
        if kind == 4 {
            line("fence")
            coverage.append("fence")
            return
        }
        let types = configuration.supportedTypes.filter(\.isInt)
        guard !types.isEmpty else { return }
        let type = source.pick(types)
        let slots = slotSizes.indices.filter { slotSizes[$0] >= type.bytes }
        guard !slots.isEmpty else { return }
        let slot = source.pick(slots)
        let offset = type.bytes * source.below(slotSizes[slot] / type.bytes)
        let address = fresh()
        line("v\(address) = stack_addr.i64 ss\(slot)" + (offset == 0 ? "" : "+\(offset)"))
        coverage.append("stack_addr.i64")
        let flags = source.chance(configuration.bigEndianPercent) ? " big" : ""
        switch kind {
        case 0:
            let result = fresh()
            line("v\(result) = atomic_load.\(type)\(flags) v\(address)")
            available.append((result, type))
            coverage.append("atomic_load.\(type)")
        case 1:
            line("atomic_store.\(type)\(flags) v\(use(type, &source)), v\(address)")
            coverage.append("atomic_store.\(type)")
        case 2:
            let operation = source.pick(Self.atomicOperations)
            let result = fresh()
            line("v\(result) = atomic_rmw.\(type)\(flags) \(operation) v\(address), v\(use(type, &source))")
            available.append((result, type))
            coverage.append("atomic_rmw.\(type)")
            shapes.append("atomic: \(operation)")
        default:
            // The expected value is often what the slot holds, so the exchange happens.
            let expected: Int
            if source.chance(50) {
                expected = fresh()
                line("v\(expected) = atomic_load.\(type)\(flags) v\(address)")
                coverage.append("atomic_load.\(type)")
            } else {
                expected = use(type, &source)
            }
            let result = fresh()
            line("v\(result) = atomic_cas.\(type)\(flags) v\(address), v\(expected), v\(use(type, &source))")
            available.append((result, type))
            coverage.append("atomic_cas.\(type)")
        }
    }
}
