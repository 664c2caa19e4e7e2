import EgretIR

/// Machine code for each x86-64 instruction shape, from its form's row.
///
/// Each shape picks the Op/En its operands need from the row (FormEncoding.swift)
/// and never looks at the mnemonic. Where a form has several encodings for one
/// operand kind, the shape chooses the shortest, as llvm-mc does, so the encoder
/// tests can compare bytes exactly: a register source uses MR when the row has it
/// (`addl %esi, %edi` is 01 /r), else RM (`imul`); a memory source uses RM (MR for
/// a compare without RM: `test`, which writes nothing); an immediate uses MI8 when
/// it fits a sign-extended byte, else I when the register is the accumulator, else
/// MI; a shift by one uses M1.
///
/// Requires: physical registers only (after register allocation), a size the form is
/// defined at, an Op/En the form has and, for two-address forms, `dst == src1` (the
/// allocator's reuse constraint). All are checked with preconditions: violating
/// them is a bug in the caller.
/// Guarantees: traps, label uses and relocations are recorded in the buffer at the
/// offsets the JIT and the trap handler need.
extension X64Inst {
    public func encode(into buffer: inout CodeBuffer) {
        checkPhysicalRegisters()
        encodeAllocated(into: &buffer)
    }

    /// `encode(into:)` for an instruction whose every register operand the caller has
    /// just replaced by its allocation (the emitter, through `AllocationApplier`, which
    /// requires one physical register per operand): the same bytes and form checks,
    /// without scanning the operands again for virtual registers, which costs about as
    /// much as the encoding itself.
    func encodeAllocated(into buffer: inout CodeBuffer) {
        checkForm()
        switch self {
        case .aluRmiR(let form, let size, let src1, let src2, let dst):
            requireTied(src1, dst)
            buffer.emitBinary(form, size: size, lhs: src1, rhs: src2, writesLhs: true)
        case .cmpRmiR(let form, let size, let src1, let src2):
            buffer.emitBinary(form, size: size, lhs: src1, rhs: src2, writesLhs: false)
        case .aluRmImmR(let form, let size, let src, let imm, let dst):
            let encoding = form.encoding
            let value = X64Inst.immediate(imm, at: size)
            let full = form.need(encoding.rm, "RM")
            let opcode = fitsInInt8(value) ? encoding.rmi8 ?? full : full
            buffer.emit(encoding, opcode, size: size, reg: .reg(dst.reg, isByte: false), rm: RmField(src, size: size),
                        immediate: value)
        case .mul(let form, let size, _, let src2, _, _):
            let encoding = form.encoding
            buffer.emit(encoding, form.need(encoding.m, "M"), size: size, reg: .digit(0), rm: RmField(src2, size: size))
        case .mul8(let form, _, let src2, _):
            let encoding = form.encoding
            buffer.emit(encoding, form.need(encoding.m, "M"), size: .size8, reg: .digit(0),
                        rm: RmField(src2, size: .size8))
        case .div(let form, let size, _, _, let divisor, _, _, let trap):
            let encoding = form.encoding
            buffer.addTrap(trap)
            buffer.emit(encoding, form.need(encoding.m, "M"), size: size, reg: .digit(0),
                        rm: RmField(X64Inst.divisorWithoutTrap(divisor, trap), size: size))
        case .div8(let form, _, let divisor, _, let trap):
            let encoding = form.encoding
            buffer.addTrap(trap)
            buffer.emit(encoding, form.need(encoding.m, "M"), size: .size8, reg: .digit(0),
                        rm: RmField(X64Inst.divisorWithoutTrap(divisor, trap), size: .size8))
        case .signExtendData(let form, _, _):
            let encoding = form.encoding
            buffer.emitBare(encoding, form.need(encoding.zo, "ZO"), size: form.sizes.single)
        case .shiftR(let form, let size, let src, let count, let dst):
            requireTied(src, dst)
            let encoding = form.encoding
            let rm = RmField.reg(src, isByte: size == .size8)
            switch count {
            case .imm(1) where encoding.m1 != nil:
                buffer.emit(encoding, form.need(encoding.m1, "M1"), size: size, reg: .digit(0), rm: rm)
            case .imm(let amount):
                buffer.emit(encoding, form.need(encoding.mi, "MI"), size: size, reg: .digit(0), rm: rm,
                            immediate: Int64(amount))
            case .cl:
                buffer.emit(encoding, form.need(encoding.mc, "MC"), size: size, reg: .digit(0), rm: rm)
            }
        case .unary(let form, let size, let src, let dst):
            requireTied(src, dst)
            let encoding = form.encoding
            if let m = encoding.m {
                buffer.emit(encoding, m, size: size, reg: .digit(0), rm: .reg(src, isByte: size == .size8))
            } else {
                buffer.emitPlusRegister(encoding, form.need(encoding.o, "M or O"), size: size, reg: src)
            }
        case .unaryRmR(let form, let size, let src, let dst):
            let encoding = form.encoding
            buffer.emit(encoding, form.need(encoding.rm, "RM"), size: size, reg: .reg(dst.reg, isByte: false),
                        rm: RmField(src, size: form.sourceSize ?? size))
        case .setcc(let cc, let dst):
            let encoding = FormID.set.encoding
            buffer.emit(encoding, FormID.set.need(encoding.m, "M"), size: .size8, reg: .digit(0),
                        rm: .reg(dst.reg, isByte: true), plus: cc.rawValue)
        case .cmove(let size, let cc, let consequent, let alternative, let dst):
            requireTied(alternative, dst)
            let encoding = FormID.cmov.encoding
            buffer.emit(encoding, FormID.cmov.need(encoding.rm, "RM"), size: size, reg: .reg(dst.reg, isByte: false),
                        rm: RmField(consequent, size: size), plus: cc.rawValue)
        case .movRR(let size, let src, let dst):
            let encoding = FormID.mov.encoding
            buffer.emit(encoding, FormID.mov.need(encoding.mr, "MR"), size: size, reg: .reg(src,
                                                                                            isByte: size == .size8),
                        rm: .reg(dst.reg, isByte: size == .size8))
        case .movImm(let size, let imm, let dst):
            buffer.emitMovImm(size: size, imm: imm, dst: dst.reg)
        case .lea(let size, let address, let dst):
            let encoding = FormID.lea.encoding
            // A form that never traps (lea computes an address, it does not access it)
            // records no trap.
            let amode = FormID.lea.traps == .never ? Amode(address.address) : address
            buffer.emit(encoding, FormID.lea.need(encoding.rm, "RM"), size: size, reg: .reg(dst.reg, isByte: false),
                        rm: .mem(amode))
        case .load(let size, let src, let dst):
            let encoding = FormID.mov.encoding
            buffer.emit(encoding, FormID.mov.need(encoding.rm, "RM"), size: size, reg: .reg(dst.reg,
                                                                                            isByte: size == .size8),
                        rm: .mem(src))
        case .store(let size, let src, let dst):
            let encoding = FormID.mov.encoding
            buffer.emit(encoding, FormID.mov.need(encoding.mr, "MR"), size: size, reg: .reg(src,
                                                                                            isByte: size == .size8),
                        rm: .mem(dst))
        case .storeImm(let size, let imm, let dst):
            let encoding = FormID.mov.encoding
            buffer.emit(encoding, FormID.mov.need(encoding.mi, "MI"), size: size, reg: .digit(0), rm: .mem(dst),
                        immediate: X64Inst.immediate(imm, at: size))
        case .loadSymbol(let name, let dst, true):
            // mov's RM row (REX.W 8B /r) with a RIP-relative operand whose
            // displacement is the relocation's, not a label's.
            let register = hardwareEncoding(dst.reg)
            buffer.put1(0x48 | (register >= 8 ? 0x04 : 0))
            buffer.put1(0x8B)
            buffer.put1((register & 7) << 3 | 0b101)
            buffer.putRelocation(.gotPCRel32, to: name, addend: -4)
        case .loadSymbol(let name, let dst, false):
            let encoding = FormID.movabs.encoding
            buffer.emitPlusRegister(encoding, FormID.movabs.need(encoding.oi, "OI"), size: .size64, reg: dst.reg,
                                    immediate: nil)
            buffer.putRelocation(.absolute64, to: name, addend: 0)
        case .push(let src):
            buffer.emitPush(src)
        case .pop(let dst):
            let encoding = FormID.pop.encoding
            buffer.emitPlusRegister(encoding, FormID.pop.need(encoding.o, "O"), size: .size64, reg: dst.reg)
        case .callKnown(let name, let info):
            let encoding = FormID.call.encoding
            buffer.emitBare(encoding, FormID.call.need(encoding.d, "D"), size: .size64)
            buffer.putRelocation(.pcRel32, to: name, addend: -4)
            X64Inst.reclaimPoppedArguments(info, into: &buffer)
        case .callUnknown(let target, let info):
            let encoding = FormID.call.encoding
            buffer.emit(encoding, FormID.call.need(encoding.m, "M"), size: .size64, reg: .digit(0),
                        rm: RmField(target, size: .size64))
            X64Inst.reclaimPoppedArguments(info, into: &buffer)
        case .ret(_, let popBytes):
            let encoding = FormID.ret.encoding
            if popBytes == 0 {
                buffer.emitBare(encoding, FormID.ret.need(encoding.zo, "ZO"), size: .size64)
            } else {
                buffer.emitBare(encoding, FormID.ret.need(encoding.i, "I"), size: .size64, immediate: Int64(popBytes))
            }
        case .returnCallKnown(let name, _):
            let encoding = FormID.jmp.encoding
            buffer.emitBare(encoding, FormID.jmp.need(encoding.d, "D"), size: .size64)
            buffer.putRelocation(.pcRel32, to: name, addend: -4)
        case .returnCallUnknown(let target, _):
            let encoding = FormID.jmp.encoding
            buffer.emit(encoding, FormID.jmp.need(encoding.m, "M"), size: .size64, reg: .digit(0),
                        rm: .reg(target, isByte: false))
        case .jmp(let target):
            let encoding = FormID.jmp.encoding
            buffer.emitBare(encoding, FormID.jmp.need(encoding.d, "D"), size: .size64)
            buffer.putLabelUse32(target, addend: -4)
        case .jcc(let cc, let target):
            let encoding = FormID.jcc.encoding
            buffer.emitBare(encoding, FormID.jcc.need(encoding.d, "D"), size: nil, plus: cc.rawValue)
            buffer.putLabelUse32(target, addend: -4)
        case .jmpIndirect(let target):
            let encoding = FormID.jmp.encoding
            buffer.emit(encoding, FormID.jmp.need(encoding.m, "M"), size: .size64, reg: .digit(0),
                        rm: RmField(target, size: .size64))
        case .xmmLoad(let form, let src, let dst):
            let encoding = form.encoding
            buffer.emit(encoding, form.need(encoding.rm, "RM"), size: nil, reg: .xmm(dst.reg), rm: .mem(src))
        case .xmmStore(let form, let src, let dst):
            let encoding = form.encoding
            buffer.emit(encoding, form.need(encoding.mr, "MR"), size: nil, reg: .xmm(src), rm: .mem(dst))
        case .xmmMove(let src, let dst):
            let encoding = FormID.movaps.encoding
            buffer.emit(encoding, FormID.movaps.need(encoding.rm, "RM"), size: nil, reg: .xmm(dst.reg), rm: .xmm(src))
        case .gprToXmm(let form, let size, let src, let dst):
            let encoding = form.encoding
            buffer.emit(encoding, form.need(encoding.rm, "RM"), size: size, reg: .xmm(dst.reg),
                        rm: RmField(src, size: size))
        case .xmmToGpr(let form, let size, let src, let dst):
            buffer.emitXmmToGpr(form, size: size, src: src, dst: dst.reg)
        case .xmmRmR(let form, let src1, let src2, let dst):
            requireTied(src1, dst)
            let encoding = form.encoding
            buffer.emit(encoding, form.need(encoding.rm, "RM"), size: nil, reg: .xmm(dst.reg), rm: RmField(src2))
        case .xmmUnaryRmR(let form, let src, let dst):
            let encoding = form.encoding
            buffer.emit(encoding, form.need(encoding.rm, "RM"), size: nil, reg: .xmm(dst.reg), rm: RmField(src))
        case .xmmUnaryRmRImm(let form, let imm, let src, let dst):
            let encoding = form.encoding
            buffer.emit(encoding, form.need(encoding.rm, "RM"), size: nil, reg: .xmm(dst.reg), rm: RmField(src),
                        immediate: Int64(imm))
        case .xmmCompare(let form, let src1, let src2):
            let encoding = form.encoding
            buffer.emit(encoding, form.need(encoding.rm, "RM"), size: nil, reg: .xmm(src1), rm: RmField(src2))
        case .xmmCompareMask(let form, let predicate, let src1, let src2, let dst):
            requireTied(src1, dst)
            let encoding = form.encoding
            buffer.emit(encoding, form.need(encoding.rm, "RM"), size: nil, reg: .xmm(dst.reg), rm: RmField(src2),
                        immediate: Int64(predicate.rawValue))
        case .xmmVexTernary(let form, let src1, let src2, let src3, let dst):
            requireTied(src1, dst)
            let encoding = form.encoding
            buffer.emitVex(encoding, form.need(encoding.rvm, "RVM"), reg: dst.reg, vvvv: src2, rm: RmField(src3))
        case .xmmCmove(let cc, let consequent, let alternative, let dst):
            requireTied(alternative, dst)
            buffer.emitXmmCmove(cc: cc, consequent: consequent, dst: dst.reg)
        case .lockCmpxchg(let size, let replacement, let expected, let mem, let dstOld):
            precondition(expected == Gpr.rax && dstOld.reg == Gpr.rax, "x64 encoder: cmpxchg compares and writes rax")
            let encoding = FormID.cmpxchg.encoding
            buffer.emit(encoding, FormID.cmpxchg.need(encoding.mr, "MR"), size: size,
                        reg: .reg(replacement, isByte: size == .size8), rm: .mem(mem))
        case .exchange(let form, let size, let operand, let mem, let dst):
            requireTied(operand, dst)
            let encoding = form.encoding
            buffer.emit(encoding, form.need(encoding.mr, "MR"), size: size, reg: .reg(operand, isByte: size == .size8),
                        rm: .mem(mem))
        case .fence(let form):
            let encoding = form.encoding
            buffer.emitBare(encoding, form.need(encoding.zo, "ZO"), size: nil)
        case .atomicRmwLoop(let op, let size, let byteSwapped, let operand, let mem, let temp, let dstOld):
            precondition(dstOld.reg == Gpr.rax, "x64 encoder: an atomic loop keeps the old value in rax")
            let written = [temp.reg, dstOld.reg]
            precondition(temp.reg != dstOld.reg && !written.contains(operand)
                             && !X64Inst.registers(of: mem.address).contains(where: written.contains),
                         "x64 encoder: `\(self)` writes its temporary or rax over a register it reads")
            X64Inst.encodeAtomicRmwLoop(X64Inst.atomicLoopBody(op: op, size: size, byteSwapped: byteSwapped,
                                                               operand: operand, mem: mem, temp: temp, dstOld: dstOld),
                                        into: &buffer)
        case .lockCmpxchg16b(let replacement, let expected, let mem, let dstOld):
            precondition(replacement == GprPair(low: .rbx, high: .rcx) && expected == GprPair(low: .rax, high: .rdx)
                             && dstOld.regs == GprPair(low: .rax, high: .rdx),
                         "x64 encoder: cmpxchg16b compares rdx:rax and stores rcx:rbx")
            let encoding = FormID.cmpxchg16b.encoding
            buffer.emit(encoding, FormID.cmpxchg16b.need(encoding.m, "M"), size: nil, reg: .digit(0), rm: .mem(mem))
        case .atomicRmwLoop128(let op, let byteSwapped, let operand, let mem, let scratch, let temp, let dstOld):
            let written = [scratch.reg, temp.low.reg, temp.high.reg, dstOld.low.reg, dstOld.high.reg]
            precondition(Set(written).count == 5 && !written.contains(operand.low) && !written.contains(operand.high)
                             && !X64Inst.registers(of: mem.address).contains(where: written.contains),
                         "x64 encoder: `\(self)` writes a register it reads")
            X64Inst.encodeAtomicRmwLoop(X64Inst.atomicLoopBody128(op: op, byteSwapped: byteSwapped, operand: operand,
                                                                  mem: mem, scratch: scratch, temp: temp,
                                                                  dstOld: dstOld),
                                        into: &buffer)
        case .ud2(let trap):
            buffer.addTrap(trap)
            let encoding = FormID.ud2.encoding
            buffer.emitBare(encoding, FormID.ud2.need(encoding.zo, "ZO"), size: nil)
        case .trapIf(let cc, let trap):
            // j<not cc> over the ud2.
            let ud2 = FormID.ud2.encoding
            let ud2Opcode = FormID.ud2.need(ud2.zo, "ZO")
            buffer.emitShortJump(cc.inverse, over: ud2Opcode.length)
            buffer.addTrap(trap)
            buffer.emitBare(ud2, ud2Opcode, size: nil)
        }
    }

