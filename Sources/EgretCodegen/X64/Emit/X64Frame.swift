import EgretIR

/// The stack frame of an x86-64 function compiled by Egret, and its prologue and
/// epilogue. Every function keeps a frame pointer, so backtraces and unwinding can
/// always walk through Egret frames.
///
///     higher addresses
///       | caller's frame                |
///       | incoming stack arguments      |  rbp + 16 + k   (.incomingArguments + k;
///       |                               |                  Windows: after 32 bytes of
///       |                               |                  shadow space, k ≥ 32)
///       | return address                |  rbp + 8
///       | saved rbp                     |  rbp + 0        <- rbp
///       | saved callee-saved registers  |  pushed in `savedRegisters` order, 8 bytes each
///       | (padding to 16 bytes)         |
///       | saved xmm registers           |  Windows x64 only: xmm6–xmm15 that the function
///       |                               |  clobbers, 128 bits each in 16-byte aligned
///       |                               |  slots at rbp - vectorSaveOffset(i)
///       | (padding to 16 bytes)         |
///       | stack slots (ss0, ss1, …)     |  rsp + stackSlotOffsets[n]
///       | spill slots                   |  rsp + spillSlotsOffset + 8·k
///       | outgoing arguments            |  rsp + 0 … (.outgoingArguments + k; Windows
///       |                               |  calls: shadow space first)
///       +-------------------------------+  <- rsp, 16-byte aligned at every call
///     lower addresses
///
/// Requires: register allocation done (spill slots and written registers known).
/// Guarantees: rsp is 16-byte aligned after the prologue; every `.frame` address
/// resolves to a concrete rsp- or rbp-relative address (or is reported as beyond a
/// 32-bit displacement); the epilogue restores every register the prologue saved; a
/// frame of a page or more is probed page by page from the top before it is
/// allocated (`emitStackProbe`), so it overflows into the stack's guard page; a frame
/// larger than `sizeLimit` is refused.
public struct X64Frame: Sendable {
    /// Callee-saved registers the function writes, saved by the prologue (pushed in
    /// this order, popped in reverse).
    public let savedRegisters: [PReg]
    /// Callee-saved xmm registers the function writes (Windows x64: xmm6–xmm15),
    /// stored whole by the prologue after its stack allocation and reloaded by the
    /// epilogues.
    public let savedVectorRegisters: [PReg]
    public let stackSlotOffsets: [Int32]
    /// Bytes added to incoming stack argument offsets: 0, but for the `frame` hook's
    /// off-by-one self-test (CompilerHooks).
    var incomingArgumentBias: Int32 = 0
    public let spillSlotsOffset: Int32
    /// Bytes the prologue subtracts from rsp after its pushes.
    public let allocatedSize: Int32
    /// Bytes of stack arguments the caller passed (shadow space included).
    public let incomingArgumentsSize: Int32
    /// The order of the prologue's steps (the convention's).
    public let prologueOrder: CallingConvention.PrologueOrder

    /// The most bytes a frame may span from its lowest address (rsp after the
    /// prologue) to the end of its incoming arguments: 1 GiB. Every frame address is
    /// then an rsp- or rbp-relative 32-bit displacement with room to spare, and every
    /// offset the prologue, epilogues and tail calls compute fits an `Int32`. A frame
    /// that needs more is refused as an implementation limit, as Cranelift refuses
    /// stack slots that pass 2^32 bytes ("implementation limit exceeded"); such a
    /// frame could never run within the stack budget anyway (`StackBudget`).
    public static let sizeLimit = 1 << 30

