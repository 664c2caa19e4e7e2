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
public enum X64Emitter {
    public static func emit(_ vcode: VCode<X64Inst>, allocation: RegAllocation, frame: X64Frame,
                            features: X64Features = .default) throws -> EmittedFunction {
        var buffer = CodeBuffer()
        buffer.reserveLabels(vcode.blocks.count)
        var unwind: [UnwindRecord] = []
        frame.emitPrologue(into: &buffer, unwind: &unwind)
        for edit in allocation.entryEdits { emitEdit(edit, frame: frame, into: &buffer) }
        var editIndex = 0
        let edits = allocation.edits
        // With every feature a row may need enabled (the default), no instruction can
        // need a missing one: the check per instruction is skipped.
        let checksFeatures = !features.isSuperset(of: X64Form.everyRequirement)
        for (block, data) in vcode.blocks.enumerated() {
            buffer.bind(MachLabel(UInt32(block)))
            for index in data.instRange {
                while editIndex < edits.count && edits[editIndex].position == Edit.before(index) {
                    emitEdit(edits[editIndex], frame: frame, into: &buffer)
                    editIndex += 1
                }
                var inst = vcode.insts[index]
                if checksFeatures, let (form, missing) = inst.missingFeature(features) {
                    throw CodegenError.internalError("form \(form) (`\(form.row.mnemonic)`) needs \(missing), "
                                                     + "which is not enabled (enabled: \(features))")
                }
                var applier = AllocationApplier(allocation.allocations(ofInstruction: index))
                inst.visitOperands(&applier)
                if let (source, destination) = inst.copiedRegisters, source == destination {
                    // A copy the allocator coalesced away.
                } else {
                    if case .ret = inst {
                        frame.emitEpilogue(into: &buffer)
                    } else if case .returnCallKnown(_, let info) = inst {
                        frame.emitTailCallEpilogue(stackArgumentsSize: info.stackArgumentsSize, into: &buffer)
                    } else if case .returnCallUnknown(_, let info) = inst {
                        frame.emitTailCallEpilogue(stackArgumentsSize: info.stackArgumentsSize, into: &buffer)
                    }
                    // Every register is the allocator's (the applier above requires one
                    // per operand): no scan for virtual registers.
                    inst.mapMemoryOperand(frame.resolve).encodeAllocated(into: &buffer)
                }
                while editIndex < edits.count && edits[editIndex].position == Edit.after(index) {
                    emitEdit(edits[editIndex], frame: frame, into: &buffer)
                    editIndex += 1
                }
            }
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

    static func emitEdit(_ edit: Edit, frame: X64Frame, into buffer: inout CodeBuffer) {
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
        inst.mapMemoryOperand(frame.resolve).encodeAllocated(into: &buffer)
    }
}

/// A function's machine code with what the JIT and unwinder need to know.
public struct EmittedFunction: Sendable {
    public var code: FinishedCode
    public var unwind: [UnwindRecord]
    public var frame: X64Frame
}