    /// After a call whose callee popped its stack arguments: `subq $n, %rsp`, so rsp
    /// is back where the frame keeps it.
    private static func reclaimPoppedArguments(_ info: CallInfo, into buffer: inout CodeBuffer) {
        guard info.calleePopSize > 0 else { return }
        let rsp = Gpr(PReg.rsp)
        X64Inst.aluRmiR(.sub, size: .size64, src1: rsp, src2: .imm(info.calleePopSize), dst: Writable(rsp))
            .encode(into: &buffer)
    }

    // MARK: Checks

    /// Physical registers only.
    private func checkPhysicalRegisters() {
        var check = PhysicalRegisterCheck()
        var copy = self
        copy.visitOperands(&check)
        if let virtual = check.firstVirtual {
            preconditionFailure("x64 encoder: virtual register \(virtual) in `\(self)`; allocate registers first")
        }
    }

    /// A form of the shape's format, at a size the form is defined at.
    private func checkForm() {
        if case .movImm(let size, _, _) = self {
            precondition(size == .size32 || size == .size64, "x64 encoder: movImm is 32 or 64 bits, not \(size)")
        }
        let checked: FormID
        if let (form, format) = carriedForm {
            precondition(form.format == format, "x64 encoder: \(form) is a form of format \(form.format), "
                             + "not \(format)")
            checked = form
        } else if let form {
            checked = form
        } else {
            return
        }
        if let size = operandSize {
            precondition(checked.sizes.contains(size), "x64 encoder: \(checked) has no \(size) form")
        }
    }

