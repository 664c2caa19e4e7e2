import EgretIR

/// What lowering learned that the frame layout, prologue and epilogue need: the
/// function's convention, its CLIF stack slots, the size of the outgoing-argument area
/// its calls use, and how its own arguments arrive and leave.
///
///     .incomingArguments + 0 …          incomingArgumentsSize bytes, the caller's
///                                       (shadow space first on Windows); a `tail`
///                                       function pops them itself: `ret $calleePopSize`
///     return address, saved rbp, callee-saved registers, stack slots, spill slots
///     .outgoingArguments + 0 …          outgoingArgumentsSize bytes at rsp: for every
///                                       call, its shadow space, stack arguments and
///                                       return area (the largest over all calls)
///
/// Every `.frame` address in the lowered VCode stays within these areas:
/// `.stackSlot(n)` within slot n's size, `.outgoingArguments` below
/// `outgoingArgumentsSize`, `.incomingArguments` below `incomingArgumentsSize`.
public struct FrameRequirements: Hashable, Sendable {
    /// One CLIF stack slot.
    public struct StackSlot: Hashable, Sendable {
        public var size: Int
        /// A power of two, at least 1.
        public var alignment: Int
    }

    /// The convention the function is entered with (after any override).
    public var convention: CallingConvention
    /// The CLIF stack slots by index (`ss0` first).
    public var stackSlots: [StackSlot]
    /// The largest outgoing-argument area any call needs (0 without calls); a
    /// multiple of 16 that includes Windows shadow space.
    public var outgoingArgumentsSize: Int
    /// Bytes of stack arguments the caller passed (shadow space included).
    public var incomingArgumentsSize: Int
    /// Bytes the epilogue pops with `ret $n` (the incoming stack arguments of a `tail`
    /// function; 0 otherwise).
    public var calleePopSize: Int
    /// Whether the function makes calls (so it is not a leaf).
    public var makesCalls: Bool
    /// Whether the function ends in a tail call somewhere (`returnCallKnown` /
    /// `returnCallUnknown`), whose stack arguments sit at the bottom of the outgoing
    /// area until the tail-call sequence moves them.
    public var makesTailCalls: Bool
    /// Registers this function must preserve for its caller that a call it makes may
    /// destroy: the callee's caller-saved set minus this convention's. A
    /// windows_fastcall function calling a system_v one loses rsi, rdi and
    /// xmm6–xmm15 that way, so the prologue must save them even when the allocator
    /// never writes them (the allocator sees them as call clobbers, not as defs).
    public var calleeSavedClobberedByCalls: PRegSet

    public init(convention: CallingConvention, stackSlots: [StackSlot] = [], outgoingArgumentsSize: Int = 0,
                incomingArgumentsSize: Int = 0, calleePopSize: Int = 0, makesCalls: Bool = false,
                makesTailCalls: Bool = false, calleeSavedClobberedByCalls: PRegSet = PRegSet()) {
        self.convention = convention
        self.stackSlots = stackSlots
        self.outgoingArgumentsSize = outgoingArgumentsSize
        self.incomingArgumentsSize = incomingArgumentsSize
        self.calleePopSize = calleePopSize
        self.makesCalls = makesCalls
        self.makesTailCalls = makesTailCalls
        self.calleeSavedClobberedByCalls = calleeSavedClobberedByCalls
    }

    /// The slots as the CLIF function declares them, for `X64Frame`.
    public var stackSlotData: [StackSlotData] {
        stackSlots.map {
            StackSlotData(size: UInt32($0.size), alignmentLog2: UInt8($0.alignment.trailingZeroBitCount),
                          hasExplicitAlignment: true)
        }
    }
}
