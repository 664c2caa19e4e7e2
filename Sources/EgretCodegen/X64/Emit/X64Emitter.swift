import EgretIR

/// Emission: allocated VCode → machine code.
///
/// Requires: `allocation` was made for `vcode` (and passed the checker when checking
/// is on); `frame` was laid out from the same allocation.
/// Guarantees: block b starts at `MachLabel(b)`; the prologue runs first, then the
/// allocator's entry edits; each instruction is preceded and followed by its edits;
/// every `ret` is preceded by the epilogue; register copies whose source and
/// destination coincide are dropped; no `.frame` address reaches the encoder; no form
/// needs a CPU feature beyond `features` (else `CodegenError.internalError` names the
/// form and the feature).
///
/// Two peephole steps on the way out, neither visible to the allocator or the SMT
/// verifier (which see the VCode):
/// - **Branches to the next block.** A block's final `jmp` to the block emitted right
///   after it is dropped, and `jcc next; jmp other` becomes `j!cc other` falling
///   through to next (when no allocator edit sits between them): loops and diamonds
///   then cost one branch where they cost two.
/// - **Jumps to jumps.** A branch to a block that holds nothing but `jmp T` (an edge
///   block whose moves all vanished) goes to T directly, so a loop's back edge is the
///   one conditional branch. The block itself is still emitted (a jump table may
///   reach it).
/// - **Redundant tests.** `test r, r` right after an `add`, `sub`, `and`, `or` or `xor`
///   that wrote r at the same width is dropped when the instruction after it reads
///   only ZF or SF (`je`, `jne`, `js`, `jns`, and cmov/set/trap on them): the ALU
///   instruction left those flags exactly as the test would (only CF and OF differ).
///   A loop that counts down then tests its counter once.
/// - **False dependencies.** `cvtsi2ss`, `sqrtss`, `roundss` and `cvtss2sd` write only
///   the low lane of their destination and so wait for its previous value (in a loop,
///   the last iteration's). When the destination is not also the source, `xorps dst,
///   dst` first breaks that chain; the lanes it clears are lanes no float value uses.
public enum X64Emitter {
    public static func emit(_ vcode: VCode<X64Inst>, allocation: RegAllocation, frame: X64Frame,
                            features: X64Features = .default) throws -> EmittedFunction {
        var buffer = CodeBuffer()
        buffer.reserveLabels(vcode.blocks.count)
        var unwind: [UnwindRecord] = []
        // One closure for the whole function: `frame.resolve` written at each use would
        // copy the frame (and retain its arrays) for every instruction. A frame address
        // beyond a 32-bit displacement is remembered and reported once emission ends.
        var unreachable: Amode?
        let resolve: (Amode) -> Amode = { amode in
            if let resolved = frame.resolve(amode) { return resolved }
            if unreachable == nil { unreachable = amode }
            return Amode(.base(Gpr(PReg.rsp), displacement: 0), trap: amode.trap)
        }
        frame.emitPrologue(into: &buffer, unwind: &unwind)
        for edit in allocation.entryEdits { emitEdit(edit, resolve: resolve, into: &buffer) }
        var editIndex = 0
        let edits = allocation.edits
        // With every feature a row may need enabled (the default), no instruction can
        // need a missing one: the check per instruction is skipped.
        let checksFeatures = !features.isSuperset(of: X64Form.everyRequirement)
        let threaded = jumpTargets(vcode, edits: edits)
        // The register and width the last instruction emitted wrote with ZF and SF set
        // from its result (nil after anything else, edits included).
        var flagsOfResult: (register: Gpr, size: OperandSize)?
        for (block, data) in vcode.blocks.enumerated() {
            buffer.bind(MachLabel(UInt32(block)))
            let next = MachLabel(UInt32(block + 1))
            var skipped: Int?
            flagsOfResult = nil
            for index in data.instRange {
                while editIndex < edits.count && edits[editIndex].position == Edit.before(index) {
                    emitEdit(edits[editIndex], resolve: resolve, into: &buffer)
                    editIndex += 1
                    flagsOfResult = nil
                }
                var inst = vcode.insts[index]
                if checksFeatures, let (form, missing) = inst.missingFeature(features) {
                    throw CodegenError.internalError("form \(form) (`\(form.row.mnemonic)`) needs \(missing), "
                                                     + "which is not enabled (enabled: \(features))")
                }
                var applier = AllocationApplier(allocation.allocations(ofInstruction: index))
                inst.visitOperands(&applier)
                let editsAfter = editIndex < edits.count && edits[editIndex].position == Edit.after(index)
                let resultFlags = flagsOfResult
                flagsOfResult = Self.flagsSetByResult(inst)
                if let (source, destination) = inst.copiedRegisters, source == destination {
                    // A copy the allocator coalesced away.
                    flagsOfResult = resultFlags
                } else if let resultFlags, Self.testsOnly(resultFlags, inst),
                          index + 1 < data.instRange.upperBound, Self.readsOnlyZeroOrSign(vcode.insts[index + 1]) {
                    // The flags are already the test's.
                    flagsOfResult = resultFlags
                } else if skipped == index {
                    // The jmp a preceding jcc took over.
                } else if case .jmp(let label) = inst, threaded(label) == next, index == data.instRange.last, !editsAfter {
                    // Falls through.
                } else if case .jmp(let label) = inst {
                    X64Inst.jmp(target: threaded(label)).encodeAllocated(into: &buffer)
                } else if case .jcc(let cc, let label) = inst, threaded(label) != label {
                    X64Inst.jcc(cc: cc, target: threaded(label)).encodeAllocated(into: &buffer)
                } else if case .jcc(let cc, let target) = inst, target == next, !editsAfter,
                          index + 1 == data.instRange.last, !hasEdits(before: index + 1, edits, from: editIndex),
                          case .jmp(let other) = vcode.insts[index + 1] {
                    X64Inst.jcc(cc: cc.inverse, target: threaded(other)).encodeAllocated(into: &buffer)
                    skipped = index + 1
                } else {
                    breakFalseDependency(of: inst, into: &buffer)
                    if case .ret = inst {
                        frame.emitEpilogue(into: &buffer, unwind: &unwind)
                    } else if case .returnCallKnown(_, let info) = inst {
                        frame.emitTailCallEpilogue(stackArgumentsSize: info.stackArgumentsSize, into: &buffer,
                                                   unwind: &unwind)
                    } else if case .returnCallUnknown(_, let info) = inst {
                        frame.emitTailCallEpilogue(stackArgumentsSize: info.stackArgumentsSize, into: &buffer,
                                                   unwind: &unwind)
                    }
                    // Every register is the allocator's (the applier above requires one
                    // per operand): no scan for virtual registers.
                    inst.mapMemoryOperand(resolve).encodeAllocated(into: &buffer)
                    switch inst {
                    case .ret, .returnCallKnown, .returnCallUnknown:
                        unwind.append(.epilogueEnd(codeOffset: buffer.bytes.count))
                    default:
                        break
                    }
                }
                while editIndex < edits.count && edits[editIndex].position == Edit.after(index) {
                    emitEdit(edits[editIndex], resolve: resolve, into: &buffer)
                    editIndex += 1
                    flagsOfResult = nil
                }
            }
        }
        if let unreachable, case .frame(let place, let displacement) = unreachable.address {
            throw CodegenError.unsupported("implementation limit exceeded: the frame address \(place)+\(displacement) "
                                           + "lies beyond a 32-bit displacement")
        }
        guard editIndex == edits.count else {
            throw CodegenError.internalError("register allocation edits out of order at edit \(editIndex)")
        }
        let code: FinishedCode
        do {
            code = try buffer.finish()
        } catch {
            throw CodegenError.internalError("\(error)")
        }
        return EmittedFunction(code: code, unwind: unwind, frame: frame)
    }

