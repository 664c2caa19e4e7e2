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
    var operands = PackedOperands()
    /// Operand range of instruction i: offsets[i] ..< offsets[i + 1].
    var offsets: [Int32] = [0]
    var clobbers: [PRegSet] = []

    init<Inst: MachineInstruction>(_ insts: [Inst]) throws {
        guard insts.count <= ProgramPoints.instructionLimit else {
            throw CodegenError.unsupported("implementation limit exceeded: \(insts.count) machine instructions "
                                           + "in one function (at most \(ProgramPoints.instructionLimit))")
        }
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
            for operand in collector.operands { operands.append(operand) }
            guard operands.count < Int(Int32.max) else {
                throw CodegenError.unsupported("implementation limit exceeded: more than \(Int32.max) register "
                                               + "operands in one function")
            }
            offsets.append(Int32(operands.count))
            clobbers.append(collector.clobbers)
        }
    }

    @inline(__always) func range(_ inst: Int) -> Range<Int> { Int(offsets[inst]) ..< Int(offsets[inst + 1]) }

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

/// Every instruction's register operands, 8 bytes each where an `Operand` value takes
/// 24: a function of a million instructions has three million operands, and the
/// allocator and the checker each keep them all.
///
///     bits  0–31  the register (`Reg.raw`)
///     bit   32    def (else use)
///     bit   33    late (else early)
///     bits 34–35  constraint: 0 any, 1 fixed, 2 reuse
///     bits 40–47  the fixed register's dense index
///     bits 48–63  the reused operand's number
struct PackedOperands {
    private var words: [UInt64] = []

    var count: Int { words.count }
    var capacity: Int { words.capacity }

    mutating func append(_ operand: Operand) {
        var word = UInt64(operand.reg.raw)
        if operand.kind == .def { word |= 1 << 32 }
        if operand.position == .late { word |= 1 << 33 }
        switch operand.constraint {
        case .any:
            break
        case .fixed(let preg):
            word |= 1 << 34 | UInt64(preg.denseIndex) << 40
        case .reuse(let tied):
            word |= 2 << 34 | UInt64(UInt16(clamping: tied)) << 48
        }
        words.append(word)
    }

    @inline(__always) subscript(index: Int) -> Operand {
        let word = words[index]
        let constraint: OperandConstraint
        switch (word >> 34) & 3 {
        case 1: constraint = .fixed(PReg(denseIndex: Int((word >> 40) & 0xFF)))
        case 2: constraint = .reuse(Int(word >> 48))
        default: constraint = .any
        }
        return Operand(reg: Reg(raw: UInt32(truncatingIfNeeded: word)), kind: word & (1 << 32) != 0 ? .def : .use,
                       constraint: constraint, position: word & (1 << 33) != 0 ? .late : .early)
    }

    /// Whether operand `index` is a def (cheaper than decoding it whole).
    @inline(__always) func isDef(_ index: Int) -> Bool { words[index] & (1 << 32) != 0 }
}

/// Block-level liveness of virtual registers, in memory linear in the function: for
/// each virtual register, the blocks it is live into and out of, found by walking
/// backwards from its upward-exposed uses (a use in a block before any write of it
/// there) through predecessors until blocks that write it (Appel's path exploration;
/// VCode is not SSA, so "writes" means any def). Nothing is stored per (block,
/// register) pair: the results are handed to the caller as they are found, and the
/// work is the total size of the live sets, never blocks × registers of memory.
///
///     upward uses and defs of each register    flat lists by register (counting sort)
///     predecessors of each block               flat lists by block
///     per register: marks by block             two stamp arrays, reused for all registers
struct Liveness {
    /// How many (register, block) live-in pairs the walks visited: the work done,
    /// which tests compare across sizes.
    private(set) var visitedBlocks = 0
    /// Elements of the arrays the computation held at once: its memory, in words.
    private(set) var words = 0