    /// A two-address form: the destination must be the tied source.
    private func requireTied(_ source: Gpr, _ destination: Writable<Gpr>) {
        precondition(source == destination.reg,
                     "x64 encoder: `\(self)` writes \(destination.reg) but x86 overwrites its source \(source)")
    }

    /// An immediate operand at `size`, sign-extended to 64 bits. At 8 and 16 bits the
    /// value must fit the width as a signed or an unsigned number.
    static func immediate(_ imm: Int32, at size: OperandSize) -> Int64 {
        switch size {
        case .size8:
            precondition(imm >= -0x80 && imm <= 0xFF, "x64 encoder: immediate \(imm) does not fit 8 bits")
            return Int64(Int8(truncatingIfNeeded: imm))
        case .size16:
            precondition(imm >= -0x8000 && imm <= 0xFFFF, "x64 encoder: immediate \(imm) does not fit 16 bits")
            return Int64(Int16(truncatingIfNeeded: imm))
        case .size32, .size64:
            return Int64(imm)
        }
    }

    /// A divide records its own trap; a memory divisor must agree with it, and its
    /// record is dropped so the offset has one entry.
    private static func divisorWithoutTrap(_ divisor: GprMem, _ trap: TrapCode) -> GprMem {
        guard case .mem(var amode) = divisor else { return divisor }
        precondition(amode.trap == nil || amode.trap == trap,
                     "x64 encoder: a divide traps with one code; its memory divisor has another")
        amode.trap = nil
        return .mem(amode)
    }
}

