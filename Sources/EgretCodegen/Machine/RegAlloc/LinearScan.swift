/// Register allocation: linear scan over whole live intervals, with fixed-register
/// reservations and spill-everywhere for the values that do not fit.
///
/// Requires: a VCode of the shape VCode.swift describes (no block parameters; every
/// use reached by a def; operand constraints well formed).
/// Guarantees: every operand gets a register satisfying its constraint, and the
/// inserted edits (moves, spills, reloads) make each use read the value its virtual
/// register holds — which RegAllocChecker verifies independently.
///
/// The method, in one pass:
/// 1. Every virtual register that is not spilled is one *unit* with one interval
///    [first point, last point] over the linear order (from block liveness, so loops
///    are covered; holes are ignored). Every occurrence of a spilled register is a
///    *temporary* unit of its own instruction: reloaded before a use, stored after a
///    def.
/// 2. Fixed constraints and clobbers become *reservations*: (register, point, owner).
///    A unit may take a register only if no reservation of another owner falls inside
///    its interval. Fixed operands are then satisfied by moves next to the instruction
///    (nothing else can be in the register at that point).
/// 3. A two-address def (`reuse`) takes its own register R and the tied source is
///    copied into R before the instruction; R is chosen outside the registers of the
///    instruction's other uses, so the copy destroys nothing still needed. Hints make
///    R the source's register when the source dies there, so usually no copy remains.
/// 4. Units are scanned by start point; when no register is free, the unit (or an
///    active one) reaching furthest is spilled. Spilling changes the units, so the
///    pass is repeated with the new spills until none are added — temporaries span one
///    instruction, so this converges in a few passes.
/// 5. A temporary that finds every register taken borrows one from a whole register
///    that its instruction does not touch: the value is saved to a spill slot before
///    the instruction and restored after it. Without this, each such temporary would
///    spill a whole register and force another pass (a 20,000-instruction function
///    under heavy pressure: 4 passes before, 3 with borrowing, and 9% fewer spills).
public enum RegisterAllocator {
    public static func allocate<Inst: MachineInstruction>(_ vcode: VCode<Inst>,
                                                          environment: RegisterEnvironment) throws -> RegAllocation {
        guard vcode.insts.count <= ProgramPoints.instructionLimit else {
            throw CodegenError.unsupported("implementation limit exceeded: \(vcode.insts.count) machine instructions "
                                           + "in one function (at most \(ProgramPoints.instructionLimit))")
        }
        var scan = try LinearScan(vcode: vcode, environment: environment)
        return try scan.run()
    }
}

struct LinearScan<Inst: MachineInstruction> {
    let vcode: VCode<Inst>
    let environment: RegisterEnvironment
    let table: OperandTable
    /// Whole-lifetime interval of each virtual register (start > end when unused).
    var vregStart: [Int32]
    var vregEnd: [Int32]
    /// How many instructions define each virtual register, counting up to 255.
    var defCount: [UInt8]
    /// A register the virtual register would like (a fixed operand's, an argument's).
    var fixedHint: [PReg?]
    /// The virtual register this one is copied from, when defined by a copy.
    var copySource: [Int32]
    var spillSlot: [Int32]
    /// The reservations of register r (by `denseIndex`), sorted by point, are
    /// `reservations[reservationStart[r] ..< reservationStart[r + 1]]`: one flat array
    /// for all registers (a call clobbers most of them, so an array per register grew
    /// a dozen times per call).
    var reservations: [Reservation] = []
    var reservationStart: [Int32] = []
    /// What the allocation cost so far.
    var statistics = RegAllocStatistics()

    struct Reservation {
        var point: Int32
        /// The virtual register allowed to be in the register at that point (-1: none).
        var owner: Int32
    }

