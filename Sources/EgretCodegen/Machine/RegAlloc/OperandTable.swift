/// Every instruction's operands, collected once into flat arrays for the allocator
/// and the checker.
///
/// Program points: instruction `i` has three, `early(i) < mid(i) < late(i)`. Uses are
/// read at `early`, ordinary defs written at `late`, and clobbers happen at `mid`, so a
/// value whose last use is at `i` and a value defined by `i` may share a register, and
/// only values live *across* `i` meet its clobbers. Point 0 is the function entry,
/// where register arguments are defined.
struct ProgramPoints {
    @inline(__always) static func early(_ inst: Int) -> Int32 { Int32(3 * inst + 3) }
    @inline(__always) static func mid(_ inst: Int) -> Int32 { Int32(3 * inst + 4) }
    @inline(__always) static func late(_ inst: Int) -> Int32 { Int32(3 * inst + 5) }
    static let entry: Int32 = 0
    /// The most instructions a function may have for its points to fit an `Int32`.
    static let instructionLimit = (Int(Int32.max) - 6) / 3
    /// The instruction a point after the entry belongs to.
    @inline(__always) static func instruction(of point: Int32) -> Int { Int(point - 3) / 3 }
}

struct OperandTable {
    var operands: [Operand] = []
    /// Operand range of instruction i: offsets[i] ..< offsets[i + 1].
    var offsets: [Int] = [0]
    var clobbers: [PRegSet] = []

    init<Inst: MachineInstruction>(_ insts: [Inst]) throws {
        operands.reserveCapacity(insts.count * 3)
        offsets.reserveCapacity(insts.count + 1)
        clobbers.reserveCapacity(insts.count)
        var collector = OperandCollector()
        for index in insts.indices {
            collector.reset()
            var inst = insts[index]
            inst.visitOperands(&collector)
            for operand in collector.operands {
                if case .reuse(let tied) = operand.constraint {
                    guard operand.kind == .def, tied < collector.operands.count,
                          collector.operands[tied].kind == .use,
                          collector.operands[tied].reg.regClass == operand.reg.regClass else {
                        throw RegAllocError("instruction \(index): malformed reuse constraint")
                    }
                }
                if case .fixed(let preg) = operand.constraint, preg.regClass != operand.reg.regClass {
                    throw RegAllocError("instruction \(index): operand \(operand.reg) fixed to a register of another class")
                }
            }
            operands.append(contentsOf: collector.operands)
            offsets.append(operands.count)
            clobbers.append(collector.clobbers)
        }
    }

    @inline(__always) func range(_ inst: Int) -> Range<Int> { offsets[inst] ..< offsets[inst + 1] }

    /// The point at which an operand is read or written.
    @inline(__always) func point(of operand: Operand, at inst: Int) -> Int32 {
        switch operand.kind {
        case .use: return ProgramPoints.early(inst)
        case .def:
            if case .reuse = operand.constraint { return ProgramPoints.late(inst) }
            return operand.position == .early ? ProgramPoints.early(inst) : ProgramPoints.late(inst)
        }
    }
}

/// Block-level liveness of virtual registers (backward dataflow to a fixpoint).
///
/// Each set is a row of `words` 64-bit words in one flat array per kind (upward uses,
/// definitions, live-in, live-out): four allocations per function rather than four per
/// block, and no copy of a set per iteration.
struct Liveness {
    /// Words per block's set.
    let words: Int
    private(set) var liveIn: [UInt64]
    private(set) var liveOut: [UInt64]

    init<Inst: MachineInstruction>(vcode: VCode<Inst>, operands: OperandTable) {
        let blockCount = vcode.blocks.count
        let words = (vcode.vregCount + 63) / 64
        self.words = words
        var upwardUses = [UInt64](repeating: 0, count: blockCount * words)
        var defs = [UInt64](repeating: 0, count: blockCount * words)
        for (block, data) in vcode.blocks.enumerated() {
            let row = block * words
            for inst in data.instRange {
                // Uses before defs within one instruction: a use reads the value that
                // reached the instruction.
                for operand in operands.operands[operands.range(inst)] where operand.kind == .use {
                    guard let vreg = operand.reg.virtual else { continue }
                    let index = Int(vreg.index), bit: UInt64 = 1 << UInt64(index & 63)
                    if defs[row + index >> 6] & bit == 0 { upwardUses[row + index >> 6] |= bit }
                }
                for operand in operands.operands[operands.range(inst)] where operand.kind == .def {
                    guard let vreg = operand.reg.virtual else { continue }
                    let index = Int(vreg.index)
                    defs[row + index >> 6] |= 1 << UInt64(index & 63)
                }
            }
        }
        liveIn = upwardUses
        liveOut = [UInt64](repeating: 0, count: blockCount * words)
        var changed = true
        while changed {
            changed = false
            for block in stride(from: blockCount - 1, through: 0, by: -1) {
                let row = block * words
                for successor in vcode.blocks[block].successors {
                    let successorRow = successor * words
                    for word in 0 ..< words { liveOut[row + word] |= liveIn[successorRow + word] }
                }
                // liveIn = upwardUses ∪ (liveOut − defs)
                for word in 0 ..< words {
                    let newIn = upwardUses[row + word] | (liveOut[row + word] & ~defs[row + word])
                    if newIn != liveIn[row + word] {
                        liveIn[row + word] = newIn
                        changed = true
                    }
                }
            }
        }
    }

    /// Calls `body` with each virtual register live into `block`.
    func forEachLiveIn(_ block: Int, _ body: (Int) -> Void) {
        Self.forEach(liveIn, row: block * words, words: words, body)
    }

    /// Calls `body` with each virtual register live out of `block`.
    func forEachLiveOut(_ block: Int, _ body: (Int) -> Void) {
        Self.forEach(liveOut, row: block * words, words: words, body)
    }

    private static func forEach(_ sets: [UInt64], row: Int, words: Int, _ body: (Int) -> Void) {
        for word in 0 ..< words where sets[row + word] != 0 {
            var remaining = sets[row + word]
            while remaining != 0 {
                body(word << 6 | remaining.trailingZeroBitCount)
                remaining &= remaining - 1
            }
        }
    }
}