extension FormID {
    /// The opcode a shape needs from this form's row; its absence is a bug in the
    /// caller (a form used with a shape it has no encoding for).
    func need(_ opcode: X64Opcode?, _ operandEncoding: StaticString) -> X64Opcode {
        guard let opcode else { preconditionFailure("x64 encoder: form \(self) has no \(operandEncoding) encoding") }
        return opcode
    }
}

extension RmField {
    init(_ operand: GprMem, size: OperandSize) {
        switch operand {
        case .reg(let gpr): self = .reg(gpr, isByte: size == .size8)
        case .mem(let amode): self = .mem(amode)
        }
    }
}

/// Finds the first virtual register of an instruction.
private struct PhysicalRegisterCheck: OperandVisitor {
    var firstVirtual: Reg?

    mutating func visit(_ reg: inout Reg, _ kind: OperandKind, _ constraint: OperandConstraint,
                        _ position: OperandPosition) {
        if reg.isVirtual && firstVirtual == nil { firstVirtual = reg }
    }

    mutating func clobbers(_ registers: PRegSet) {}
}

extension CodeBuffer {
    /// An opcode without ModRM: prefixes, REX.W if asked, the opcode byte.
    mutating func emitPlain(prefixes: LegacyPrefixes, rexW: Bool, opcode: UInt8) {
        emitPrefixes(prefixes)
        if rexW { put1(0x48) }
        put1(opcode)
    }