    /// Lays out the frame.
    /// - Parameters:
    ///   - stackSlots: the function's CLIF stack slots.
    ///   - spillSlotCount: the register allocator's spill slots (8 bytes each).
    ///   - outgoingArgumentsSize: bytes of the largest outgoing argument area of any
    ///     call the function makes (including shadow space).
    ///   - savedRegisters: callee-saved registers written by the function.
    ///   - incomingArgumentsSize: bytes of stack arguments the caller passed.
    ///   - savedVectorRegisters: callee-saved xmm registers written by the function.
    ///   - prologueOrder: when the prologue sets rbp (the convention's).
    /// - Throws: `CodegenError.unsupported` ("implementation limit exceeded", with the
    ///   size the frame would need) when the frame passes `sizeLimit`, or a slot asks
    ///   for an alignment above 16. Every size is added with overflow checks, so no
    ///   input can trap the layout itself.
    public init(stackSlots: [StackSlotData], spillSlotCount: Int, outgoingArgumentsSize: Int,
                savedRegisters: [PReg], incomingArgumentsSize: Int = 0, savedVectorRegisters: [PReg] = [],
                prologueOrder: CallingConvention.PrologueOrder = .framePointerFirst) throws {
        self.savedRegisters = savedRegisters
        self.prologueOrder = prologueOrder
        self.savedVectorRegisters = savedVectorRegisters
        var size = FrameSize()
        var offset = try size.add(outgoingArgumentsSize, to: 0, what: .outgoingArguments)
        offset = try size.alignUp(offset, to: 16)
        let spillBase = offset
        offset = try size.add(size.times(spillSlotCount, 8), to: offset, what: .spillSlots)
        var slotOffsets: [Int] = []
        slotOffsets.reserveCapacity(stackSlots.count)
        for slot in stackSlots {
            // The frame's bottom is 16-byte aligned, so alignments up to 16 hold.
            guard slot.alignment <= 16 else {
                throw CodegenError.unsupported("stack slot alignment \(slot.alignment) (at most 16)")
            }
            // Slots of 16 bytes or more are 16-byte aligned whatever they ask for, so
            // an i128 atomic (`lock cmpxchg16b`, which faults on any other address)
            // works in every slot that can hold one, as it does on the interpreter.
            let alignment = max(Int(slot.alignment), slot.size >= 16 ? 16 : 1)
            offset = try size.alignUp(offset, to: alignment)
            slotOffsets.append(offset)
            offset = try size.add(Int(slot.size), to: offset, what: .stackSlots)
        }
        // At entry rsp ≡ 8 (mod 16); `push rbp` makes it 0; each saved register
        // pushes 8 more. The allocation rounds the total back to a multiple of 16.
        let pushed = 8 * savedRegisters.count
        // rbp is 16-byte aligned, so the xmm save slots start at the next multiple of
        // 16 below the pushes.
        let vectorArea = savedVectorRegisters.isEmpty ? pushed : ((pushed + 15) & ~15) + 16 * savedVectorRegisters.count
        let total = try size.alignUp(size.add(vectorArea, to: offset, what: .savedRegisters), to: 16)
        // The whole frame as rbp sees it: the allocation, the pushes, the saved rbp
        // and return address, and the caller's stack arguments above them.
        let span = try size.add(incomingArgumentsSize, to: size.add(16, to: total, what: .frameLink),
                                what: .incomingArguments)
        guard span <= X64Frame.sizeLimit, incomingArgumentsSize >= 0 else {
            throw CodegenError.unsupported("implementation limit exceeded: a frame of \(span) bytes "
                                           + "(\(size.parts)); Egret lays out frames of at most "
                                           + "\(X64Frame.sizeLimit) bytes (1 GiB)")
        }
        // Below the limit, every offset fits an Int32.
        spillSlotsOffset = Int32(spillBase)
        stackSlotOffsets = slotOffsets.map { Int32($0) }
        self.incomingArgumentsSize = Int32(incomingArgumentsSize)
        allocatedSize = Int32(total - pushed)
    }

    /// How far below rbp the save slot of `savedVectorRegisters[index]` starts.
    public func vectorSaveOffset(_ index: Int) -> Int32 {
        let pushed = Int32(8 * savedRegisters.count)
        return ((pushed + 15) & ~15) + 16 * Int32(index + 1)
    }

    /// Reloads the saved xmm registers from their slots (rbp still this frame's).
    private func emitVectorRestores(into buffer: inout CodeBuffer) {
        let rbp = Gpr(PReg.rbp)
        for (index, preg) in savedVectorRegisters.enumerated() {
            X64Inst.xmmLoad(.movups, src: .base(rbp, -vectorSaveOffset(index)), dst: Writable(Xmm(preg)))
                .encode(into: &buffer)
        }
    }