    init(vcode: VCode<Inst>, environment: RegisterEnvironment) throws {
        self.vcode = vcode
        self.environment = environment
        table = try OperandTable(vcode.insts)
        let vregCount = vcode.vregCount
        vregStart = [Int32](repeating: .max, count: vregCount)
        vregEnd = [Int32](repeating: .min, count: vregCount)
        defCount = [UInt8](repeating: 0, count: vregCount)
        fixedHint = [PReg?](repeating: nil, count: vregCount)
        copySource = [Int32](repeating: -1, count: vregCount)
        spillSlot = [Int32](repeating: -1, count: vregCount)
        try buildIntervals()
        buildReservations()
    }

    private mutating func extend(_ vreg: Int, to point: Int32) {
        if point < vregStart[vreg] { vregStart[vreg] = point }
        if point > vregEnd[vreg] { vregEnd[vreg] = point }
    }

    private mutating func countDef(_ vreg: Int) {
        if defCount[vreg] < .max { defCount[vreg] += 1 }
    }

    private mutating func buildIntervals() throws {
        for argument in vcode.entryArguments {
            guard let vreg = argument.reg.reg.virtual, Int(vreg.index) < vcode.vregCount else {
                throw RegAllocError("entry argument \(argument.reg.reg) is not a virtual register of this function")
            }
            extend(Int(vreg.index), to: ProgramPoints.entry)
            countDef(Int(vreg.index))
            fixedHint[Int(vreg.index)] = argument.preg
        }
        for (block, data) in vcode.blocks.enumerated() {
            guard !data.instRange.isEmpty else { throw RegAllocError("block \(block) is empty") }
            guard data.successors.allSatisfy({ vcode.blocks.indices.contains($0) }) else {
                throw RegAllocError("block \(block) has a successor that is not a block")
            }
            for inst in data.instRange {
                for index in table.range(inst) {
                    let operand = table.operands[index]
                    guard let vreg = operand.reg.virtual else { continue }
                    guard Int(vreg.index) < vcode.vregCount, vcode.vregClasses[Int(vreg.index)] == vreg.regClass else {
                        throw RegAllocError("instruction \(inst): \(operand.reg) is not a virtual register of this function")
                    }
                    extend(Int(vreg.index), to: table.point(of: operand, at: inst))
                    if operand.kind == .def { countDef(Int(vreg.index)) }
                    if case .fixed(let preg) = operand.constraint, fixedHint[Int(vreg.index)] == nil {
                        fixedHint[Int(vreg.index)] = preg
                    }
                }
                if let (source, destination) = vcode.insts[inst].copiedRegisters,
                   let from = source.virtual, let to = destination.virtual {
                    copySource[Int(to.index)] = Int32(from.index)
                }
            }
        }
        // One block that branches nowhere: nothing is live across a block boundary but
        // the entry arguments, which already start at the entry point.
        if vcode.blocks.count == 1 && vcode.blocks[0].successors.isEmpty { return }
        // A register live into a block lives from the block's first point; one live out
        // of it, to its last. (The arrays move into the closures' variables and back,
        // uncopied.)
        var starts: [Int32] = [], ends: [Int32] = []
        swap(&starts, &vregStart)
        swap(&ends, &vregEnd)
        let blocks = vcode.blocks
        let liveness = Liveness(vcode: vcode, operands: table, liveIn: { vreg, block in
            let point = ProgramPoints.early(blocks[block].instRange.lowerBound)
            if point < starts[vreg] { starts[vreg] = point }
            if point > ends[vreg] { ends[vreg] = point }
        }, liveOut: { vreg, block in
            let point = ProgramPoints.late(blocks[block].instRange.upperBound - 1)
            if point < starts[vreg] { starts[vreg] = point }
            if point > ends[vreg] { ends[vreg] = point }
        })
        swap(&starts, &vregStart)
        swap(&ends, &vregEnd)
        statistics.livenessVisits = liveness.visitedBlocks
        statistics.livenessWords = liveness.words
    }

