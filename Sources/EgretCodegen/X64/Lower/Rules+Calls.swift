import EgretIR

/// Calls and returns: return, call, call_indirect, return_call, return_call_indirect,
/// func_addr. Where each value goes is the calling-convention data's business
/// (`ABISignature`); these rules only move values to and from those places.
///
///     return         extend (uext/sext) → FixedUse in a return register, or store
///                    through the hidden return-area pointer; `ret` (`ret $n` for tail)
///     call           extend → FixedUse in an argument register, or store to
///                    .outgoingArguments + offset; lea of the return area (after the
///                    stack arguments) into the hidden pointer register; the call
///                    with FixedDefs for register results and the callee convention's
///                    caller-saved registers as clobbers; loads of the results that
///                    came back in the return area
///     return_call    arguments as for a call (stack ones at .outgoingArguments + 0),
///                    the function's own return-area pointer handed on; then the
///                    tail-call form, which the emission expands (X64Inst.swift)
///
/// Narrow results and arguments without an extension flag keep unspecified upper bits,
/// as everywhere. The convention of a call is the callee's, from its signature.
extension X64LoweringRules {
    static var calls: [LoweringRule] {
        [
            LoweringRule(name: "return", opcode: .return, types: [], priority: 0,
                         priorityReason: "the only rule", pattern: []) { b in
                try emitReturn(b)
            },
            LoweringRule(name: "call", opcode: .call, types: [], priority: 0,
                         priorityReason: "the only rule: a direct call with a pcRel32 relocation", pattern: []) { b in
                try emitCall(b, firstArgument: 0)
            },
            LoweringRule(name: "call_indirect", opcode: .call_indirect, types: [], priority: 0,
                         priorityReason: "the only rule: a call through a register", pattern: [.register]) { b in
                try emitCall(b, firstArgument: 1)
            },
            LoweringRule(name: "return_call", opcode: .return_call, types: [], priority: 0,
                         priorityReason: "the only rule: a tail call that reuses the frame's argument area",
                         pattern: []) { b in
                try emitTailCall(b, firstArgument: 0)
            },
            LoweringRule(name: "return_call_indirect", opcode: .return_call_indirect, types: [], priority: 0,
                         priorityReason: "the only rule: a tail call through r11", pattern: [.register]) { b in
                try emitTailCall(b, firstArgument: 1)
            },
            LoweringRule(name: "func_addr", opcode: .func_addr, types: [.i64], priority: 0,
                         priorityReason: "the only rule: movabs with an absolute64 relocation, or under is_pic "
                            + "a load from the global offset table", pattern: []) { b in
                b.emit(.loadSymbol(name: try b.functionReference(), dst: b.result(0),
                                   throughGOT: b.positionIndependent))
            },
        ]
    }

    static func emitReturn(_ b: any LoweringBuilder) throws {
        let signature = b.functionSignature
        guard let popBytes = UInt16(exactly: signature.calleePopSize) else {
            throw CodegenError.unsupported("a tail function with \(signature.calleePopSize) bytes of stack arguments "
                                           + "(ret pops at most 65535)")
        }
        var uses: [FixedUse] = []
        uses.reserveCapacity(signature.returns.count + 1)
        for (index, value) in signature.returns.enumerated() {
            for (register, location) in producedParts(b, operand: index, value) {
                switch location {
                case .register(let preg):
                    uses.append(FixedUse(register, in: preg))
                case .stack(let offset):
                    // The caller provided the area: the store cannot fault (notrap).
                    guard let pointer = b.returnAreaPointer else { continue }
                    b.emit(storeToSlot(value, register, .base(pointer, offset)))
                }
            }
        }
        if let pointer = b.structReturnPointer {
            uses.append(FixedUse(pointer.reg, in: ABISignature.structReturnRegister))
        }
        b.emit(.ret(returns: uses, popBytes: popBytes))
    }

    static func emitCall(_ b: any LoweringBuilder, firstArgument: Int) throws {
        let callee = try b.callee()
        let signature = callee.signature
        var uses = emitArguments(b, signature, firstArgument: firstArgument)
        if let pointerRegister = signature.returnAreaPointer {
            let pointer = b.newGpr()
            b.emit(.lea(size: .size64, address: Amode(.frame(.outgoingArguments,
                                                              displacement: Int32(signature.stackArgumentsSize))),
                        dst: pointer))
            uses.append(FixedUse(pointer.reg.reg, in: pointerRegister))
        }
        var defs: [FixedDef] = []
        defs.reserveCapacity(signature.returns.count)
        var clobbers = signature.convention.callerSaved
        for (index, value) in signature.returns.enumerated() {
            for (register, location) in resultParts(b, result: index, value) {
                if case .register(let preg) = location {
                    defs.append(FixedDef(Writable(register), in: preg))
                    clobbers.remove(preg)
                }
            }
        }
        b.noteCallClobbers(signature.convention.callerSaved)
        let info = CallInfo(uses: uses, defs: defs, clobbers: clobbers, calleePopSize: Int32(signature.calleePopSize))
        if let name = callee.name {
            b.emit(.callKnown(name: name, info: info))
        } else {
            b.emit(.callUnknown(target: .reg(b.gpr(0)), info: info))
        }
        for (index, value) in signature.returns.enumerated() {
            for (register, location) in resultParts(b, result: index, value) {
                guard case .stack(let offset) = location else { continue }
                let place = Amode(.frame(.outgoingArguments,
                                         displacement: Int32(signature.stackArgumentsSize) + offset))
                if let xmm = Xmm(register) {
                    b.emit(.xmmLoad(FloatWidth(value.type).choose(.movss, .movsd), src: place, dst: Writable(xmm)))
                } else if let gpr = Gpr(register) {
                    b.emit(.load(size: .size64, src: place, dst: Writable(gpr)))
                }
            }
        }
        b.reserveOutgoingArguments(signature.outgoingAreaSize)
    }

