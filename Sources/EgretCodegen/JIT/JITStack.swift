import EgretRuntime

/// A stack for compiled code that the calling thread's own stack cannot serve: one
/// mapped below 4 GiB, for modules written for 32-bit pointers.
///
/// Such a module (Cranelift's `pulley32` run tests) takes stack addresses as i32
/// values (`stack_addr.i32`). On x86-64 those are exact only if the stack lies in the
/// low 4 GiB, so the code runs on this stack: the guarded call switches rsp to its top
/// for the call (`egret_guarded_call_on_stack`) and back afterwards. The backend
/// computes an i32 address with a 32-bit `lea`, which wraps modulo 2^32 and
/// zero-extends, as a 32-bit address space does.
///
///     top = low + size  +-----------------+
///                       | stack (grows v) |
///     low               +-----------------+
///                       | guard page      |  a fault here is `stk_ovf`
///
/// A class: it owns the mapping and unmaps it when released.
public final class JITStack {
    /// The lowest usable address.
    public let low: UnsafeMutableRawPointer
    /// The usable size in bytes (a whole number of pages).
    public let size: Int

    /// The default size: the 8 MiB a Linux thread gets.
    public static let defaultSize = 8 << 20

    /// Maps a stack of `size` bytes below 4 GiB.
    public init(size: Int = JITStack.defaultSize) throws {
        let page = Int(egret_page_size())
        let rounded = (max(size, page) + page - 1) / page * page
        guard let low = egret_low_stack_alloc(rounded) else { throw JITError.lowStackUnavailable(rounded) }
        self.low = low
        self.size = rounded
    }

    deinit { egret_low_stack_free(low, size) }

    /// One past the highest usable address, 16-byte aligned: where rsp starts.
    public var top: UnsafeMutableRawPointer { low + size }

    /// The stack's bounds, to recognise a fault in its guard page as a stack overflow.
    public var bounds: ThreadStackBounds {
        let start = UInt(bitPattern: low)
        return ThreadStackBounds(low: start, high: start + UInt(size), guardSize: Int(egret_page_size()))
    }
}
