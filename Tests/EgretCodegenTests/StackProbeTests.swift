import Testing
import EgretIR
@testable import EgretCodegen

/// Stack probes: a frame of a page or more touches each of its pages from the top
/// before the prologue allocates it, below rsp without moving it, as `__chkstk` does
/// (unrolled up to three pages, a loop beyond), then
/// the lowest word of the frame if the probes did not reach it (also in any frame with
/// stack slots), each touch recorded as `stk_ovf`: an oversized frame overflows into
/// the stack's guard page instead of reaching whatever lies below it, and no access
/// to a stack slot is the first to fault there.
struct StackProbeTests {
    static func source(slotSize: Int, callConv: String = "system_v") -> String {
        """
        function %f(i64) -> i64 \(callConv) {
            ss0 = explicit_slot \(slotSize)
        block0(v0: i64):
            v1 = stack_addr.i64 ss0
            store v0, v1
            v2 = load.i64 v1
            return v2
        }
        """
    }

    static func compile(slotSize: Int, callConv: String = "system_v") throws -> CompiledFunction {
        let module = try CLIFParser.parse(source(slotSize: slotSize, callConv: callConv), fileName: "probe.clif")
        return try Compiler.compile(module.functions[0])
    }

    /// The instructions of the prologue up to the frame allocation (`subq $N, %rsp`
    /// with N the allocated size) and the touch after it if there is one, as capstone
    /// reads them, with their offsets.
    static func prologue(_ compiled: CompiledFunction) throws -> [(offset: Int, text: String)] {
        let disassembler = try Disassembler()
        let allocation = "subq $0x\(String(compiled.emitted.frame.allocatedSize, radix: 16)), %rsp"
        var lines: [(offset: Int, text: String)] = []
        var offset = 0
        var allocated = false
        for instruction in disassembler.disassemble(compiled.code.bytes) {
            let text = instruction.text.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
            if allocated && text != "movl $0, (%rsp)" { break }
            lines.append((offset, text))
            offset += instruction.bytes.count
            if allocated { break }
            allocated = text == allocation
        }
        return lines
    }

    /// The offsets of the instructions recorded as `stk_ovf`.
    static func stackOverflowRecords(_ compiled: CompiledFunction) -> [Int] {
        compiled.code.traps.filter { $0.code == .stackOverflow }.map { Int($0.offset) }
    }

    /// How the prologue starts under each convention (no registers to save here).
    static func entry(_ callConv: String) -> [String] {
        callConv == "system_v" ? ["pushq %rbp", "movq %rsp, %rbp"] : ["pushq %rbp", "leaq (%rsp), %rbp"]
    }

    /// The allocation, then the touch of its lowest word when `touchesBottom`.
    static func allocation(_ frame: X64Frame) -> [String] {
        ["subq $0x\(String(frame.allocatedSize, radix: 16)), %rsp"] + (frame.touchesBottom ? ["movl $0, (%rsp)"] : [])
    }

    @Test func aFrameBelowOnePageWithoutSlotsIsNotProbed() throws {
        let text = """
            function %f(i64) -> i64 {
                fn0 = %f(i64) -> i64
            block0(v0: i64):
                v1 = call fn0(v0)
                v2 = iadd v1, v0
                return v2
            }
            """
        let compiled = try Compiler.compile(try CLIFParser.parse(text, fileName: "f.clif").functions[0])
        #expect(compiled.emitted.frame.probeCount == 0 && !compiled.emitted.frame.touchesBottom)
        #expect(Self.stackOverflowRecords(compiled).isEmpty)
    }

    /// A small frame with a stack slot touches only its lowest word, right after the
    /// allocation: a frame straddling the guard page faults there, as `stk_ovf`, and
    /// never at the store to the slot (whose record says `heap_oob`).
    @Test func aFrameBelowOnePageWithASlotTouchesItsLowestWord() throws {
        let compiled = try Self.compile(slotSize: 2048)
        let frame = compiled.emitted.frame
        #expect(frame.probeCount == 0 && frame.touchesBottom)
        let prologue = try Self.prologue(compiled)
        #expect(prologue.map(\.text) == ["pushq %rbp", "movq %rsp, %rbp"] + Self.allocation(frame))
        #expect(Self.stackOverflowRecords(compiled) == [prologue[3].offset])
    }

    @Test(arguments: ["system_v", "windows_fastcall"])
    func framesOfUpToThreePagesTouchEachPageFromTheTop(callConv: String) throws {
        let compiled = try Self.compile(slotSize: 12288, callConv: callConv)
        let frame = compiled.emitted.frame
        #expect(frame.probeCount == 3)
        let touches = ["movl $0, -0x1000(%rsp)", "movl $0, -0x2000(%rsp)", "movl $0, -0x3000(%rsp)"]
        let prologue = try Self.prologue(compiled)
        #expect(prologue.map(\.text) == Self.entry(callConv) + touches + Self.allocation(frame))
        // Every touch, and nothing else, is recorded.
        let touchOffsets = prologue.filter { $0.text.hasPrefix("movl $0, ") }.map(\.offset)
        #expect(touchOffsets.count == (frame.touchesBottom ? 4 : 3))
        #expect(Self.stackOverflowRecords(compiled) == touchOffsets)
    }

