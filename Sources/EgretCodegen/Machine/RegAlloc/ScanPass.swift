/// One pass of the linear scan (see LinearScan.swift): builds the units for the
/// current set of spilled registers, assigns registers, and either reports new spills
/// or produces the allocation.
struct ScanPass<Inst: MachineInstruction> {
    let scan: LinearScan<Inst>

    /// A unit of allocation: a whole virtual register, or a temporary of one
    /// instruction. 16 bytes: a pass has one per virtual register and temporary.
    struct Unit {
        var start: Int32
        var end: Int32
        /// The virtual register's index, or `temporaryIndex`, with `floatBit` set for
        /// the float class.
        private var owner: UInt32
        /// For a two-address def that reuses its source in place: its entry in
        /// `reuses`; -1 otherwise.
        var reuse: Int32 = -1

        private static var floatBit: UInt32 { 1 << 31 }
        private static var temporaryIndex: UInt32 { 0x7FFF_FFFF }

        /// `vreg` -1 makes a temporary.
        init(start: Int32, end: Int32, regClass: RegClass, vreg: Int32) {
            self.start = start
            self.end = end
            owner = (regClass == .float ? Unit.floatBit : 0) | (vreg < 0 ? Unit.temporaryIndex : UInt32(vreg))
        }

        var regClass: RegClass { owner & Unit.floatBit != 0 ? .float : .int }
        /// The virtual register (for reservations and spilling); -1 for temporaries.
        var vreg: Int32 {
            let index = owner & ~Unit.floatBit
            return index == Unit.temporaryIndex ? -1 : Int32(index)
        }
    }

    var units: [Unit] = []
    /// The instruction and tied use operand of each in-place two-address def (a side
    /// table: most units are not one).
    var reuses: [Reuse] = []

    struct Reuse {
        var inst: Int32
        var tiedOperand: Int32
    }

    /// The tied use operand of a unit that is an in-place two-address def, else -1.
    @inline(__always) func tiedOperand(of unit: Unit) -> Int32 {
        unit.reuse >= 0 ? reuses[Int(unit.reuse)].tiedOperand : -1
    }
    /// The unit of each virtual register that is not spilled (-1 otherwise).
    var unitOfVReg: [Int32]
    /// The unit that gives each operand its register (-1: fixed or physical).
    var unitOfOperand: [Int32]
    var assignment: [PReg?] = []
    /// Edits: (position, source, destination), in the order they are found.
    var edits: [Edit] = []
    var entryEdits: [Edit] = []
    /// For a temporary that borrowed its register: the unit it borrowed from (-1: none).
    var lenderOf: [Int32] = []
    /// Registers borrowed by temporaries, in scan order: the lender's value is saved to
    /// a spill slot before the instruction and restored after it.
    var borrows: [Borrow] = []

    /// A register a temporary of instruction `inst` borrows from a whole register.
    struct Borrow {
        var inst: Int
        var register: PReg
    }

    init(scan: LinearScan<Inst>) {
        self.scan = scan
        unitOfVReg = [Int32](repeating: -1, count: scan.vcode.vregCount)
        unitOfOperand = [Int32](repeating: -1, count: scan.table.operands.count)
    }

    private func isSpilled(_ vreg: Int) -> Bool { scan.spillSlot[vreg] >= 0 }

    /// Array elements this pass holds (capacities), for `RegAllocStatistics`.
    var words: Int {
        units.capacity + reuses.capacity + unitOfVReg.capacity + unitOfOperand.capacity + assignment.capacity + edits.capacity
            + entryEdits.capacity + lenderOf.capacity + borrows.capacity
    }

    private mutating func addUnit(_ unit: Unit) -> Int32 {
        units.append(unit)
        return Int32(units.count - 1)
    }

    // MARK: Units