    /// Calls `liveIn(vreg, block)` once for each block a virtual register is live into,
    /// and `liveOut(vreg, block)` (perhaps more than once) for each block it is live
    /// out of.
    init<Inst: MachineInstruction>(vcode: VCode<Inst>, operands: OperandTable,
                                   liveIn: (Int, Int) -> Void, liveOut: (Int, Int) -> Void) {
        let blockCount = vcode.blocks.count
        let vregCount = vcode.vregCount
        // Upward-exposed uses and defs as (register, block) pairs, at most one pair of
        // each kind per register and block (the stamps say whether a register was
        // already written, used or recorded in the current block).
        var uses: [(vreg: Int32, block: Int32)] = []
        var defs: [(vreg: Int32, block: Int32)] = []
        var writtenIn = [Int32](repeating: -1, count: vregCount)
        var usedIn = [Int32](repeating: -1, count: vregCount)
        var recordedDefIn = [Int32](repeating: -1, count: vregCount)
        for (block, data) in vcode.blocks.enumerated() {
            let stamp = Int32(block)
            for inst in data.instRange {
                let range = operands.range(inst)
                // Uses before defs within one instruction: a use reads the value that
                // reached the instruction.
                for index in range where operands.operands[index].kind == .use {
                    guard let vreg = operands.operands[index].reg.virtual else { continue }
                    let v = Int(vreg.index)
                    if writtenIn[v] != stamp && usedIn[v] != stamp {
                        usedIn[v] = stamp
                        uses.append((Int32(v), stamp))
                    }
                }
                for index in range where operands.operands[index].kind == .def {
                    guard let vreg = operands.operands[index].reg.virtual else { continue }
                    let v = Int(vreg.index)
                    writtenIn[v] = stamp
                    if recordedDefIn[v] != stamp {
                        recordedDefIn[v] = stamp
                        defs.append((Int32(v), stamp))
                    }
                }
            }
        }
        let scanWords = writtenIn.capacity + usedIn.capacity + recordedDefIn.capacity
            + 2 * (uses.capacity + defs.capacity)
        writtenIn = []
        usedIn = []
        recordedDefIn = []
        let (useStart, useBlocks) = Liveness.group(uses, count: vregCount)
        let (defStart, defBlocks) = Liveness.group(defs, count: vregCount)
        uses = []
        defs = []

        var predecessorPairs: [(vreg: Int32, block: Int32)] = []
        for (block, data) in vcode.blocks.enumerated() {
            for successor in data.successors { predecessorPairs.append((Int32(successor), Int32(block))) }
        }
        let (predecessorStart, predecessors) = Liveness.group(predecessorPairs, count: blockCount)
        predecessorPairs = []

        // Marks by block, stamped with the register being walked.
        var writes = [Int32](repeating: -1, count: blockCount)
        var live = [Int32](repeating: -1, count: blockCount)
        var worklist: [Int32] = []
        var visited = 0
        for v in 0 ..< vregCount where useStart[v] < useStart[v + 1] {
            let stamp = Int32(v)
            for index in Int(defStart[v]) ..< Int(defStart[v + 1]) { writes[Int(defBlocks[index])] = stamp }
            for index in Int(useStart[v]) ..< Int(useStart[v + 1]) {
                let block = useBlocks[index]
                if live[Int(block)] != stamp {
                    live[Int(block)] = stamp
                    worklist.append(block)
                }
            }
            while let block = worklist.popLast() {
                visited += 1
                liveIn(v, Int(block))
                for index in Int(predecessorStart[Int(block)]) ..< Int(predecessorStart[Int(block) + 1]) {
                    let predecessor = predecessors[index]
                    liveOut(v, Int(predecessor))
                    if writes[Int(predecessor)] != stamp && live[Int(predecessor)] != stamp {
                        live[Int(predecessor)] = stamp
                        worklist.append(predecessor)
                    }
                }
            }
        }
        visitedBlocks = visited
        let walkWords = useStart.capacity + useBlocks.capacity + defStart.capacity + defBlocks.capacity
            + predecessorStart.capacity + predecessors.capacity + writes.capacity + live.capacity + worklist.capacity
        words = max(scanWords, walkWords)
    }

    /// Pairs grouped by their first element (a counting sort): the second elements of
    /// the pairs whose first element is k are `items[start[k] ..< start[k + 1]]`, in
    /// the pairs' order.
    private static func group(_ pairs: [(vreg: Int32, block: Int32)], count: Int) -> (start: [Int32], items: [Int32]) {
        var start = [Int32](repeating: 0, count: count + 1)
        for pair in pairs { start[Int(pair.vreg) + 1] += 1 }
        for index in 0 ..< count { start[index + 1] += start[index] }
        var fill = start
        var items = [Int32](repeating: 0, count: pairs.count)
        for pair in pairs {
            items[Int(fill[Int(pair.vreg)])] = pair.block
            fill[Int(pair.vreg)] += 1
        }
        return (start, items)
    }
}
