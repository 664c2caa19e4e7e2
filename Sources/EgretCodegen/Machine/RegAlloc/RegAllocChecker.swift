/// Verifies a register allocation symbolically against its VCode, as regalloc2's
/// checker does: it tracks which virtual register's value each physical register and
/// spill slot holds at every point, and requires every use to read its own value.
///
/// Requires: nothing of the allocation (that is what it checks).
/// Guarantees: when it returns, executing the instructions with the allocated
/// registers and the edits in emission order gives every use operand the value of
/// its virtual register along every path; constraints (fixed registers, reuse, class)
/// hold for every operand, and no early def shares a register with another operand of
/// its instruction. When it throws, a `RegAllocError` about one operand carries a
/// `CheckerFailure`: the instruction's index and the kind of problem, which
/// `Compiler.compile` traces back to the IR instruction (`RejectedAllocation`).
///
/// The abstract state maps each location to a virtual register (or "unknown"); at a
/// join, locations whose predecessors disagree become unknown. The dataflow runs to
/// a fixpoint over the blocks. Only a join (a block with several incoming edges, or
/// the entry block if anything branches to it) keeps its entry state; a block with one
/// predecessor is checked with the state its predecessor ends in, handed over on the
/// worklist, and checked again whenever that predecessor is. So the memory is one
/// state per join, not per block (a chain of a hundred thousand blocks keeps one).
public enum RegAllocChecker {
    public static func check<Inst: MachineInstruction>(_ vcode: VCode<Inst>, _ allocation: RegAllocation) throws {
        let table = try OperandTable(vcode.insts)
        guard allocation.operandOffsets == table.offsets else {
            throw RegAllocError("checker: the allocation does not cover the instructions' operands")
        }
        var checker = try CheckerRun(vcode: vcode, table: table, allocation: allocation)
        try checker.run()
    }
}

private struct CheckerRun<Inst: MachineInstruction> {
    let vcode: VCode<Inst>
    let table: OperandTable
    let allocation: RegAllocation
    /// The edits of position p (`Edit.before(i)`, `Edit.after(i)`) are
    /// `allocation.edits[editStart[p] ..< editStart[p + 1]]` (4 bytes a position).
    var editStart: [Int32]

    /// Location → virtual register index held (-1: unknown). Registers first (32
    /// dense indices), then spill slots.
    typealias State = [Int32]

    /// Requires nothing of the edits: ones out of position order, or at a position of
    /// no instruction, are an error.
    init(vcode: VCode<Inst>, table: OperandTable, allocation: RegAllocation) throws {
        self.vcode = vcode
        self.table = table
        self.allocation = allocation
        let positions = 2 * vcode.insts.count
        guard allocation.edits.count < Int(Int32.max) else { throw RegAllocError("checker: too many edits") }
        var start = [Int32](repeating: 0, count: positions + 1)
        var previous = 0
        for edit in allocation.edits {
            guard edit.position >= previous, edit.position < positions else {
                throw RegAllocError("checker: an edit at position \(edit.position) is out of order or of no instruction")
            }
            previous = edit.position
            start[edit.position + 1] += 1
        }
        for position in 0 ..< positions { start[position + 1] += start[position] }
        editStart = start
    }

    /// The edits of `position`.
    func edits(at position: Int) -> ArraySlice<Edit> {
        allocation.edits[Int(editStart[position]) ..< Int(editStart[position + 1])]
    }

    func slot(_ location: Location) -> Int {
        switch location {
        case .register(let preg): return preg.denseIndex
        case .spillSlot(let index): return 32 + Int(index)
        }
    }

    func apply(_ edits: ArraySlice<Edit>, to state: inout State) throws {
        for edit in edits {
            let destination = slot(edit.destination), source = slot(edit.source)
            guard destination < state.count, source < state.count else {
                throw RegAllocError("checker: edit \(edit.source) -> \(edit.destination) names a spill slot out of range")
            }
            state[destination] = state[source]
        }
    }