    static func emitTailCall(_ b: any LoweringBuilder, firstArgument: Int) throws {
        let callee = try b.callee()
        let signature = callee.signature
        guard b.functionSignature.convention.supportsTailCalls && signature.convention.supportsTailCalls else {
            throw CodegenError.unsupported("\(b.opcode.name) from a \(b.functionSignature.convention.name) function to "
                                           + "a \(signature.convention.name) one (only tail supports tail calls)")
        }
        var uses = emitArguments(b, signature, firstArgument: firstArgument)
        if let pointerRegister = signature.returnAreaPointer {
            // The callee returns what we return: it fills our caller's return area.
            guard let pointer = b.returnAreaPointer else {
                throw CodegenError.internalError("a tail callee with a return area from a function without one")
            }
            uses.append(FixedUse(pointer.reg, in: pointerRegister))
        }
        let info = ReturnCallInfo(uses: uses, stackArgumentsSize: Int32(signature.stackArgumentsSize))
        if let name = callee.name {
            b.emit(.returnCallKnown(name: name, info: info))
        } else {
            b.emit(.returnCallUnknown(target: b.gpr(0), info: info))
        }
        b.reserveOutgoingArguments(signature.stackArgumentsSize)
    }

    /// Puts every argument where the signature wants it: register arguments become
    /// the returned fixed uses, stack arguments are stored to the outgoing area.
    static func emitArguments(_ b: any LoweringBuilder, _ signature: ABISignature, firstArgument: Int) -> [FixedUse] {
        var uses: [FixedUse] = []
        uses.reserveCapacity(signature.parameters.count + 1)
        for (index, value) in signature.parameters.enumerated() {
            for (register, location) in producedParts(b, operand: firstArgument + index, value) {
                switch location {
                case .register(let preg):
                    uses.append(FixedUse(register, in: preg))
                case .stack(let offset):
                    b.emit(storeToSlot(value, register, Amode(.frame(.outgoingArguments, displacement: offset))))
                }
            }
        }
        return uses
    }

    /// An operand as the convention wants it produced: extended to 64 bits when the
    /// signature says `uext`/`sext` and the type is narrower.
    static func producedValue(_ b: any LoweringBuilder, operand: Int, _ value: ABISignature.Value) -> Gpr {
        let register = b.gpr(operand)
        guard value.isExtended else { return register }
        return b.extend(register, from: value.type, signed: value.extension_ == .sext, to: .size64)
    }

    /// An operand's registers as the convention wants them produced, each with its
    /// location: an xmm register for f32/f64, the (possibly extended) general-purpose
    /// register of `producedValue` for integers up to 64 bits, the low and the high
    /// half of an i128.
    static func producedParts(_ b: any LoweringBuilder, operand: Int,
                              _ value: ABISignature.Value) -> [(Reg, ABISignature.Location)] {
        if value.type.isFloat { return [(b.xmm(operand).reg, value.location)] }
        guard let highLocation = value.highLocation else {
            return [(producedValue(b, operand: operand, value).reg, value.location)]
        }
        let pair = b.gprPair(operand)
        return [(pair.low.reg, value.location), (pair.high.reg, highLocation)]
    }

    /// A call result's registers, each with the location the callee leaves it in.
    static func resultParts(_ b: any LoweringBuilder, result: Int,
                            _ value: ABISignature.Value) -> [(Reg, ABISignature.Location)] {
        if value.type.isFloat { return [(b.xmmResult(result).reg.reg, value.location)] }
        guard let highLocation = value.highLocation else { return [(b.result(result).reg.reg, value.location)] }
        let pair = b.resultPair(result)
        return [(pair.low.reg.reg, value.location), (pair.high.reg.reg, highLocation)]
    }

    /// The store of a part from `producedParts` into its slot.
    static func storeToSlot(_ value: ABISignature.Value, _ register: Reg, _ place: Amode) -> X64Inst {
        if let xmm = Xmm(register) {
            return .xmmStore(FloatWidth(value.type).choose(.movss, .movsd), src: xmm, dst: place)
        }
        guard let gpr = Gpr(register) else { preconditionFailure("a slot value \(register) of no class") }
        return .store(size: slotSize(value), src: gpr, dst: place)
    }

    /// Bytes a value occupies in its stack slot: 8 when extended or one half of an
    /// i128, else its width.
    static func slotSize(_ value: ABISignature.Value) -> OperandSize {
        value.isExtended || value.highLocation != nil ? .size64 : OperandSize(exactly: value.type)
    }
}