    /// The ALU and compare shapes: `lhs op= rhs`, or only the flags of it. A compare
    /// (`writesLhs` false) may put a memory operand in r/m through MR: the bytes are
    /// RM's, and `test` has only MR.
    mutating func emitBinary(_ form: FormID, size: OperandSize, lhs: Gpr, rhs: GprMemImm, writesLhs: Bool) {
        let encoding = form.encoding
        let isByte = size == .size8
        switch rhs {
        case .reg(let src):
            if let mr = encoding.mr {
                emit(encoding, mr, size: size, reg: .reg(src, isByte: isByte), rm: .reg(lhs, isByte: isByte))
            } else {
                emit(encoding, form.need(encoding.rm, "MR or RM"), size: size, reg: .reg(lhs, isByte: isByte),
                     rm: .reg(src, isByte: isByte))
            }
        case .mem(let amode):
            let opcode = writesLhs ? form.need(encoding.rm, "RM") : encoding.rm ?? form.need(encoding.mr, "RM or MR")
            emit(encoding, opcode, size: size, reg: .reg(lhs, isByte: isByte), rm: .mem(amode))
        case .imm(let imm):
            let value = X64Inst.immediate(imm, at: size)
            if !isByte, fitsInInt8(value), let mi8 = encoding.mi8 {
                emit(encoding, mi8, size: size, reg: .digit(0), rm: .reg(lhs, isByte: false), immediate: value)
            } else if lhs == .rax, let accumulator = encoding.i {
                emitBare(encoding, accumulator, size: size, immediate: value)
            } else {
                emit(encoding, form.need(encoding.mi, "MI"), size: size, reg: .digit(0), rm: .reg(lhs, isByte: isByte),
                     immediate: value)
            }
        }
    }