    /// Where a branch to each label ends up: a block that is only `jmp T` (with no
    /// allocator edits) passes its branches on to T (followed a few steps, never round
    /// a cycle).
    static func jumpTargets(_ vcode: VCode<X64Inst>, edits: [Edit]) -> (MachLabel) -> MachLabel {
        var passesOn = [MachLabel?](repeating: nil, count: vcode.blocks.count)
        var edited = [Bool](repeating: false, count: vcode.insts.count)
        for edit in edits where edit.position / 2 < edited.count { edited[edit.position / 2] = true }
        for (block, data) in vcode.blocks.enumerated() where block > 0 && data.instRange.count == 1 {
            let index = data.instRange.lowerBound
            guard !edited[index], case .jmp(let target) = vcode.insts[index],
                  target != MachLabel(UInt32(block)) else { continue }
            passesOn[block] = target
        }
        return { label in
            var current = label
            for _ in 0 ..< 8 {
                guard Int(current.index) < passesOn.count, let next = passesOn[Int(current.index)] else { break }
                current = next
            }
            return current
        }
    }

    /// The register and width whose value `inst` sets ZF and SF from, if it does.
    static func flagsSetByResult(_ inst: X64Inst) -> (register: Gpr, size: OperandSize)? {
        guard case .aluRmiR(let form, let size, _, _, let dst) = inst,
              form == .add || form == .sub || form == .and || form == .or || form == .xor else { return nil }
        return (dst.reg, size)
    }

