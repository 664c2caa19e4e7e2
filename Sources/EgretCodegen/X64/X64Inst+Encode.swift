import EgretIR

/// Machine code for each x86-64 instruction form.
///
/// Encodings are the shortest ones llvm-mc picks for the same AT&T text, so the
/// encoder tests can compare bytes exactly: register-to-register ALU forms use the
/// "MR" opcodes (01 /r for add, 89 /r for mov), immediates use the sign-extended
/// imm8 opcodes (83, 6B, 6A) when they fit and the accumulator short forms (05 id,
/// A9 id, 04 ib) when the register is rax/eax/ax/al, shifts by one use D1 /digit.
///
/// Requires: physical registers only (after register allocation) and, for
/// two-address forms, `dst == src1` (the allocator's reuse constraint). Both are
/// checked with preconditions: violating them is a bug in the caller.
/// Guarantees: traps, label uses and relocations are recorded in the buffer at the
/// offsets the JIT and the trap handler need.
extension X64Inst {
    public func encode(into buffer: inout CodeBuffer) {
        checkEncodable()
        switch self {
        case .aluRmiR(let op, let size, let src1, let src2, let dst):
            requireTied(src1, dst)
            buffer.emitAluLike(digit: op.digit, size: size, lhs: src1, rhs: src2)
        case .cmpRmiR(.cmp, let size, let src1, let src2):
            buffer.emitAluLike(digit: 7, size: size, lhs: src1, rhs: src2)
        case .cmpRmiR(.test, let size, let src1, let src2):
            buffer.emitTest(size: size, lhs: src1, rhs: src2)
        case .imul(let size, let src1, let src2, let dst):
            requireTied(src1, dst)
            buffer.emitModRM(prefixes: .forSize(size), rexW: size == .size64, opcode: 0x0FAF, opcodeLength: 2,
                             reg: .reg(dst.reg, isByte: false), rm: RmField(src2, size: size))
        case .imulImm(let size, let src, let imm, let dst):
            let value = X64Inst.immediate(imm, at: size)
            let short = fitsInInt8(value)
            let immBytes = short ? 1 : min(size.bytes, 4)
            buffer.emitModRM(prefixes: .forSize(size), rexW: size == .size64, opcode: short ? 0x6B : 0x69,
                             opcodeLength: 1, reg: .reg(dst.reg, isByte: false), rm: RmField(src, size: size),
                             trailingBytes: immBytes)
            buffer.emitImmediate(value, byteCount: immBytes)
        case .mul(let size, let signedness, _, let src2, _, _):
            buffer.emitModRM(prefixes: .forSize(size), rexW: size == .size64, opcode: 0xF7, opcodeLength: 1,
                             reg: .digit(signedness == .signed ? 5 : 4), rm: RmField(src2, size: size))
        case .mul8(let signedness, _, let src2, _):
            buffer.emitModRM(prefixes: [], rexW: false, opcode: 0xF6, opcodeLength: 1,
                             reg: .digit(signedness == .signed ? 5 : 4), rm: RmField(src2, size: .size8))
        case .div(let size, let signedness, _, _, let divisor, _, _, let trap):
            buffer.addTrap(trap)
            buffer.emitModRM(prefixes: .forSize(size), rexW: size == .size64, opcode: 0xF7, opcodeLength: 1,
                             reg: .digit(signedness == .signed ? 7 : 6),
                             rm: RmField(X64Inst.divisorWithoutTrap(divisor, trap), size: size))
        case .div8(let signedness, _, let divisor, _, let trap):
            buffer.addTrap(trap)
            buffer.emitModRM(prefixes: [], rexW: false, opcode: 0xF6, opcodeLength: 1,
                             reg: .digit(signedness == .signed ? 7 : 6),
                             rm: RmField(X64Inst.divisorWithoutTrap(divisor, trap), size: .size8))
        case .signExtendData(let size, _, _):
            switch size {
            case .size8: buffer.emitPlain(prefixes: .operandSize16, rexW: false, opcode: 0x98)
            case .size16: buffer.emitPlain(prefixes: .operandSize16, rexW: false, opcode: 0x99)
            case .size32: buffer.emitPlain(prefixes: [], rexW: false, opcode: 0x99)
            case .size64: buffer.emitPlain(prefixes: [], rexW: true, opcode: 0x99)
            }
        case .shiftR(let kind, let size, let src, let count, let dst):
            requireTied(src, dst)
            let byteBit: UInt32 = size == .size8 ? 0 : 1
            let rm = RmField.reg(src, isByte: size == .size8)
            switch count {
            case .imm(1):
                buffer.emitModRM(prefixes: .forSize(size), rexW: size == .size64, opcode: 0xD0 | byteBit,
                                 opcodeLength: 1, reg: .digit(kind.digit), rm: rm)
            case .imm(let amount):
                buffer.emitModRM(prefixes: .forSize(size), rexW: size == .size64, opcode: 0xC0 | byteBit,
                                 opcodeLength: 1, reg: .digit(kind.digit), rm: rm)
                buffer.put1(amount)
            case .cl:
                buffer.emitModRM(prefixes: .forSize(size), rexW: size == .size64, opcode: 0xD2 | byteBit,
                                 opcodeLength: 1, reg: .digit(kind.digit), rm: rm)
            }
        case .unary(let op, let size, let src, let dst):
            requireTied(src, dst)
            buffer.emitModRM(prefixes: .forSize(size), rexW: size == .size64, opcode: size == .size8 ? 0xF6 : 0xF7,
                             opcodeLength: 1, reg: .digit(op.digit), rm: .reg(src, isByte: size == .size8))
        case .bitCount(let op, let size, let src, let dst):
            var prefixes = LegacyPrefixes.forSize(size)
            if op.hasF3Prefix { prefixes.insert(.repF3) }
            buffer.emitModRM(prefixes: prefixes, rexW: size == .size64, opcode: 0x0F00 | UInt32(op.opcode),
                             opcodeLength: 2, reg: .reg(dst.reg, isByte: false), rm: RmField(src, size: size))
        case .bswap(let size, let src, let dst):
            requireTied(src, dst)
            buffer.emitOpcodePlusReg(prefixes: [], rexW: size == .size64, opcode: 0x0FC8, opcodeLength: 2, reg: src)
        case .setcc(let cc, let dst):
            buffer.emitModRM(prefixes: [], rexW: false, opcode: 0x0F90 | UInt32(cc.rawValue), opcodeLength: 2,
                             reg: .digit(0), rm: .reg(dst.reg, isByte: true))
        case .cmove(let size, let cc, let consequent, let alternative, let dst):
            requireTied(alternative, dst)
            buffer.emitModRM(prefixes: .forSize(size), rexW: size == .size64, opcode: 0x0F40 | UInt32(cc.rawValue),
                             opcodeLength: 2, reg: .reg(dst.reg, isByte: false), rm: RmField(consequent, size: size))
        case .movRR(let size, let src, let dst):
            buffer.emitModRM(prefixes: [], rexW: size == .size64, opcode: 0x89, opcodeLength: 1,
                             reg: .reg(src, isByte: false), rm: .reg(dst.reg, isByte: false))
        case .movImm(let size, let imm, let dst):
            buffer.emitMovImm(size: size, imm: imm, dst: dst.reg)
        case .movzx(let ext, let src, let dst):
            buffer.emitExtension(signed: false, ext: ext, src: src, dst: dst.reg)
        case .movsx(let ext, let src, let dst):
            buffer.emitExtension(signed: true, ext: ext, src: src, dst: dst.reg)
        case .lea(let size, let address, let dst):
            // lea computes an address and never accesses memory: no trap record.
            buffer.emitModRM(prefixes: [], rexW: size == .size64, opcode: 0x8D, opcodeLength: 1,
                             reg: .reg(dst.reg, isByte: false), rm: .mem(Amode(address.address)))
        case .load(let size, let src, let dst):
            buffer.emitModRM(prefixes: .forSize(size), rexW: size == .size64, opcode: size == .size8 ? 0x8A : 0x8B,
                             opcodeLength: 1, reg: .reg(dst.reg, isByte: size == .size8), rm: .mem(src))
        case .store(let size, let src, let dst):
            buffer.emitModRM(prefixes: .forSize(size), rexW: size == .size64, opcode: size == .size8 ? 0x88 : 0x89,
                             opcodeLength: 1, reg: .reg(src, isByte: size == .size8), rm: .mem(dst))
        case .storeImm(let size, let imm, let dst):
            let immBytes = min(size.bytes, 4)
            buffer.emitModRM(prefixes: .forSize(size), rexW: size == .size64, opcode: size == .size8 ? 0xC6 : 0xC7,
                             opcodeLength: 1, reg: .digit(0), rm: .mem(dst), trailingBytes: immBytes)
            buffer.emitImmediate(X64Inst.immediate(imm, at: size), byteCount: immBytes)
        case .loadSymbol(let name, let dst):
            buffer.emitOpcodePlusReg(prefixes: [], rexW: true, opcode: 0xB8, opcodeLength: 1, reg: dst.reg)
            buffer.putRelocation(.absolute64, to: name, addend: 0)
        case .push(.reg(let src)):
            buffer.emitOpcodePlusReg(prefixes: [], rexW: false, opcode: 0x50, opcodeLength: 1, reg: src)
        case .push(.mem(let amode)):
            buffer.emitModRM(prefixes: [], rexW: false, opcode: 0xFF, opcodeLength: 1, reg: .digit(6), rm: .mem(amode))
        case .push(.imm(let imm)):
            if fitsInInt8(imm) {
                buffer.put1(0x6A)
                buffer.emitImmediate(Int64(imm), byteCount: 1)
            } else {
                buffer.put1(0x68)
                buffer.emitImmediate(Int64(imm), byteCount: 4)
            }
        case .pop(let dst):
            buffer.emitOpcodePlusReg(prefixes: [], rexW: false, opcode: 0x58, opcodeLength: 1, reg: dst.reg)
        case .callKnown(let name, let info):
            buffer.put1(0xE8)
            buffer.putRelocation(.pcRel32, to: name, addend: -4)
            X64Inst.reclaimPoppedArguments(info, into: &buffer)
        case .callUnknown(let target, let info):
            buffer.emitModRM(prefixes: [], rexW: false, opcode: 0xFF, opcodeLength: 1, reg: .digit(2),
                             rm: RmField(target, size: .size64))
            X64Inst.reclaimPoppedArguments(info, into: &buffer)
        case .ret(_, 0):
            buffer.put1(0xC3)
        case .ret(_, let popBytes):
            buffer.put1(0xC2)
            buffer.put2(popBytes)
        case .returnCallKnown(let name, _):
            buffer.put1(0xE9)
            buffer.putRelocation(.pcRel32, to: name, addend: -4)
        case .returnCallUnknown(let target, _):
            buffer.emitModRM(prefixes: [], rexW: false, opcode: 0xFF, opcodeLength: 1, reg: .digit(4),
                             rm: .reg(target, isByte: false))
        case .jmp(let target):
            buffer.put1(0xE9)
            buffer.putLabelUse32(target, addend: -4)
        case .jcc(let cc, let target):
            buffer.put1(0x0F)
            buffer.put1(0x80 | cc.rawValue)
            buffer.putLabelUse32(target, addend: -4)
        case .jmpIndirect(let target):
            buffer.emitModRM(prefixes: [], rexW: false, opcode: 0xFF, opcodeLength: 1, reg: .digit(4),
                             rm: RmField(target, size: .size64))
        case .xmmLoad(let width, let src, let dst):
            let (prefixes, opcode) = X64Inst.xmmMoveEncoding(width, store: false)
            buffer.emitSse(prefixes: prefixes, opcode: opcode, reg: .xmm(dst.reg), rm: .mem(src))
        case .xmmStore(let width, let src, let dst):
            let (prefixes, opcode) = X64Inst.xmmMoveEncoding(width, store: true)
            buffer.emitSse(prefixes: prefixes, opcode: opcode, reg: .xmm(src), rm: .mem(dst))
        case .xmmMove(let src, let dst):
            buffer.emitSse(prefixes: [], opcode: 0x0F28, reg: .xmm(dst.reg), rm: .xmm(src))
        case .gprToXmm(let size, let src, let dst):
            buffer.emitSse(prefixes: .operandSize16, rexW: size == .size64, opcode: 0x0F6E, reg: .xmm(dst.reg),
                           rm: .reg(src, isByte: false))
        case .xmmToGpr(let size, let src, let dst):
            buffer.emitSse(prefixes: .operandSize16, rexW: size == .size64, opcode: 0x0F7E, reg: .xmm(src),
                           rm: .reg(dst.reg, isByte: false))
        case .xmmArith(let op, let width, let src1, let src2, let dst):
            requireTied(src1, dst)
            buffer.emitSse(prefixes: width.scalarPrefix, opcode: 0x0F00 | UInt32(op.opcode), reg: .xmm(dst.reg),
                           rm: RmField(src2))
        case .xmmSqrt(let width, let src, let dst):
            buffer.emitSse(prefixes: width.scalarPrefix, opcode: 0x0F51, reg: .xmm(dst.reg), rm: RmField(src))
        case .xmmLogic(let op, let src1, let src2, let dst):
            requireTied(src1, dst)
            buffer.emitSse(prefixes: [], opcode: 0x0F00 | UInt32(op.opcode), reg: .xmm(dst.reg), rm: RmField(src2))
        case .xmmCompare(let width, let src1, let src2):
            buffer.emitSse(prefixes: width == .f64 ? .operandSize16 : [], opcode: 0x0F2E, reg: .xmm(src1),
                           rm: RmField(src2))
        case .xmmCompareMask(let predicate, let width, let src1, let src2, let dst):
            requireTied(src1, dst)
            buffer.emitSse(prefixes: width.scalarPrefix, opcode: 0x0FC2, reg: .xmm(dst.reg), rm: RmField(src2),
                           trailingBytes: 1)
            buffer.put1(predicate.rawValue)
        case .intToFloat(let intSize, let width, let src, let dst):
            buffer.emitSse(prefixes: width.scalarPrefix, rexW: intSize == .size64, opcode: 0x0F2A, reg: .xmm(dst.reg),
                           rm: RmField(src, size: intSize))
        case .floatToInt(let width, let intSize, let src, let dst):
            buffer.emitSse(prefixes: width.scalarPrefix, rexW: intSize == .size64, opcode: 0x0F2C,
                           reg: .reg(dst.reg, isByte: false), rm: RmField(src))
        case .floatConvert(let from, let src, let dst):
            buffer.emitSse(prefixes: from.scalarPrefix, opcode: 0x0F5A, reg: .xmm(dst.reg), rm: RmField(src))
        case .xmmRound(let width, let mode, let src, let dst):
            buffer.emitSse(prefixes: .operandSize16, opcode: width == .f32 ? 0x0F3A0A : 0x0F3A0B, opcodeLength: 3,
                           reg: .xmm(dst.reg), rm: RmField(src), trailingBytes: 1)
            buffer.put1(mode.immediate)
        case .fma(let width, let src1, let src2, let src3, let dst):
            requireTied(src1, dst)
            buffer.emitFma(width: width, dst: dst.reg, src2: src2, src3: src3)
        case .xmmCmove(let cc, let consequent, let alternative, let dst):
            requireTied(alternative, dst)
            buffer.emitXmmCmove(cc: cc, consequent: consequent, dst: dst.reg)
        case .lockCmpxchg(let size, let replacement, let expected, let mem, let dstOld):
            precondition(expected == Gpr.rax && dstOld.reg == Gpr.rax, "x64 encoder: cmpxchg compares and writes rax")
            X64Inst.encodeLockCmpxchg(size: size, replacement: replacement, mem: mem, into: &buffer)
        case .xchg(let size, let operand, let mem, let dst):
            requireTied(operand, dst)
            X64Inst.encodeXchg(size: size, operand: operand, mem: mem, into: &buffer)
        case .lockXadd(let size, let operand, let mem, let dst):
            requireTied(operand, dst)
            X64Inst.encodeLockXadd(size: size, operand: operand, mem: mem, into: &buffer)
        case .mfence:
            X64Inst.encodeMfence(into: &buffer)
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
            X64Inst.encodeLockCmpxchg16b(mem: mem, into: &buffer)
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
            buffer.put1(0x0F)
            buffer.put1(0x0B)
        case .trapIf(let cc, let trap):
            // j<not cc> over the 2-byte ud2.
            buffer.put1(0x70 | cc.inverse.rawValue)
            buffer.put1(2)
            buffer.addTrap(trap)
            buffer.put1(0x0F)
            buffer.put1(0x0B)
        }
    }