    /// `movl $imm, %r32` (mov's OI, B8+r id); at size 64 `movq $imm32, %r64` (mov's
    /// MI, C7 /0 id) when the constant is a sign-extended imm32, else `movabsq`
    /// (movabs's OI, REX.W B8+r io).
    mutating func emitMovImm(size: OperandSize, imm: UInt64, dst: Gpr) {
        let mov = FormID.mov.encoding
        if X64Inst.movImmNeedsMovabs(size, imm) {
            let movabs = FormID.movabs.encoding
            emitPlusRegister(movabs, FormID.movabs.need(movabs.oi, "OI"), size: .size64, reg: dst,
                             immediate: Int64(bitPattern: imm))
        } else if size == .size64 {
            emit(mov, FormID.mov.need(mov.mi, "MI"), size: .size64, reg: .digit(0), rm: .reg(dst, isByte: false),
                 immediate: Int64(bitPattern: imm))
        } else {
            precondition(imm <= UInt64(UInt32.max) || Int64(bitPattern: imm) >= Int64(Int32.min),
                         "x64 encoder: movl immediate \(imm) does not fit 32 bits")
            emitPlusRegister(mov, FormID.mov.need(mov.oi, "OI"), size: .size32, reg: dst,
                             immediate: Int64(UInt32(truncatingIfNeeded: imm)))
        }
    }