    /// The concrete address of a memory operand, `.frame` places resolved; nil when the
    /// place plus its displacement lies beyond a 32-bit displacement (a `stack_addr`
    /// offset far outside its slot), which the emitter reports as an implementation
    /// limit.
    public func resolve(_ amode: Amode) -> Amode? {
        guard case .frame(let place, let displacement) = amode.address else { return amode }
        let rsp = Gpr(PReg.rsp), rbp = Gpr(PReg.rbp)
        let base: Gpr, offset: Int64
        switch place {
        case .stackSlot(let index):
            base = rsp
            offset = Int(index) < stackSlotOffsets.count ? Int64(stackSlotOffsets[Int(index)]) : 0
        case .spillSlot(let index):
            base = rsp
            offset = Int64(spillSlotsOffset) + 8 * Int64(index)
        case .outgoingArguments:
            base = rsp
            offset = 0
        case .incomingArguments:
            base = rbp
            offset = 16 + Int64(incomingArgumentBias)
        }
        guard let resolved = Int32(exactly: offset + Int64(displacement)) else { return nil }
        return Amode(.base(base, displacement: resolved), trap: amode.trap)
    }

    /// The prologue, in the order the convention asks for (`PrologueOrder`), with the
    /// unwind record of each step at the code offset right after it (the probes touch
    /// pages below rsp without moving it):
    ///
    ///     frame pointer first           frame pointer last (Windows x64)
    ///     push rbp                      push rbp
    ///     mov rbp, rsp                  push saved…
    ///     push saved…                   sub rsp, P            (P = windowsFramePointerOffset − pushes)
    ///                                   lea rbp, [rsp + P + pushes]
    ///     [stack probes]                [movups xmm saves]
    ///     sub rsp, N                    [stack probes]
    ///     [touch of the bottom]         sub rsp, N − P
    ///     [movups xmm saves]            [touch of the bottom]
    ///
    /// The frame is the same either way, and the CFA is rbp-based before the probes.
    func emitPrologue(into buffer: inout CodeBuffer, unwind: inout [UnwindRecord]) {
        let rbp = Gpr(PReg.rbp), rsp = Gpr(PReg.rsp)
        X64Inst.push(src: .reg(rbp)).encode(into: &buffer)
        unwind.append(.pushFramePointer(codeOffset: buffer.bytes.count))
        if prologueOrder == .framePointerFirst {
            X64Inst.movRR(size: .size64, src: rsp, dst: Writable(rbp)).encode(into: &buffer)
            unwind.append(.defineFramePointer(codeOffset: buffer.bytes.count))
        }
        for (index, preg) in savedRegisters.enumerated() {
            X64Inst.push(src: .reg(Gpr(preg))).encode(into: &buffer)
            // Saved at rbp - 8·(index + 1), i.e. CFA - 16 - 8·(index + 1).
            unwind.append(.saveRegister(codeOffset: buffer.bytes.count, register: preg,
                                        offsetFromFramePointer: -8 * Int32(index + 1)))
        }
        let remaining = probedAllocation
        if prologueOrder == .framePointerLast {
            let offset = windowsFramePointerOffset
            let first = allocatedSize - remaining
            if first > 0 {
                X64Inst.aluRmiR(.sub, size: .size64, src1: rsp, src2: .imm(first), dst: Writable(rsp))
                    .encode(into: &buffer)
                unwind.append(.stackAllocation(codeOffset: buffer.bytes.count, size: first))
            }
            X64Inst.lea(size: .size64, address: .base(rsp, offset), dst: Writable(rbp)).encode(into: &buffer)
            unwind.append(.defineFramePointer(codeOffset: buffer.bytes.count))
            emitVectorSaves(into: &buffer, unwind: &unwind)
        }
        emitStackProbe(into: &buffer)
        if remaining > 0 {
            X64Inst.aluRmiR(.sub, size: .size64, src1: rsp, src2: .imm(remaining), dst: Writable(rsp))
                .encode(into: &buffer)
            unwind.append(.stackAllocation(codeOffset: buffer.bytes.count, size: remaining))
            if touchesBottom { X64Frame.probeTouch.encode(into: &buffer) }
        }
        if prologueOrder == .framePointerFirst { emitVectorSaves(into: &buffer, unwind: &unwind) }
    }

    /// Under `.framePointerLast`: how far above rsp the prologue sets rbp, once the
    /// pushes and the xmm save area lie between them. A multiple of 16 of at most
    /// 224 (seven pushes and ten xmm saves), within `UWOP_SET_FPREG`'s 240.
    public var windowsFramePointerOffset: Int32 {
        let pushed = Int32(8 * savedRegisters.count)
        return ((pushed + 15) & ~15) + 16 * Int32(savedVectorRegisters.count)
    }

