import EgretIR

/// Stack slot layout, loads, stores and atomics.
extension FunctionDecoder {
    /// The largest stack slot alignment honoured; larger requests are clamped (64 KiB is
    /// far beyond anything a frame needs and keeps the padding bounded).
    static let maximumSlotAlignmentLog2 = 16
    /// Slots start at least 8-byte aligned, like the slots of a real frame, so that a
    /// slot's padding separates it from its neighbour.
    static let minimumSlotAlignment = 8

    /// Places each stack slot in the frame's stack area, in declaration order, each at
    /// its alignment. Bytes between slots belong to no slot: accessing them traps.
    mutating func layOutStackSlots() {
        var offset = 0
        var areaAlignment = 16
        for slot in function.stackSlots {
            let alignment = max(1 << min(Int(slot.alignmentLog2), Self.maximumSlotAlignmentLog2),
                                Self.minimumSlotAlignment)
            offset = (offset + alignment - 1) & ~(alignment - 1)
            program.stackSlots.append(StackSlotLayout(offset: offset, size: Int(slot.size)))
            offset += Int(slot.size)
            areaAlignment = max(areaAlignment, alignment)
        }
        program.frames[functionIndex].stackSlotStart = Int32(stackSlotBase)
        program.frames[functionIndex].stackSlotCount = Int32(function.stackSlots.count)
        program.frames[functionIndex].stackAreaSize = offset
        program.frames[functionIndex].stackAreaAlignment = areaAlignment
        program.frames[functionIndex].frameCost = (offset + 15) / 16 * 16 + Interpreter.frameOverhead
    }

    /// The trap code, byte order and address width of an access.
    private func accessAttributes(_ flags: MemFlags, address: Value) -> (code: UInt8, flags: UInt8) {
        // `notrap` promises the access is in bounds; if the promise is broken the
        // interpreter still reports the default code rather than misbehaving.
        let code = (flags.trapCode ?? .heapOutOfBounds).raw
        var accessFlags: UInt8 = flags.endianness == .big ? MemoryAccessFlags.bigEndian : 0
        if type(address).bits == 32 { accessFlags |= MemoryAccessFlags.address32 }
        return (code, accessFlags)
    }

    /// `load`, the extending loads and `atomic_load`: as many bytes from memory as the
    /// opcode's access says (`OpcodeInfo.access`), extended to the result.
    mutating func load(_ inst: Inst) throws(Failure) {
        let p = try prepare(inst)
        let access = p.data.opcode.info.access ?? .wholeValue
        let resultType = type(p.results[0])
        var instruction = MicroInstruction(access.signExtends ? .sload : .load, bits: resultType.bits,
                                           destination: p.result(0), a: p.argument(0),
                                           immediate: UInt64(bitPattern: Int64(p.data.offset)))
        instruction.otherBits = UInt8(8 * access.bytes(at: resultType))
        (instruction.code, instruction.flags) = accessAttributes(p.data.flags, address: p.arguments[0])
        emit(instruction)
    }

    /// `store`, the truncating stores and `atomic_store`: the low bytes of the value
    /// the opcode's access says (all of them for `store`).
    mutating func store(_ inst: Inst) throws(Failure) {
        let p = try prepare(inst)
        let access = p.data.opcode.info.access ?? .wholeValue
        let valueType = type(p.arguments[0])
        var instruction = MicroInstruction(.store, bits: valueType.bits, a: p.argument(1), b: p.argument(0),
                                           immediate: UInt64(bitPattern: Int64(p.data.offset)))
        instruction.otherBits = UInt8(8 * access.bytes(at: valueType))
        (instruction.code, instruction.flags) = accessAttributes(p.data.flags, address: p.arguments[1])
        emit(instruction)
    }

    mutating func stackAddress(_ inst: Inst) throws(Failure) {
        let p = try prepare(inst)
        let slot = Int(p.data.entity)
        guard slot < function.stackSlots.count else { throw .invalid("stack_addr names ss\(slot), which is not declared") }
        let slotOffset = program.stackSlots[stackSlotBase + slot].offset
        emit(MicroInstruction(.stackAddr, bits: p.bits, destination: p.result(0),
                              immediate: UInt64(bitPattern: Int64(slotOffset) &+ Int64(p.data.offset))))
    }

    mutating func atomicReadModifyWrite(_ inst: Inst) throws(Failure) {
        let p = try prepare(inst)
        guard let operation = AtomicRmwOp(rawValue: p.data.code) else { throw .invalid("bad atomic_rmw operation") }
        var instruction = MicroInstruction(.atomicRmw, bits: p.bits, destination: p.result(0), a: p.argument(0),
                                           b: p.argument(1))
        instruction.otherBits = operation.rawValue
        (instruction.code, instruction.flags) = accessAttributes(p.data.flags, address: p.arguments[0])
        emit(instruction)
    }

    mutating func atomicCompareAndSwap(_ inst: Inst) throws(Failure) {
        let p = try prepare(inst)
        var instruction = MicroInstruction(.atomicCas, bits: p.bits, destination: p.result(0), a: p.argument(0),
                                           b: p.argument(1), c: p.argument(2))
        (instruction.code, instruction.flags) = accessAttributes(p.data.flags, address: p.arguments[0])
        emit(instruction)
    }
}
