/// Turning a successful pass into a `RegAllocation`: operand registers and the edits
/// that satisfy fixed constraints, two-address defs and spills.
extension ScanPass {
    mutating func result() throws -> RegAllocation {
        var allocation = RegAllocation()
        let table = scan.table
        allocation.operandAllocations.reserveCapacity(table.operands.count)
        allocation.operandOffsets = table.offsets
        allocation.spillSlotCount = scan.spillSlotCount
        for argument in scan.vcode.entryArguments {
            guard let vreg = argument.reg.reg.virtual, let home = location(ofVReg: Int(vreg.index)) else { continue }
            if home != .register(argument.preg) {
                allocation.entryEdits.append(Edit(position: -1, from: .register(argument.preg), to: home))
            }
        }
        // Borrowed registers: saved to slots `firstBorrowSlot + k` before their
        // instruction (ahead of the reloads that overwrite them) and restored after it
        // (behind the stores of the instruction's results), k counting the borrows of
        // one instruction.
        let borrowsByInst = borrows.sorted { $0.inst < $1.inst }
        let firstBorrowSlot = UInt32(scan.spillSlotCount)
        var nextBorrow = 0
        var borrowSlotsUsed = 0
        for inst in scan.vcode.insts.indices {
            let range = table.range(inst)
            for index in range {
                allocation.operandAllocations.append(try register(ofOperand: index, at: inst))
            }
            var borrowEnd = nextBorrow
            while borrowEnd < borrowsByInst.count && borrowsByInst[borrowEnd].inst == inst { borrowEnd += 1 }
            for (k, borrow) in borrowsByInst[nextBorrow ..< borrowEnd].enumerated() {
                allocation.edits.append(Edit(position: Edit.before(inst), from: .register(borrow.register),
                                             to: .spillSlot(firstBorrowSlot + UInt32(k))))
            }
            for index in range where table.operands[index].kind == .use {
                try addEditsBefore(inst, forUse: index, into: &allocation)
            }
            for index in range where table.operands[index].kind == .def {
                try addEditsAfter(inst, forDef: index, into: &allocation)
            }
            for (k, borrow) in borrowsByInst[nextBorrow ..< borrowEnd].enumerated() {
                allocation.edits.append(Edit(position: Edit.after(inst), from: .spillSlot(firstBorrowSlot + UInt32(k)),
                                             to: .register(borrow.register)))
            }
            borrowSlotsUsed = max(borrowSlotsUsed, borrowEnd - nextBorrow)
            nextBorrow = borrowEnd
        }
        allocation.spillSlotCount += borrowSlotsUsed
        for index in allocation.operandAllocations.indices where table.operands.isDef(index) {
            allocation.writtenRegisters.insert(allocation.operandAllocations[index])
        }
        for edits in [allocation.entryEdits, allocation.edits] {
            for edit in edits {
                if case .register(let preg) = edit.destination { allocation.writtenRegisters.insert(preg) }
            }
        }
        return allocation
    }

    private func register(ofOperand index: Int, at inst: Int) throws -> PReg {
        let operand = scan.table.operands[index]
        if case .fixed(let preg) = operand.constraint { return preg }
        if let preg = operand.reg.physical { return preg }
        let unit = unitOfOperand[index]
        guard unit >= 0, let preg = assignment[Int(unit)] else {
            throw RegAllocError("instruction \(inst): operand \(operand.reg) got no register")
        }
        return preg
    }

    private func home(of reg: Reg, at inst: Int) throws -> Location {
        guard let vreg = reg.virtual, let location = location(ofVReg: Int(vreg.index)) else {
            throw RegAllocError("instruction \(inst): \(reg) has no location")
        }
        return location
    }

    private func addEditsBefore(_ inst: Int, forUse index: Int, into allocation: inout RegAllocation) throws {
        let operand = scan.table.operands[index]
        guard operand.reg.isVirtual else { return }
        let target: PReg
        if case .fixed(let preg) = operand.constraint {
            target = preg
        } else {
            let unit = unitOfOperand[index]
            // A whole register used in place needs nothing; a tied use (in place or via
            // a temporary) or a spilled use (a temporary) is copied in.
            let isTied = unit >= 0 && tiedOperand(of: units[Int(unit)]) == Int32(index)
            let isTemporary = unit >= 0 && units[Int(unit)].vreg < 0
            guard isTied || isTemporary else { return }
            target = try register(ofOperand: index, at: inst)
        }
        let source = try home(of: operand.reg, at: inst)
        if source != .register(target) {
            allocation.edits.append(Edit(position: Edit.before(inst), from: source, to: .register(target)))
        }
    }

    private func addEditsAfter(_ inst: Int, forDef index: Int, into allocation: inout RegAllocation) throws {
        let operand = scan.table.operands[index]
        guard operand.reg.isVirtual else { return }
        let written = try register(ofOperand: index, at: inst)
        let destination = try home(of: operand.reg, at: inst)
        if destination != .register(written) {
            allocation.edits.append(Edit(position: Edit.after(inst), from: .register(written), to: destination))
        }
    }
}