    /// Stores the saved xmm registers in their slots below the pushes, only once rsp
    /// is below them (no red zone is assumed).
    private func emitVectorSaves(into buffer: inout CodeBuffer, unwind: inout [UnwindRecord]) {
        let rbp = Gpr(PReg.rbp)
        for (index, preg) in savedVectorRegisters.enumerated() {
            X64Inst.xmmStore(.movups, src: Xmm(preg), dst: .base(rbp, -vectorSaveOffset(index)))
                .encode(into: &buffer)
            unwind.append(.saveVectorRegister(codeOffset: buffer.bytes.count, register: preg,
                                              offsetFromFramePointer: -vectorSaveOffset(index)))
        }
    }

    /// The distance between stack probes: the smallest guard region a stack has (one
    /// 4 KiB page; Cranelift's `probestack_size_log2` default).
    public static let probeInterval: Int32 = 4096
    /// Frames of up to this many probe intervals are probed by unrolled touches, larger
    /// ones by a loop (Cranelift's inline probestack unrolls three).
    public static let unrolledProbeLimit: Int32 = 3

    /// How many pages the prologue touches before it allocates the frame: one per whole
    /// probe interval of `probedAllocation` (none for a frame smaller than a page).
    public var probeCount: Int32 { probedAllocation / X64Frame.probeInterval }

    /// The allocation the probes precede: all of `allocatedSize`, but for the part
    /// `.framePointerLast` allocates before it sets rbp (at most 224 bytes, never
    /// probed: less than a page).
    public var probedAllocation: Int32 {
        guard prologueOrder == .framePointerLast else { return allocatedSize }
        return allocatedSize - (windowsFramePointerOffset - 8 * Int32(savedRegisters.count))
    }

    /// Whether the prologue touches the frame's lowest byte right after allocating it
    /// (`movl $0, (%rsp)`, recorded as `stk_ovf`): when the page probes did not reach
    /// it, and the frame is probed or has CLIF stack slots. Every byte between rsp and
    /// the top of the stack is then known to be mapped, so the function's own accesses
    /// to its stack slots (which carry the program's trap code, `heap_oob` unless the
    /// flags say otherwise) can never be the first to fault in the guard page: the
    /// overflow is reported as `stk_ovf` at the touch. Spills, saves and outgoing
    /// arguments carry no trap code, so a fault there is recognised by its address.
    public var touchesBottom: Bool {
        probedAllocation > 0 && probedAllocation % X64Frame.probeInterval != 0
            && (probeCount > 0 || !stackSlotOffsets.isEmpty)
    }

    /// A touch of the word at rsp, recorded as `stk_ovf`.
    static let probeTouch = X64Inst.storeImm(size: .size32, imm: 0,
                                             dst: Amode(.base(Gpr(PReg.rsp), displacement: 0), trap: .stackOverflow))