    @Test(arguments: ["system_v", "windows_fastcall"])
    func largerFramesTouchEachPageInALoop(callConv: String) throws {
        let compiled = try Self.compile(slotSize: 100_000, callConv: callConv)
        let frame = compiled.emitted.frame
        #expect(frame.probeCount == Int32(frame.allocatedSize / 4096))
        // 100,000 bytes are not a whole number of pages: the lowest word is touched too.
        #expect(frame.touchesBottom)
        let end = "-0x" + String((frame.probeCount + 1) * 4096, radix: 16)
        let prologue = try Self.prologue(compiled)
        let loop = Self.entry(callConv).count + 1
        let loopOffset = "0x" + String(prologue[loop].offset, radix: 16)
        #expect(prologue.map(\.text) == Self.entry(callConv) + [
            "movq $-0x1000, %r11",
            "movl $0, (%rsp, %r11)", "subq $0x1000, %r11", "cmpq $\(end), %r11", "jne \(loopOffset)",
        ] + Self.allocation(frame))
        // The touch inside the loop and the one after the allocation.
        let touchOffsets = prologue.filter { $0.text.hasPrefix("movl $0, ") }.map(\.offset)
        #expect(touchOffsets.first == prologue[loop].offset && touchOffsets.count == 2)
        #expect(Self.stackOverflowRecords(compiled) == touchOffsets)
    }

    /// Every instruction of the probe sequences, checked like the encoder table: the
    /// printed text, llvm-mc's bytes for it, capstone's reading of Egret's bytes.
    @Test func theProbeInstructionsMatchLLVMMCAndCapstone() throws {
        let rsp = Gpr(PReg.rsp), r11 = Gpr(PReg.r11)
        let entries: [(inst: X64Inst, text: String)] = [
            (.aluRmiR(.sub, size: .size64, src1: rsp, src2: .imm(4096), dst: Writable(rsp)), "subq $4096, %rsp"),
            (.storeImm(size: .size32, imm: 0, dst: Amode(.base(rsp, displacement: 0), trap: .stackOverflow)),
             "movl $0, (%rsp)"),
            (.storeImm(size: .size32, imm: 0, dst: Amode(.base(rsp, displacement: -8192), trap: .stackOverflow)),
             "movl $0, -8192(%rsp)"),
            (.movImm(size: .size64, imm: UInt64(bitPattern: -4096), dst: Writable(r11)), "movq $-4096, %r11"),
            (.storeImm(size: .size32, imm: 0, dst: .baseIndex(rsp, r11, .one, 0, trap: .stackOverflow)),
             "movl $0, (%rsp,%r11)"),
            (.aluRmiR(.sub, size: .size64, src1: r11, src2: .imm(4096), dst: Writable(r11)), "subq $4096, %r11"),
            (.cmpRmiR(.cmp, size: .size64, src1: r11, src2: .imm(-102400)), "cmpq $-102400, %r11"),
            (.jcc(cc: .ne, target: MachLabel(0)), "jne .L0"),
        ]
        for entry in entries { #expect(entry.inst.description == entry.text) }
        for failure in try checkAgainstIndependentTools(entries) { Issue.record(Comment(rawValue: failure.message)) }
        // The touches record their trap code; nothing else in the sequence does.
        for (index, entry) in entries.enumerated() {
            let touch = [1, 2, 4].contains(index)
            #expect(EncodedInstruction(entry.inst).traps.map(\.code) == (touch ? [.stackOverflow] : []))
        }
    }

    /// An 8 MiB frame on a 1 MiB stack: the probes reach the guard page below the
    /// stack, and the fault there is `stk_ovf` (without probes, the store to the
    /// slot's far end would fault somewhere below the guard, as `heap_oob`, or not at
    /// all). A frame that fits still runs.
    @Test(arguments: ["system_v", "windows_fastcall"])
    func aFrameLargerThanTheStackOverflowsAtAProbe(callConv: String) throws {
        let stack = try JITStack(size: 1 << 20)
        for (slotSize, expected) in [(8 << 20, CallResult.trapped(.stackOverflow)),
                                     (100_000, CallResult.returned([.int(7, .i64)]))] {
            let module = try CLIFParser.parse(Self.source(slotSize: slotSize, callConv: callConv), fileName: "probe.clif")
            let compiled = try Compiler.compile(module.functions[0])
            let jit = JITModule()
            let function = try jit.define(compiled.name, signature: compiled.signature, code: compiled.code)
            var timings = PhaseTimings()
            let trampolineCode = try Trampoline.code(for: compiled.signature, options: Compiler.Options(),
                                                     timings: &timings)
            let trampoline = try jit.define(.testCase("trampoline"), signature: JITModule.trampolineSignature,
                                            code: trampolineCode.code)
            try jit.finalize()
            #expect(try jit.call(function, through: trampoline, arguments: [.int(7, .i64)], on: stack) == expected)
        }
    }
}
