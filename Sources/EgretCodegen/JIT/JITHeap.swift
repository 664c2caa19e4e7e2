import EgretIR
import EgretRuntime
import Foundation

/// The heap buffer compiled code receives for a run directive's `heap` argument
/// (`HeapImage`), placed so that out-of-bounds accesses fault as they trap on the
/// interpreter.
///
///     +------------------+
///     | guard pages      |  HeapImage.guardBytes, no access
///     +------------------+  <- end of the buffer (a page boundary)
///     | buffer           |  `size` bytes
///     +------------------+  <- start (a page boundary only for whole pages)
///
/// A load or store that faults in a guard page carries its trap code in the module's
/// trap table (`heap_oob` unless the access names another), so the guarded call
/// returns that code, exactly as the interpreter traps. A class: it owns the mapping.
public final class JITHeap {
    /// The buffer's first byte.
    public let base: UnsafeMutableRawPointer
    public let size: Int

    /// Maps a buffer of `size` bytes (1 … `HeapImage.maximumSize`).
    public init(size: Int) throws {
        precondition(size >= 1 && size <= HeapImage.maximumSize, "heap size out of range")
        guard let base = egret_guarded_alloc(size, HeapImage.guardBytes) else {
            throw JITError.heapUnavailable(size)
        }
        self.base = base
        self.size = size
    }

    deinit { egret_guarded_free(base, size, HeapImage.guardBytes) }

    /// The address compiled code gets for `heap`.
    public var address: UInt64 { UInt64(UInt(bitPattern: base)) }

    /// Sets the contents (`size` bytes) before a call.
    public func load(_ bytes: [UInt8]) {
        precondition(bytes.count == size, "heap image of the wrong size")
        bytes.withUnsafeBytes { base.copyMemory(from: $0.baseAddress!, byteCount: size) }
    }

    /// The contents after a call.
    public var contents: [UInt8] {
        [UInt8](UnsafeRawBufferPointer(start: base, count: size))
    }
}

/// Heap buffers kept for reuse, by size: mapping and unmapping one (three system calls
/// and its page faults) for every case would cost a fuzzing worker a few percent of its
/// time. `take` hands out a buffer no one else holds; `give` returns it. Thread-safe.
public final class JITHeapPool {
    private var free: [Int: [JITHeap]] = [:]
    private let lock = NSLock()
    /// Buffers kept at most (generated heaps come in a hundred or so sizes).
    private let limit: Int
    private var kept = 0

    public init(limit: Int = 256) {
        self.limit = limit
    }

    /// A buffer of `size` bytes, reused when one is free.
    public func take(size: Int) throws -> JITHeap {
        lock.lock()
        if let heap = free[size]?.popLast() {
            kept -= 1
            lock.unlock()
            return heap
        }
        lock.unlock()
        return try JITHeap(size: size)
    }

    /// Returns a buffer from `take` for reuse (released if the pool is full).
    public func give(_ heap: JITHeap) {
        lock.lock()
        defer { lock.unlock() }
        guard kept < limit else { return }
        free[heap.size, default: []].append(heap)
        kept += 1
    }
}