    /// Whether `inst` is `test r, r` of that register at that width.
    static func testsOnly(_ flags: (register: Gpr, size: OperandSize), _ inst: X64Inst) -> Bool {
        guard case .cmpRmiR(.test, let size, let first, .reg(let second)) = inst else { return false }
        return size == flags.size && first == flags.register && second == flags.register
    }

    /// Whether `inst` reads no flag but ZF and SF.
    static func readsOnlyZeroOrSign(_ inst: X64Inst) -> Bool {
        let conditions: Set<CC> = [.e, .ne, .s, .ns]
        if case .jcc(let cc, _) = inst { return conditions.contains(cc) }
        if case .cmove(_, let cc, _, _, _) = inst { return conditions.contains(cc) }
        if case .setcc(let cc, _) = inst { return conditions.contains(cc) }
        if case .trapIf(let cc, _) = inst { return conditions.contains(cc) }
        return false
    }

    /// Whether an allocator edit sits just before instruction `index`.
    static func hasEdits(before index: Int, _ edits: [Edit], from start: Int) -> Bool {
        var position = start
        while position < edits.count && edits[position].position < Edit.before(index) { position += 1 }
        return position < edits.count && edits[position].position == Edit.before(index)
    }

    /// `xorps dst, dst` before an instruction that writes only the low lane of `dst`
    /// from another source (see the type's comment).
    static func breakFalseDependency(of inst: X64Inst, into buffer: inout CodeBuffer) {
        var written: (destination: Writable<Xmm>, source: XmmMem?)?
        if case .gprToXmm(let form, _, _, let dst) = inst, form == .cvtsi2ss || form == .cvtsi2sd {
            written = (dst, nil)
        }
        if case .xmmUnaryRmR(_, let src, let dst) = inst { written = (dst, src) }
        if case .xmmUnaryRmRImm(_, _, let src, let dst) = inst { written = (dst, src) }
        guard let (destination, source) = written else { return }
        if case .reg(let register) = source, register == destination.reg { return }
        X64Inst.xmmRmR(.xorps, src1: destination.reg, src2: .reg(destination.reg), dst: destination)
            .encodeAllocated(into: &buffer)
    }

    static func emitEdit(_ edit: Edit, resolve: (Amode) -> Amode, into buffer: inout CodeBuffer) {
        let inst: X64Inst
        switch (edit.source, edit.destination) {
        case (.register(let source), .register(let destination)):
            if source == destination { return }
            inst = .registerMove(from: source, to: destination)
        case (.register(let source), .spillSlot(let slot)):
            inst = .spill(source, to: slot)
        case (.spillSlot(let slot), .register(let destination)):
            inst = .reload(destination, from: slot)
        case (.spillSlot, .spillSlot):
            preconditionFailure("the allocator never copies between spill slots")
        }
        // Built from the allocation's physical registers.
        inst.mapMemoryOperand(resolve).encodeAllocated(into: &buffer)
    }
}

/// A function's machine code with what the JIT and unwinder need to know.
public struct EmittedFunction: Sendable {
    public var code: FinishedCode
    public var unwind: [UnwindRecord]
    public var frame: X64Frame
}