    /// After a call whose callee popped its stack arguments: `subq $n, %rsp`, so rsp
    /// is back where the frame keeps it.
    private static func reclaimPoppedArguments(_ info: CallInfo, into buffer: inout CodeBuffer) {
        guard info.calleePopSize > 0 else { return }
        let rsp = Gpr(PReg.rsp)
        X64Inst.aluRmiR(op: .sub, size: .size64, src1: rsp, src2: .imm(info.calleePopSize), dst: Writable(rsp))
            .encode(into: &buffer)
    }

    // MARK: Checks

    /// Physical registers only, and a size the form supports.
    private func checkEncodable() {
        var check = PhysicalRegisterCheck()
        var copy = self
        copy.visitOperands(&check)
        if let virtual = check.firstVirtual {
            preconditionFailure("x64 encoder: virtual register \(virtual) in `\(self)`; allocate registers first")
        }
        if let size = operandSize {
            precondition(form.supportedSizes.contains(size), "x64 encoder: \(form) has no \(size) form")
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

    /// The ALU family (add … xor, cmp = digit 7): `lhs op= rhs`.
    mutating func emitAluLike(digit: UInt8, size: OperandSize, lhs: Gpr, rhs: GprMemImm) {
        let prefixes = LegacyPrefixes.forSize(size)
        let rexW = size == .size64
        let isByte = size == .size8
        let base = UInt32(digit) * 8
        switch rhs {
        case .reg(let src):
            // The "MR" form (r/m = lhs), as llvm-mc picks for register operands.
            emitModRM(prefixes: prefixes, rexW: rexW, opcode: base + (isByte ? 0 : 1), opcodeLength: 1,
                      reg: .reg(src, isByte: isByte), rm: .reg(lhs, isByte: isByte))
        case .mem(let amode):
            emitModRM(prefixes: prefixes, rexW: rexW, opcode: base + (isByte ? 2 : 3), opcodeLength: 1,
                      reg: .reg(lhs, isByte: isByte), rm: .mem(amode))
        case .imm(let imm):
            let value = X64Inst.immediate(imm, at: size)
            let fullBytes = min(size.bytes, 4)
            if isByte {
                if lhs == .rax {
                    emitPlain(prefixes: [], rexW: false, opcode: UInt8(base + 4))
                } else {
                    emitModRM(prefixes: [], rexW: false, opcode: 0x80, opcodeLength: 1, reg: .digit(digit),
                              rm: .reg(lhs, isByte: true), trailingBytes: 1)
                }
                emitImmediate(value, byteCount: 1)
            } else if fitsInInt8(value) {
                emitModRM(prefixes: prefixes, rexW: rexW, opcode: 0x83, opcodeLength: 1, reg: .digit(digit),
                          rm: .reg(lhs, isByte: false), trailingBytes: 1)
                emitImmediate(value, byteCount: 1)
            } else if lhs == .rax {
                emitPlain(prefixes: prefixes, rexW: rexW, opcode: UInt8(base + 5))
                emitImmediate(value, byteCount: fullBytes)
            } else {
                emitModRM(prefixes: prefixes, rexW: rexW, opcode: 0x81, opcodeLength: 1, reg: .digit(digit),
                          rm: .reg(lhs, isByte: false), trailingBytes: fullBytes)
                emitImmediate(value, byteCount: fullBytes)
            }
        }
    }

    /// `test`: flags of `lhs & rhs`. No sign-extended imm8 form exists.
    mutating func emitTest(size: OperandSize, lhs: Gpr, rhs: GprMemImm) {
        let prefixes = LegacyPrefixes.forSize(size)
        let rexW = size == .size64
        let isByte = size == .size8
        let opcode: UInt32 = isByte ? 0x84 : 0x85
        switch rhs {
        case .reg(let src):
            emitModRM(prefixes: prefixes, rexW: rexW, opcode: opcode, opcodeLength: 1,
                      reg: .reg(src, isByte: isByte), rm: .reg(lhs, isByte: isByte))
        case .mem(let amode):
            emitModRM(prefixes: prefixes, rexW: rexW, opcode: opcode, opcodeLength: 1,
                      reg: .reg(lhs, isByte: isByte), rm: .mem(amode))
        case .imm(let imm):
            let value = X64Inst.immediate(imm, at: size)
            let immBytes = min(size.bytes, 4)
            if lhs == .rax {
                emitPlain(prefixes: prefixes, rexW: rexW, opcode: isByte ? 0xA8 : 0xA9)
            } else {
                emitModRM(prefixes: prefixes, rexW: rexW, opcode: isByte ? 0xF6 : 0xF7, opcodeLength: 1,
                          reg: .digit(0), rm: .reg(lhs, isByte: isByte), trailingBytes: immBytes)
            }
            emitImmediate(value, byteCount: immBytes)
        }
    }

    /// `movl $imm, %r32` (B8+r id); at size 64 `movq $imm32, %r64` (C7 /0 id) when
    /// the constant is a sign-extended imm32, else `movabsq` (B8+r io).
    mutating func emitMovImm(size: OperandSize, imm: UInt64, dst: Gpr) {
        switch size {
        case .size64 where Int32(exactly: Int64(bitPattern: imm)) != nil:
            emitModRM(prefixes: [], rexW: true, opcode: 0xC7, opcodeLength: 1, reg: .digit(0),
                      rm: .reg(dst, isByte: false), trailingBytes: 4)
            put4(UInt32(truncatingIfNeeded: imm))
        case .size64:
            emitOpcodePlusReg(prefixes: [], rexW: true, opcode: 0xB8, opcodeLength: 1, reg: dst)
            put8(imm)
        case .size8, .size16, .size32:
            precondition(imm <= UInt64(UInt32.max) || Int64(bitPattern: imm) >= Int64(Int32.min),
                         "x64 encoder: movl immediate \(imm) does not fit 32 bits")
            emitOpcodePlusReg(prefixes: [], rexW: false, opcode: 0xB8, opcodeLength: 1, reg: dst)
            put4(UInt32(truncatingIfNeeded: imm))
        }
    }

    /// movzx/movsx: 0F B6/B7 (zero), 0F BE/BF (sign), 63 (movslq), 8B/89 (movl).
    mutating func emitExtension(signed: Bool, ext: ExtMode, src: GprMem, dst: Gpr) {
        let rexW = ext.to == .size64
        switch (ext.from, src) {
        case (.size32, .reg(let source)) where !signed:
            emitModRM(prefixes: [], rexW: false, opcode: 0x89, opcodeLength: 1,
                      reg: .reg(source, isByte: false), rm: .reg(dst, isByte: false))
        case (.size32, .mem(let amode)) where !signed:
            emitModRM(prefixes: [], rexW: false, opcode: 0x8B, opcodeLength: 1,
                      reg: .reg(dst, isByte: false), rm: .mem(amode))
        case (.size32, _):
            emitModRM(prefixes: [], rexW: true, opcode: 0x63, opcodeLength: 1,
                      reg: .reg(dst, isByte: false), rm: RmField(src, size: .size32))
        case (.size8, _), (.size16, _), (.size64, _):
            let wordBit: UInt32 = ext.from == .size16 ? 1 : 0
            emitModRM(prefixes: [], rexW: rexW, opcode: (signed ? 0x0FBE : 0x0FB6) | wordBit, opcodeLength: 2,
                      reg: .reg(dst, isByte: false), rm: RmField(src, size: ext.from))
        }
    }
}
