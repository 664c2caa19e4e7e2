import EgretIR
import EgretRuntime

/// A guard-paged stack that compiled code runs on instead of the calling thread's:
/// every call of a `CompiledModule` switches rsp to the top of one
/// (`egret_guarded_call_on_stack`) and back afterwards, so compiled code always has
/// exactly the stack budget (`StackBudget.bytes`), whichever thread calls it, and a
/// program that overflows it faults in the guard page below, which the trap handler
/// reports as `stk_ovf` (`ThreadStackBounds.isGuardFault`; frames of a page or more
/// are probed, so even a huge frame faults there first).
///
///     top = low + size  +-----------------+
///                       | stack (grows v) |
///     low               +-----------------+
///                       | guard page      |  a fault here is `stk_ovf`
///
/// A module written for 32-bit pointers (Cranelift's `pulley32` run tests) takes
/// stack addresses as i32 values (`stack_addr.i32`). On x86-64 those are exact only if
/// the stack lies in the low 4 GiB, so its stack is mapped there (`.below4GiB`). The
/// backend computes an i32 address with a 32-bit `lea`, which wraps modulo 2^32 and
/// zero-extends, as a 32-bit address space does.
///
/// A class: it owns the mapping and unmaps it when released. One call at a time runs
/// on a stack.
public final class JITStack {
    /// Where the stack is mapped.
    public enum Placement: Sendable {
        /// Wherever the system puts it.
        case anywhere
        /// Below 4 GiB, for code whose pointers are 32 bits wide.
        case below4GiB
    }

    /// The lowest usable address.
    public let low: UnsafeMutableRawPointer
    /// The usable size in bytes (a whole number of pages).
    public let size: Int
    public let placement: Placement

    /// The default size: the stack budget every executor shares.
    public static let defaultSize = StackBudget.bytes

    /// Maps a stack of `size` bytes (rounded up to whole pages) with a guard page below.
    public init(size: Int = JITStack.defaultSize, placement: Placement = .anywhere) throws {
        let page = Int(egret_page_size())
        let rounded = (max(size, page) + page - 1) / page * page
        let mapped: UnsafeMutableRawPointer?
        switch placement {
        case .anywhere: mapped = egret_guarded_alloc(rounded, 0)
        case .below4GiB: mapped = egret_low_stack_alloc(rounded)
        }
        guard let low = mapped else {
            throw placement == .anywhere ? JITError.stackUnavailable(rounded) : JITError.lowStackUnavailable(rounded)
        }
        self.low = low
        self.size = rounded
        self.placement = placement
    }

    deinit {
        switch placement {
        case .anywhere: egret_guarded_free(low, size, 0)
        case .below4GiB: egret_low_stack_free(low, size)
        }
    }

    /// One past the highest usable address, 16-byte aligned: where rsp starts.
    public var top: UnsafeMutableRawPointer { low + size }

    /// The stack's bounds, to recognise a fault in its guard page as a stack overflow.
    public var bounds: ThreadStackBounds {
        let start = UInt(bitPattern: low)
        return ThreadStackBounds(low: start, high: start + UInt(size), guardSize: Int(egret_page_size()))
    }
}