    /// Stack probes with `__chkstk`'s semantics: a frame of at least one page touches
    /// every page it will occupy, in order from the top, before rsp moves, so the
    /// first access below the stack lands in its guard page whatever the frame's size
    /// and whichever part of it the function touches first. rsp stays where it is
    /// while the pages are touched, as `__chkstk` and `___chkstk_ms` leave it: a
    /// fault in the guard page then finds the stack above rsp intact and room below
    /// the faulting page's top for its handler (Windows dispatches a stack overflow
    /// on the thread's own stack; wine ends a thread whose rsp is already in the last
    /// page).
    ///
    ///     up to three pages            more pages (r11 is free in a prologue: no
    ///                                  convention passes an argument in it)
    ///     movl $0, -0x1000(%rsp)       movq $-0x1000, %r11
    ///     movl $0, -0x2000(%rsp)     loop:
    ///     … once per page  ← stk_ovf   movl $0, (%rsp,%r11)      ← stk_ovf
    ///                                  subq $0x1000, %r11
    ///                                  cmpq $-(pages+1)·0x1000, %r11
    ///                                  jne loop
    ///
    /// Each touch carries a trap record for `stk_ovf`, so a fault there is a stack
    /// overflow wherever the stack lies. Then the allocation (`subq $N, %rsp`) follows
    /// as for any frame, and the touch of its lowest word (`touchesBottom`) when the
    /// probes stopped above it (less than a page above), so every page of the frame is
    /// touched in order from the top.
    private func emitStackProbe(into buffer: inout CodeBuffer) {
        let pages = probeCount
        guard pages > 0 else { return }
        let rsp = Gpr(PReg.rsp), r11 = Gpr(PReg.r11)
        let page = X64Frame.probeInterval
        if pages <= X64Frame.unrolledProbeLimit {
            for index in 1 ... pages {
                X64Inst.storeImm(size: .size32, imm: 0,
                                 dst: Amode(.base(rsp, displacement: -page * index), trap: .stackOverflow))
                    .encode(into: &buffer)
            }
        } else {
            X64Inst.movImm(size: .size64, imm: UInt64(bitPattern: Int64(-page)), dst: Writable(r11))
                .encode(into: &buffer)
            let loop = buffer.makeLabel()
            buffer.bind(loop)
            X64Inst.storeImm(size: .size32, imm: 0, dst: .baseIndex(rsp, r11, .one, 0, trap: .stackOverflow))
                .encode(into: &buffer)
            X64Inst.aluRmiR(.sub, size: .size64, src1: r11, src2: .imm(page), dst: Writable(r11))
                .encode(into: &buffer)
            X64Inst.cmpRmiR(.cmp, size: .size64, src1: r11, src2: .imm(-page * (pages + 1))).encode(into: &buffer)
            X64Inst.jcc(cc: .ne, target: loop).encode(into: &buffer)
        }
    }

    /// Before a tail call (`returnCallKnown`/`returnCallUnknown`, see their comment in
    /// X64Inst.swift): restores the callee-saved registers and rbp, moves the
    /// `stackArgumentsSize` bytes of outgoing stack arguments to the top of this
    /// function's incoming-argument area, and leaves rsp pointing at the return
    /// address there, so the callee returns straight to our caller. rax and r10 are
    /// scratch (not arguments, not callee-saved).
    ///
    /// Each step's unwind record follows it (the caller adds `epilogueEnd` after the
    /// jump): once restored, a register's rule is dropped, since the moved arguments
    /// may overwrite its slot; the return address lives in rax until it is stored
    /// again; once rbp is reloaded the CFA is rsp-based, our own CFA throughout (the
    /// callee's first instruction then starts a frame of its own).
    func emitTailCallEpilogue(stackArgumentsSize: Int32, into buffer: inout CodeBuffer,
                              unwind: inout [UnwindRecord]) {
        unwind.append(.epilogueBegin(codeOffset: buffer.bytes.count))
        let rbp = Gpr(PReg.rbp), rsp = Gpr(PReg.rsp), rax = Gpr(PReg.rax), r10 = Gpr(PReg.r10)
        for (index, preg) in savedVectorRegisters.enumerated() {
            X64Inst.xmmLoad(.movups, src: .base(rbp, -vectorSaveOffset(index)), dst: Writable(Xmm(preg)))
                .encode(into: &buffer)
            unwind.append(.restoredRegister(codeOffset: buffer.bytes.count, register: preg))
        }
        for (index, preg) in savedRegisters.enumerated() {
            X64Inst.load(size: .size64, src: .base(rbp, -8 * Int32(index + 1)), dst: Writable(Gpr(preg)))
                .encode(into: &buffer)
            unwind.append(.restoredRegister(codeOffset: buffer.bytes.count, register: preg))
        }
        X64Inst.load(size: .size64, src: .base(rbp, 8), dst: Writable(rax)).encode(into: &buffer)
        unwind.append(.returnAddressInRegister(codeOffset: buffer.bytes.count, register: .rax))
        X64Inst.load(size: .size64, src: .base(rbp, 0), dst: Writable(rbp)).encode(into: &buffer)
        // From the current rsp to the CFA, and to the caller's rsp before it pushed
        // our arguments (T).
        let toCFA = 8 * Int32(savedRegisters.count) + allocatedSize + 16
        unwind.append(.framePointerReloaded(codeOffset: buffer.bytes.count, cfaOffset: toCFA))
        let toCallerTop = toCFA + incomingArgumentsSize
        let words = stackArgumentsSize / 8
        var word = words - 1
        while word >= 0 {
            X64Inst.load(size: .size64, src: .base(rsp, 8 * word), dst: Writable(r10)).encode(into: &buffer)
            X64Inst.store(size: .size64, src: r10, dst: .base(rsp, toCallerTop - stackArgumentsSize + 8 * word))
                .encode(into: &buffer)
            word -= 1
        }
        let moved = toCallerTop - stackArgumentsSize - 8
        X64Inst.lea(size: .size64, address: .base(rsp, moved), dst: Writable(rsp)).encode(into: &buffer)
        unwind.append(.stackPointerMoved(codeOffset: buffer.bytes.count, cfaOffset: toCFA - moved))
        X64Inst.store(size: .size64, src: rax, dst: .base(rsp, 0)).encode(into: &buffer)
        unwind.append(.returnAddressSaved(codeOffset: buffer.bytes.count, offsetFromCFA: moved - toCFA))
    }