    private mutating func buildUnits() {
        for vreg in 0 ..< scan.vcode.vregCount where !isSpilled(vreg) && scan.vregStart[vreg] <= scan.vregEnd[vreg] {
            unitOfVReg[vreg] = addUnit(Unit(start: scan.vregStart[vreg], end: scan.vregEnd[vreg],
                                            regClass: scan.vcode.vregClasses[vreg], vreg: Int32(vreg)))
        }
        let table = scan.table
        for inst in scan.vcode.insts.indices {
            let range = table.range(inst)
            // Two-address defs first: they decide their tied use operand's register.
            for index in range {
                let operand = table.operands[index]
                guard case .reuse(let tied) = operand.constraint, let vreg = operand.reg.virtual else { continue }
                let tiedIndex = range.lowerBound + tied
                let dest = Int(vreg.index)
                if !isSpilled(dest) && table.operands[tiedIndex].reg.virtual == vreg {
                    // The same virtual register read and written (a loop-carried value
                    // updated in place, X64LoweringContext.coalesceLoopCarriedValues):
                    // the instruction works on the register the value lives in.
                    unitOfOperand[index] = unitOfVReg[dest]
                    unitOfOperand[tiedIndex] = unitOfVReg[dest]
                } else if !isSpilled(dest) && scan.defCount[dest] == 1 {
                    // In place: the def's own register; the source is copied into it.
                    let unit = unitOfVReg[dest]
                    units[Int(unit)].reuse = Int32(reuses.count)
                    reuses.append(Reuse(inst: Int32(inst), tiedOperand: Int32(tiedIndex)))
                    unitOfOperand[index] = unit
                    unitOfOperand[tiedIndex] = unit
                } else {
                    // Through a temporary spanning the instruction.
                    let unit = addUnit(Unit(start: ProgramPoints.early(inst), end: ProgramPoints.late(inst),
                                            regClass: vreg.regClass, vreg: -1))
                    unitOfOperand[index] = unit
                    unitOfOperand[tiedIndex] = unit
                }
            }
            for index in range where unitOfOperand[index] < 0 {
                let operand = table.operands[index]
                guard let vreg = operand.reg.virtual else { continue }
                if case .fixed = operand.constraint { continue }
                if isSpilled(Int(vreg.index)) {
                    let point = table.point(of: operand, at: inst)
                    unitOfOperand[index] = addUnit(Unit(start: point, end: point, regClass: vreg.regClass, vreg: -1))
                } else {
                    unitOfOperand[index] = unitOfVReg[Int(vreg.index)]
                }
            }
        }
    }

    // MARK: Scan

    /// Assigns registers; returns the virtual registers that must be spilled (empty on
    /// success).
    mutating func run() throws -> [Int] {
        buildUnits()
        assignment = [PReg?](repeating: nil, count: units.count)
        let order = scanOrder()
        var active: [Int32] = []
        var holder = [Int32](repeating: -1, count: 32)
        var newSpills: [Int] = []
        lenderOf = [Int32](repeating: -1, count: units.count)
        borrows = []
        // The earliest end among the active units: nothing expires before it.
        var earliestActiveEnd = Int32.max
        for unitIndex in order {
            let unit = units[Int(unitIndex)]
            // Expire units that ended before this one starts.
            if earliestActiveEnd < unit.start {
                earliestActiveEnd = .max
                active.removeAll { other in
                    let end = units[Int(other)].end
                    guard end < unit.start else {
                        earliestActiveEnd = min(earliestActiveEnd, end)
                        return false
                    }
                    if let preg = assignment[Int(other)], holder[preg.denseIndex] == other {
                        // A borrowed register returns to its lender if the lender lives on.
                        let lender = lenderOf[Int(other)]
                        holder[preg.denseIndex] = lender >= 0 && units[Int(lender)].end >= unit.start ? lender : -1
                    }
                    return true
                }
            }
            let forbidden = forbiddenRegisters(for: unit)
            func legal(_ preg: PReg) -> Bool {
                !forbidden.contains(preg)
                    && !scan.isReserved(preg, from: unit.start, to: unit.end, except: unit.vreg)
            }
            var chosen: PReg?
            if let hint = hint(for: unit), holder[hint.denseIndex] < 0, legal(hint) {
                chosen = hint
            } else {
                for preg in scan.environment.registers(of: unit.regClass) where holder[preg.denseIndex] < 0 && legal(preg) {
                    chosen = preg
                    break
                }
            }
            if chosen == nil, unit.vreg < 0,
               let lender = lender(for: unit, among: active, holder: holder, legal: legal),
               let preg = assignment[Int(lender)] {
                // A temporary borrows a whole register's register for its instruction.
                assignment[Int(unitIndex)] = preg
                lenderOf[Int(unitIndex)] = lender
                holder[preg.denseIndex] = unitIndex
                active.append(unitIndex)
                earliestActiveEnd = min(earliestActiveEnd, unit.end)
                borrows.append(Borrow(inst: ProgramPoints.instruction(of: unit.start), register: preg))
                continue
            }
            if chosen == nil {
                // Spill whichever reaches furthest: this unit, or an active whole
                // register whose register this unit could legally take (and that is
                // not lent to a temporary right now).
                var victim: Int32 = -1
                for other in active where units[Int(other)].vreg >= 0 {
                    guard let preg = assignment[Int(other)], holder[preg.denseIndex] == other, legal(preg)
                    else { continue }
                    if victim < 0 || units[Int(other)].end > units[Int(victim)].end { victim = other }
                }
                if unit.vreg >= 0 && (victim < 0 || unit.end >= units[Int(victim)].end) {
                    newSpills.append(Int(unit.vreg))
                    continue
                }
                guard victim >= 0, let preg = assignment[Int(victim)] else {
                    throw RegAllocError("no register left for a temporary at point \(unit.start): too many operands live at once")
                }
                newSpills.append(Int(units[Int(victim)].vreg))
                active.removeAll { $0 == victim }
                assignment[Int(victim)] = nil
                chosen = preg
            }
            guard let preg = chosen else { continue }
            assignment[Int(unitIndex)] = preg
            holder[preg.denseIndex] = unitIndex
            active.append(unitIndex)
            earliestActiveEnd = min(earliestActiveEnd, unit.end)
        }
        lenderOf = []  // only the scan needs it; `borrows` has what `result` does
        return newSpills
    }