    mutating func run() throws {
        let locationCount = 32 + allocation.spillSlotCount
        var entry = State(repeating: -1, count: locationCount)
        for argument in vcode.entryArguments {
            entry[argument.preg.denseIndex] = Int32(argument.reg.reg.virtual?.index ?? 0)
        }
        try apply(allocation.entryEdits[...], to: &entry)
        guard !vcode.blocks.isEmpty else { return }
        var incomingEdges = [Int32](repeating: 0, count: vcode.blocks.count)
        for data in vcode.blocks {
            for successor in data.successors {
                guard incomingEdges.indices.contains(successor) else {
                    throw RegAllocError("checker: a block's successor \(successor) is not a block")
                }
                incomingEdges[successor] += 1
            }
        }
        func isJoin(_ block: Int) -> Bool { incomingEdges[block] > 1 || (block == 0 && incomingEdges[0] > 0) }
        // Entry states of joins; the worklist carries the state of any other block.
        var joinEntry = [State?](repeating: nil, count: vcode.blocks.count)
        var queued = [Bool](repeating: false, count: vcode.blocks.count)
        var worklist: [(block: Int, state: State?)] = []
        if isJoin(0) {
            joinEntry[0] = entry
            queued[0] = true
            worklist.append((0, nil))
        } else {
            worklist.append((0, entry))
        }
        while let (block, handed) = worklist.popLast() {
            var state: State
            if let handed {
                state = handed
            } else {
                queued[block] = false
                guard let stored = joinEntry[block] else { continue }
                state = stored
            }
            for inst in vcode.blocks[block].instRange {
                try step(inst, &state)
            }
            for successor in vcode.blocks[block].successors {
                guard isJoin(successor) else {
                    worklist.append((successor, state))
                    continue
                }
                let merged: State
                if let existing = joinEntry[successor] {
                    var meet = existing
                    for index in meet.indices where meet[index] != state[index] { meet[index] = -1 }
                    if meet == existing { continue }
                    merged = meet
                } else {
                    merged = state
                }
                joinEntry[successor] = merged
                if !queued[successor] {
                    queued[successor] = true
                    worklist.append((successor, nil))
                }
            }
        }
    }

    /// The error for `problem` at instruction `inst`.
    func failure(_ inst: Int, _ problem: CheckerFailure.Problem, _ detail: String) -> RegAllocError {
        RegAllocError(CheckerFailure(instruction: inst, instructionText: "\(vcode.insts[inst])", problem: problem,
                                     detail: detail))
    }

    func step(_ inst: Int, _ state: inout State) throws {
        try apply(edits(at: Edit.before(inst)), to: &state)
        let operands = table.range(inst)
        let registers = allocation.allocations(ofInstruction: inst)
        for (index, preg) in zip(operands, registers) {
            let operand = table.operands[index]
            guard preg.regClass == operand.reg.regClass else {
                throw failure(inst, .registerOfAnotherClass, "\(operand.reg) was given \(Reg(preg)) of another class")
            }
            switch operand.constraint {
            case .any:
                if let fixed = operand.reg.physical, fixed != preg {
                    throw failure(inst, .physicalOperandMoved, "physical operand \(operand.reg) was moved to \(Reg(preg))")
                }
            case .fixed(let required):
                if required != preg {
                    throw failure(inst, .fixedRegisterIgnored, "\(operand.reg) must be in \(Reg(required)), got \(Reg(preg))")
                }
            case .reuse(let tied):
                if registers[registers.startIndex + tied] != preg {
                    throw failure(inst, .reuseIgnored, "\(operand.reg) must reuse operand \(tied)'s register")
                }
            }
            guard operand.kind == .use, let vreg = operand.reg.virtual else { continue }
            let held = state[preg.denseIndex]
            if held != Int32(vreg.index) {
                let holding = held < 0 ? "an unknown value" : "%v\(held)"
                throw failure(inst, .useReadsWrongValue, "use of \(operand.reg) reads \(Reg(preg)), which holds \(holding)")
            }
        }
        // An early def is written while the instruction still reads its uses: it must
        // not share a register with any of them, nor with another def.
        for (index, preg) in zip(operands, registers)
        where table.operands[index].kind == .def && table.operands[index].position == .early {
            for (other, otherPreg) in zip(operands, registers) where other != index && otherPreg == preg {
                throw failure(inst, .earlyDefSharesRegister,
                              "early def \(table.operands[index].reg) shares \(Reg(preg)) with \(table.operands[other].reg)")
            }
        }
        for preg in table.clobbers[inst] { state[preg.denseIndex] = -1 }
        for (index, preg) in zip(operands, registers) where table.operands[index].kind == .def {
            state[preg.denseIndex] = Int32(table.operands[index].reg.virtual.map { Int($0.index) } ?? -1)
        }
        try apply(edits(at: Edit.after(inst)), to: &state)
    }
}
