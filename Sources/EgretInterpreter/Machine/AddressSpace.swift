import EgretIR

/// Where things live in the interpreter's 64-bit virtual address space. Addresses are
/// plain integers that programs can compute with, store and compare, as with real
/// pointers; each region starts at its own base so that a pointer into one region
/// never accidentally reaches another, and small or truncated addresses fault.
///
///     0x0000_0000_0000_0000 ┬ unmapped: null and small addresses fault
///     0x0000_1000_0000_0000 ┼ function i at base + 16·i (`func_addr`); call only
///     0x0000_2000_0000_0000 ┼ the heap buffer (`Interpreter.heap`), heap[0] first
///     0x0000_7ff0_0000_0000 ┼ stack slots of the live frames, callers first
///                           ┴ everything else is unmapped
///
/// Programs for 32-bit targets (`stack_addr.i32`, loads through an i32 address, as in
/// Cranelift's pulley32 run tests) see the same regions through a 32-bit window, with
/// 32-bit wrapping address arithmetic:
///
///     0x1000_0000 functions · 0x4000_0000 heap (first 2 GiB) · 0xC000_0000 stack
///
/// The two views are separate: a 64-bit pointer truncated to 32 bits, or a 32-bit
/// pointer zero-extended to 64, points nowhere.
///
/// A load or store must lie entirely inside the heap or inside one live stack slot;
/// anything else — the padding between slots, a slot of a frame that has returned, a
/// function address — traps with the access's trap code (`heap_oob` by default). The
/// `aligned` flag is a promise the interpreter does not check (x86-64 performs
/// misaligned accesses).
public enum AddressMap {
    public static let functionBase: UInt64 = 0x0000_1000_0000_0000
    public static let functionStride: UInt64 = 16
    public static let heapBase: UInt64 = 0x0000_2000_0000_0000
    public static let stackBase: UInt64 = 0x0000_7FF0_0000_0000

    /// The bases of the 32-bit view.
    public static let functionBase32: UInt64 = 0x1000_0000
    public static let heapBase32: UInt64 = 0x4000_0000
    public static let stackBase32: UInt64 = 0xC000_0000

    /// The address `func_addr` gives function `index` (of the module, then the float
    /// libcalls) as a pointer of `bits` bits.
    public static func functionAddress(_ index: Int, bits: Int = 64) -> UInt64 {
        (bits == 32 ? functionBase32 : functionBase) &+ UInt64(index) &* functionStride
    }

    /// The 64-bit address of the byte a 32-bit address names (an unmapped address if it
    /// names none).
    @inline(__always) public static func widen(address32 address: UInt64) -> UInt64 {
        let address = address & 0xFFFF_FFFF
        if address >= stackBase32 { return address &- stackBase32 &+ stackBase }
        if address >= heapBase32 { return address &- heapBase32 &+ heapBase }
        if address >= functionBase32 { return address &- functionBase32 &+ functionBase }
        return address
    }
}

/// A stack slot of a live frame: bytes `start ..< end` of the stack memory.
struct LiveSlot {
    var start: Int
    var end: Int
}

/// The memory a call runs with: the caller's heap buffer and the stack memory holding
/// the slots of live frames, with the checks that turn bad addresses into traps.
///
/// The stack memory is owned by a `Machine` and lent for one call; it may move when it
/// grows (addresses are virtual, so programs never see that).
struct AddressSpace {
    var heap: UnsafeMutableRawPointer?
    var heapSize: Int
    var stack: UnsafeMutableRawPointer
    var stackCapacity: Int
    /// Bytes of stack memory in use by live frames.
    var stackTop = 0
    /// The live slots in address order (frames push theirs in increasing order).
    var liveSlots: [LiveSlot] = []

    init(heap: UnsafeMutableRawBufferPointer, stack: UnsafeMutableRawPointer, stackCapacity: Int) {
        self.heap = heap.baseAddress
        heapSize = heap.count
        self.stack = stack
        self.stackCapacity = stackCapacity
        liveSlots.reserveCapacity(64)
    }

    // MARK: Resolving addresses

    /// The host bytes of an access of `count` bytes at `address`, or nil if the access
    /// is not entirely inside the heap or one live stack slot.
    @inline(__always) func bytes(at address: UInt64, count: Int) -> UnsafeMutableRawPointer? {
        let heapOffset = address &- AddressMap.heapBase
        if heapOffset < UInt64(heapSize) {
            guard UInt64(count) <= UInt64(heapSize) &- heapOffset, let heap else { return nil }
            return heap + Int(heapOffset)
        }
        let stackOffset = address &- AddressMap.stackBase
        if stackOffset < UInt64(stackTop) {
            return stackBytes(offset: Int(stackOffset), count: count)
        }
        return nil
    }