    /// For a temporary that finds every register taken: the active whole register to
    /// borrow from — one that is no operand of the temporary's instruction (so the
    /// instruction never reads it), lives at least as long as the temporary, is not
    /// lent already, and whose register the temporary may take; the one reaching
    /// furthest, as it is the least likely to be wanted back soon.
    private func lender(for unit: Unit, among active: [Int32], holder: [Int32],
                        legal: (PReg) -> Bool) -> Int32? {
        let inst = ProgramPoints.instruction(of: unit.start)
        let operands = scan.table.range(inst)
        var best: Int32 = -1
        for other in active {
            let candidate = units[Int(other)]
            guard candidate.vreg >= 0, candidate.end >= unit.end, candidate.regClass == unit.regClass,
                  let preg = assignment[Int(other)], holder[preg.denseIndex] == other, legal(preg)
            else { continue }
            let isOperand = operands.contains { scan.table.operands[$0].reg.virtual?.index == UInt32(candidate.vreg) }
            if isOperand { continue }
            if best < 0 || candidate.end > units[Int(best)].end { best = other }
        }
        return best >= 0 ? best : nil
    }

    /// The units by start point, ties by index: a counting sort, since program points
    /// are small dense integers (a comparison sort was a fifth of the scan's time).
    private func scanOrder() -> [Int32] {
        guard var lowest = units.first?.start else { return [] }
        var highest = lowest
        for unit in units {
            lowest = min(lowest, unit.start)
            highest = max(highest, unit.start)
        }
        // firstSlot[k]: where the next unit starting at point lowest + k goes.
        var firstSlot = [Int32](repeating: 0, count: Int(highest - lowest) + 2)
        for unit in units { firstSlot[Int(unit.start - lowest) + 1] += 1 }
        for index in 1 ..< firstSlot.count { firstSlot[index] += firstSlot[index - 1] }
        var order = [Int32](repeating: 0, count: units.count)
        for (index, unit) in units.enumerated() {
            let bucket = Int(unit.start - lowest)
            order[Int(firstSlot[bucket])] = Int32(index)
            firstSlot[bucket] += 1
        }
        return order
    }

    /// The register this unit would like: the source of a copy or of an in-place
    /// two-address def, or the register of one of its fixed operands.
    private func hint(for unit: Unit) -> PReg? {
        guard unit.vreg >= 0 else { return nil }
        if unit.reuse >= 0, let source = scan.table.operands[Int(tiedOperand(of: unit))].reg.virtual,
           let location = location(ofVReg: Int(source.index)), case .register(let preg) = location {
            return preg
        }
        let source = scan.copySource[Int(unit.vreg)]
        if source >= 0, let location = location(ofVReg: Int(source)), case .register(let preg) = location {
            return preg
        }
        return scan.fixedHint[Int(unit.vreg)]
    }

    /// For an in-place two-address def: every register that the instruction's other
    /// use operands occupy or are read from, which the copy of the tied source must
    /// not overwrite.
    private func forbiddenRegisters(for unit: Unit) -> PRegSet {
        var forbidden = PRegSet()
        guard unit.reuse >= 0 else { return forbidden }
        let reuse = reuses[Int(unit.reuse)]
        for index in scan.table.range(Int(reuse.inst)) where index != Int(reuse.tiedOperand) {
            let operand = scan.table.operands[index]
            guard operand.kind == .use else { continue }
            if case .fixed(let preg) = operand.constraint { forbidden.insert(preg) }
            if let preg = operand.reg.physical { forbidden.insert(preg) }
            let unitIndex = unitOfOperand[index]
            if unitIndex >= 0, let preg = assignment[Int(unitIndex)] { forbidden.insert(preg) }
            if let vreg = operand.reg.virtual, let location = location(ofVReg: Int(vreg.index)),
               case .register(let preg) = location {
                forbidden.insert(preg)
            }
        }
        return forbidden
    }

    /// Where a virtual register lives (its register, or its spill slot), if decided.
    func location(ofVReg vreg: Int) -> Location? {
        if scan.spillSlot[vreg] >= 0 { return .spillSlot(UInt32(scan.spillSlot[vreg])) }
        let unit = unitOfVReg[vreg]
        guard unit >= 0, let preg = assignment[Int(unit)] else { return nil }
        return .register(preg)
    }
}