    /// Restores rsp and the saved registers; the `ret` itself follows (and then the
    /// caller adds `epilogueEnd`). Under `.framePointerLast` rsp is restored by `lea
    /// rsp, [rbp - pushes]` even without pushes: Windows recognises an epilogue by its
    /// form (`lea rsp, [frame register + k]` or `add rsp, k`, pops, `ret`), and `mov
    /// rsp, rbp` is not one of them.
    func emitEpilogue(into buffer: inout CodeBuffer, unwind: inout [UnwindRecord]) {
        unwind.append(.epilogueBegin(codeOffset: buffer.bytes.count))
        let rbp = Gpr(PReg.rbp), rsp = Gpr(PReg.rsp)
        emitVectorRestores(into: &buffer)
        if savedRegisters.isEmpty && prologueOrder == .framePointerFirst {
            X64Inst.movRR(size: .size64, src: rbp, dst: Writable(rsp)).encode(into: &buffer)
        } else {
            X64Inst.lea(size: .size64, address: .base(rbp, -8 * Int32(savedRegisters.count)), dst: Writable(rsp))
                .encode(into: &buffer)
            for preg in savedRegisters.reversed() { X64Inst.pop(dst: Writable(Gpr(preg))).encode(into: &buffer) }
        }
        X64Inst.pop(dst: Writable(rbp)).encode(into: &buffer)
        unwind.append(.popFramePointer(codeOffset: buffer.bytes.count))
    }
}

/// Checked arithmetic for a frame's layout: each size and offset is added with
/// overflow checks, and the parts are remembered for the message of a frame that
/// exceeds the limit.
private struct FrameSize {
    enum Part: Int, CaseIterable {
        case outgoingArguments, spillSlots, stackSlots, savedRegisters, frameLink, incomingArguments

        var name: String {
            switch self {
            case .outgoingArguments: return "outgoing arguments"
            case .spillSlots: return "spill slots"
            case .stackSlots: return "stack slots"
            case .savedRegisters: return "saved registers"
            case .frameLink: return "saved rbp and return address"
            case .incomingArguments: return "incoming arguments"
            }
        }
    }

    /// Bytes of each part, by `Part` raw value (a tuple: no allocation per frame).
    private var bytes: (Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0)

    private func bytes(of part: Part) -> Int {
        switch part {
        case .outgoingArguments: return bytes.0
        case .spillSlots: return bytes.1
        case .stackSlots: return bytes.2
        case .savedRegisters: return bytes.3
        case .frameLink: return bytes.4
        case .incomingArguments: return bytes.5
        }
    }

    /// `offset + amount`, counting `amount` towards `what`.
    mutating func add(_ amount: Int, to offset: Int, what: Part) throws -> Int {
        guard amount >= 0 else { throw FrameSize.overflow }
        let (part, partOverflow) = bytes(of: what).addingReportingOverflow(amount)
        let (sum, overflow) = offset.addingReportingOverflow(amount)
        guard !overflow, !partOverflow else { throw FrameSize.overflow }
        switch what {
        case .outgoingArguments: bytes.0 = part
        case .spillSlots: bytes.1 = part
        case .stackSlots: bytes.2 = part
        case .savedRegisters: bytes.3 = part
        case .frameLink: bytes.4 = part
        case .incomingArguments: bytes.5 = part
        }
        return sum
    }

    /// `offset` rounded up to a multiple of `alignment` (a power of two).
    func alignUp(_ offset: Int, to alignment: Int) throws -> Int {
        let (sum, overflow) = offset.addingReportingOverflow(alignment - 1)
        guard !overflow else { throw FrameSize.overflow }
        return sum & ~(alignment - 1)
    }