    /// Collects every reservation, then groups them by register (a counting sort) and
    /// sorts each register's by point.
    private mutating func buildReservations() {
        var pending: [(register: Int, reservation: Reservation)] = []
        pending.reserveCapacity(vcode.insts.count * 2 + vcode.entryArguments.count)
        for argument in vcode.entryArguments {
            pending.append((argument.preg.denseIndex,
                            Reservation(point: ProgramPoints.entry, owner: Int32(argument.reg.reg.virtual?.index ?? 0))))
        }
        for inst in vcode.insts.indices {
            for index in table.range(inst) {
                let operand = table.operands[index]
                let owner = Int32(operand.reg.virtual.map { Int($0.index) } ?? -1)
                if case .fixed(let preg) = operand.constraint {
                    pending.append((preg.denseIndex, Reservation(point: table.point(of: operand, at: inst), owner: owner)))
                } else if let preg = operand.reg.physical {
                    pending.append((preg.denseIndex, Reservation(point: table.point(of: operand, at: inst), owner: -1)))
                }
            }
            for preg in table.clobbers[inst] {
                pending.append((preg.denseIndex, Reservation(point: ProgramPoints.mid(inst), owner: -1)))
            }
        }
        var start = [Int32](repeating: 0, count: Self.registerSlots + 1)
        for entry in pending { start[entry.register + 1] += 1 }
        for register in 0 ..< Self.registerSlots { start[register + 1] += start[register] }
        var fill = start
        reservations = [Reservation](repeating: Reservation(point: 0, owner: -1), count: pending.count)
        for entry in pending {
            reservations[Int(fill[entry.register])] = entry.reservation
            fill[entry.register] += 1
        }
        for register in 0 ..< Self.registerSlots {
            reservations[Int(start[register]) ..< Int(start[register + 1])].sort { $0.point < $1.point }
        }
        reservationStart = start
    }

    /// Register numbers (`PReg.denseIndex`) reservations are kept for.
    static var registerSlots: Int { 32 }

    /// Whether a reservation of someone other than `owner` falls in [start, end] on `preg`.
    func isReserved(_ preg: PReg, from start: Int32, to end: Int32, except owner: Int32) -> Bool {
        let first = Int(reservationStart[preg.denseIndex]), last = Int(reservationStart[preg.denseIndex + 1])
        var low = first, high = last
        while low < high {
            let middle = (low + high) / 2
            if reservations[middle].point < start { low = middle + 1 } else { high = middle }
        }
        var index = low
        while index < last && reservations[index].point <= end {
            if reservations[index].owner != owner || owner < 0 { return true }
            index += 1
        }
        return false
    }

    mutating func run() throws -> RegAllocation {
        // Each pass either succeeds or spills at least one more register; a register
        // once spilled never returns, so the loop ends within vregCount + 1 passes.
        statistics.peakWords = tableWords + statistics.livenessWords
        for _ in 0 ... vcode.vregCount + 1 {
            var pass = ScanPass(scan: self)
            let newSpills = try pass.run()
            statistics.passes += 1
            if newSpills.isEmpty {
                var allocation = try pass.result()
                statistics.peakWords = max(statistics.peakWords, tableWords + pass.words + allocation.words)
                allocation.statistics = statistics
                return allocation
            }
            statistics.peakWords = max(statistics.peakWords, tableWords + pass.words)
            for vreg in newSpills where spillSlot[vreg] < 0 { spillSlot[vreg] = Int32(nextSpillSlot()) }
        }
        throw RegAllocError("spilling did not converge")
    }

    /// Array elements of the tables every pass reads (capacities).
    private var tableWords: Int {
        table.operands.capacity + table.offsets.capacity + table.clobbers.capacity
            + vregStart.capacity + vregEnd.capacity + defCount.capacity + fixedHint.capacity + copySource.capacity
            + spillSlot.capacity + reservations.capacity + reservationStart.capacity
    }

    private var spillSlotsUsed = 0

    private mutating func nextSpillSlot() -> Int {
        spillSlotsUsed += 1
        return spillSlotsUsed - 1
    }

    var spillSlotCount: Int { spillSlotsUsed }
}