    /// `pushq %reg` (O), `pushq mem` (M), `pushq $imm` (I8 when it fits, else I).
    mutating func emitPush(_ src: GprMemImm) {
        let encoding = FormID.push.encoding
        switch src {
        case .reg(let gpr):
            emitPlusRegister(encoding, FormID.push.need(encoding.o, "O"), size: .size64, reg: gpr)
        case .mem(let amode):
            emit(encoding, FormID.push.need(encoding.m, "M"), size: .size64, reg: .digit(0), rm: .mem(amode))
        case .imm(let imm):
            let opcode = fitsInInt8(imm) ? FormID.push.need(encoding.i8, "I8") : FormID.push.need(encoding.i, "I")
            emitBare(encoding, opcode, size: .size64, immediate: Int64(imm))
        }
    }

    /// `movd %xmm0, %eax` (MR: the xmm register in ModRM.reg) or `cvttss2si %xmm0,
    /// %eax` (RM: the general register in ModRM.reg), whichever the row has.
    mutating func emitXmmToGpr(_ form: FormID, size: OperandSize, src: XmmMem, dst: Gpr) {
        let encoding = form.encoding
        if let rm = encoding.rm {
            emit(encoding, rm, size: size, reg: .reg(dst, isByte: false), rm: RmField(src))
        } else {
            guard case .reg(let source) = src else {
                preconditionFailure("x64 encoder: \(form) reads an xmm register, not memory")
            }
            emit(encoding, form.need(encoding.mr, "RM or MR"), size: size, reg: .xmm(source),
                 rm: .reg(dst, isByte: false))
        }
    }

    /// `j<cc> .+length`: jcc's D8 over the next `length` bytes.
    mutating func emitShortJump(_ cc: CC, over length: Int) {
        let encoding = FormID.jcc.encoding
        emitBare(encoding, FormID.jcc.need(encoding.d8, "D8"), size: nil, plus: cc.rawValue)
        put1(UInt8(length))
    }

    /// `j<not cc> .+n; movaps consequent, dst`: the copy happens only when `cc` holds.
    mutating func emitXmmCmove(cc: CC, consequent: Xmm, dst: Xmm) {
        let movaps = FormID.movaps.encoding
        let copy = FormID.movaps.need(movaps.rm, "RM")
        let needsRex = hardwareEncoding(consequent) >= 8 || hardwareEncoding(dst) >= 8
        emitShortJump(cc.inverse, over: (needsRex ? 1 : 0) + copy.length + 1)
        emit(movaps, copy, size: nil, reg: .xmm(dst), rm: .xmm(consequent))
    }
}

extension RmField {
    init(_ operand: XmmMem) {
        switch operand {
        case .reg(let xmm): self = .xmm(xmm)
        case .mem(let amode): self = .mem(amode)
        }
    }
}

extension X64Inst {
    /// A two-address xmm form: the destination must be the tied source.
    func requireTied(_ source: Xmm, _ destination: Writable<Xmm>) {
        precondition(source == destination.reg,
                     "x64 encoder: `\(self)` writes \(destination.reg) but x86 overwrites its source \(source)")
    }
}