    /// `count · width`.
    func times(_ count: Int, _ width: Int) throws -> Int {
        let (product, overflow) = count.multipliedReportingOverflow(by: width)
        guard !overflow, count >= 0 else { throw FrameSize.overflow }
        return product
    }

    /// The nonzero parts: `stack slots 6144000000, spill slots 16`.
    var parts: String {
        let named = Part.allCases.filter { bytes(of: $0) > 0 }.map { "\($0.name) \(bytes(of: $0))" }
        return named.isEmpty ? "nothing" : named.joined(separator: ", ")
    }

    static var overflow: CodegenError {
        CodegenError.unsupported("implementation limit exceeded: a frame larger than 2^63 bytes; "
                                 + "Egret lays out frames of at most \(X64Frame.sizeLimit) bytes (1 GiB)")
    }
}

/// How the prologue changed the frame, step by step, and how each `ret` epilogue
/// undoes it, in terms any unwind format (DWARF CFI, Windows unwind codes) can
/// express. Offsets are code offsets just after the instruction that made the change
/// (`epilogueBegin`: at the epilogue's first instruction). Both kinds of epilogue are
/// described: a `ret` epilogue by `popFramePointer`, a tail call's by the records
/// after `epilogueEnd` below.
public enum UnwindRecord: Hashable, Sendable {
    /// `push rbp`: the CFA is rsp + 16 and rbp is saved at CFA - 16.
    case pushFramePointer(codeOffset: Int)
    /// `mov rbp, rsp`: the CFA is rbp + 16 from here on.
    case defineFramePointer(codeOffset: Int)
    /// A callee-saved register pushed at rbp + offset.
    case saveRegister(codeOffset: Int, register: PReg, offsetFromFramePointer: Int32)
    /// `sub rsp, size`.
    case stackAllocation(codeOffset: Int, size: Int32)
    /// A callee-saved vector register (Windows x64: xmm6–xmm15) stored whole, 16
    /// bytes, at rbp + offset.
    case saveVectorRegister(codeOffset: Int, register: PReg, offsetFromFramePointer: Int32)
    /// A `ret` epilogue starts here: the body's rules hold until `popFramePointer`
    /// (restoring the saved registers changes no rule: their saved copies stay where
    /// the rules say, equal to the registers).
    case epilogueBegin(codeOffset: Int)
    /// `pop rbp`: the CFA is rsp + 8, and rbp holds the caller's value again.
    case popFramePointer(codeOffset: Int)
    /// After the `ret` (or a tail call's `jmp`): the code that follows is body code
    /// again, with the body's rules.
    case epilogueEnd(codeOffset: Int)

    // A tail call's epilogue (`X64Frame.emitTailCallEpilogue`), between
    // `epilogueBegin` and the `epilogueEnd` after its jump:

    /// A saved register holds its caller's value again; its save slot may be
    /// overwritten from here (by the moved stack arguments).
    case restoredRegister(codeOffset: Int, register: PReg)
    /// The return address was loaded into `register`; its slot may be overwritten.
    case returnAddressInRegister(codeOffset: Int, register: PReg)
    /// rbp holds the caller's value again; the CFA is rsp + `cfaOffset`.
    case framePointerReloaded(codeOffset: Int, cfaOffset: Int32)
    /// rsp moved: the CFA is rsp + `cfaOffset` (below rsp when negative).
    case stackPointerMoved(codeOffset: Int, cfaOffset: Int32)
    /// The return address was stored at CFA + `offsetFromCFA`.
    case returnAddressSaved(codeOffset: Int, offsetFromCFA: Int32)
}

/// Why code generation stopped: unsupported input (named) or a bug in Egret.
public enum CodegenError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Valid input that the backend does not handle yet.
    case unsupported(String)
    /// A bug in Egret found while compiling.
    case internalError(String)
    /// A bug in Egret found by the register-allocation checker, with the IR
    /// instruction and rule whose code it failed at.
    case rejectedAllocation(RejectedAllocation)

    public var description: String {
        switch self {
        case .unsupported(let feature): return "unsupported: \(feature)"
        case .internalError(let message): return "internal error: \(message)"
        case .rejectedAllocation(let rejection): return "register allocation: \(rejection)"
        }
    }
}