    /// Finds the live slot holding `offset` (the last one starting at or before it).
    private func stackBytes(offset: Int, count: Int) -> UnsafeMutableRawPointer? {
        var low = 0, high = liveSlots.count
        while low < high {
            let middle = (low + high) / 2
            if liveSlots[middle].start <= offset { low = middle + 1 } else { high = middle }
        }
        guard low > 0, offset + count <= liveSlots[low - 1].end else { return nil }
        return stack + offset
    }

    // MARK: Frames

    /// Allocates and zeroes a frame's stack area and makes its slots live; returns the
    /// area's offset, or nil if the stack memory would pass `limit` bytes (the stack
    /// budget, which the frames' costs are charged against first; this keeps the
    /// memory bounded whatever the slots' alignment padding adds).
    mutating func pushFrame(_ layout: FrameLayout, slots: UnsafeMutablePointer<StackSlotLayout>, limit: Int) -> Int? {
        // Most functions have no stack slots; their frames need no stack memory.
        if layout.stackSlotCount == 0 { return stackTop }
        let alignment = layout.stackAreaAlignment
        let start = (stackTop + alignment - 1) & ~(alignment - 1)
        guard start <= limit, layout.stackAreaSize <= limit - start else { return nil }
        let end = start + layout.stackAreaSize
        if end > stackCapacity { growStack(toAtLeast: end) }
        (stack + start).initializeMemory(as: UInt8.self, repeating: 0, count: end - start)
        let first = Int(layout.stackSlotStart)
        for index in first ..< first + Int(layout.stackSlotCount) {
            let slot = slots[index]
            liveSlots.append(LiveSlot(start: start + slot.offset, end: start + slot.offset + slot.size))
        }
        stackTop = end
        return start
    }

    /// Releases the frames above a mark taken before they were pushed.
    mutating func popFrames(toStackTop top: Int, liveSlotCount: Int) {
        stackTop = top
        liveSlots.removeSubrange(liveSlotCount...)
    }

    private mutating func growStack(toAtLeast size: Int) {
        let capacity = max(size, stackCapacity * 2)
        let grown = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        grown.copyMemory(from: stack, byteCount: stackTop)
        stack.deallocate()
        stack = grown
        stackCapacity = capacity
    }

    // MARK: Reading and writing values

    /// Reads `bits` bits (8 … 128) at `pointer`, little-endian unless `bigEndian`.
    @inline(__always) static func read(_ pointer: UnsafeMutableRawPointer, bits: UInt8, bigEndian: Bool) -> Register {
        switch bits {
        case 8:
            return Register(low: UInt64(pointer.load(as: UInt8.self)))
        case 16:
            let raw = pointer.loadUnaligned(as: UInt16.self)
            return Register(low: UInt64(bigEndian ? UInt16(bigEndian: raw) : UInt16(littleEndian: raw)))
        case 32:
            let raw = pointer.loadUnaligned(as: UInt32.self)
            return Register(low: UInt64(bigEndian ? UInt32(bigEndian: raw) : UInt32(littleEndian: raw)))
        case 64:
            let raw = pointer.loadUnaligned(as: UInt64.self)
            return Register(low: bigEndian ? UInt64(bigEndian: raw) : UInt64(littleEndian: raw))
        default:
            let first = pointer.loadUnaligned(as: UInt64.self)
            let second = pointer.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
            if bigEndian { return Register(low: UInt64(bigEndian: second), high: UInt64(bigEndian: first)) }
            return Register(low: UInt64(littleEndian: first), high: UInt64(littleEndian: second))
        }
    }

    /// Writes the low `bits` bits (8 … 128) of `value` at `pointer`.
    @inline(__always) static func write(_ value: Register, to pointer: UnsafeMutableRawPointer, bits: UInt8,
                                        bigEndian: Bool) {
        switch bits {
        case 8:
            pointer.storeBytes(of: UInt8(truncatingIfNeeded: value.low), as: UInt8.self)
        case 16:
            let raw = UInt16(truncatingIfNeeded: value.low)
            pointer.storeBytes(of: bigEndian ? raw.bigEndian : raw.littleEndian, as: UInt16.self)
        case 32:
            let raw = UInt32(truncatingIfNeeded: value.low)
            pointer.storeBytes(of: bigEndian ? raw.bigEndian : raw.littleEndian, as: UInt32.self)
        case 64:
            pointer.storeBytes(of: bigEndian ? value.low.bigEndian : value.low.littleEndian, as: UInt64.self)
        default:
            if bigEndian {
                pointer.storeBytes(of: value.high.bigEndian, as: UInt64.self)
                pointer.storeBytes(of: value.low.bigEndian, toByteOffset: 8, as: UInt64.self)
            } else {
                pointer.storeBytes(of: value.low.littleEndian, as: UInt64.self)
                pointer.storeBytes(of: value.high.littleEndian, toByteOffset: 8, as: UInt64.self)
            }
        }
    }
}
