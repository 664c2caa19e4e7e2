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

/// A set of virtual registers as a bit vector.
struct VRegBitSet: Equatable {
    var words: [UInt64]

    init(count: Int) { words = [UInt64](repeating: 0, count: (count + 63) / 64) }

    @inline(__always) mutating func insert(_ index: Int) { words[index >> 6] |= 1 << UInt64(index & 63) }
    @inline(__always) mutating func remove(_ index: Int) { words[index >> 6] &= ~(1 << UInt64(index & 63)) }
    @inline(__always) func contains(_ index: Int) -> Bool { words[index >> 6] & (1 << UInt64(index & 63)) != 0 }

    /// Adds `other`; returns whether anything changed.
    @inline(__always) mutating func formUnion(_ other: VRegBitSet) -> Bool {
        var changed = false
        for index in words.indices {
            let merged = words[index] | other.words[index]
            if merged != words[index] {
                words[index] = merged
                changed = true
            }
        }
        return changed
    }

    func forEach(_ body: (Int) -> Void) {
        for (wordIndex, word) in words.enumerated() where word != 0 {
            var remaining = word
            while remaining != 0 {
                body(wordIndex << 6 | remaining.trailingZeroBitCount)
                remaining &= remaining - 1
            }
        }
    }
}

/// Block-level liveness of virtual registers (backward dataflow to a fixpoint).
struct Liveness {
    var liveIn: [VRegBitSet]
    var liveOut: [VRegBitSet]

    init<Inst: MachineInstruction>(vcode: VCode<Inst>, operands: OperandTable) {
        let blockCount = vcode.blocks.count
        let vregCount = vcode.vregCount
        var upwardUses = [VRegBitSet](repeating: VRegBitSet(count: vregCount), count: blockCount)
        var defs = [VRegBitSet](repeating: VRegBitSet(count: vregCount), count: blockCount)
        for (block, data) in vcode.blocks.enumerated() {
            for inst in data.instRange {
                // Uses before defs within one instruction: a use reads the value that
                // reached the instruction.
                for operand in operands.operands[operands.range(inst)] where operand.kind == .use {
                    if let vreg = operand.reg.virtual, !defs[block].contains(Int(vreg.index)) {
                        upwardUses[block].insert(Int(vreg.index))
                    }
                }
                for operand in operands.operands[operands.range(inst)] where operand.kind == .def {
                    if let vreg = operand.reg.virtual { defs[block].insert(Int(vreg.index)) }
                }
            }
        }
        liveIn = upwardUses
        liveOut = [VRegBitSet](repeating: VRegBitSet(count: vregCount), count: blockCount)
        var changed = true
        while changed {
            changed = false
            for block in stride(from: blockCount - 1, through: 0, by: -1) {
                for successor in vcode.blocks[block].successors {
                    _ = liveOut[block].formUnion(liveIn[successor])
                }
                // liveIn = upwardUses ∪ (liveOut − defs)
                var newIn = upwardUses[block]
                for index in newIn.words.indices {
                    newIn.words[index] |= liveOut[block].words[index] & ~defs[block].words[index]
                }
                if newIn != liveIn[block] {
                    liveIn[block] = newIn
                    changed = true
                }
            }
        }
    }
}
