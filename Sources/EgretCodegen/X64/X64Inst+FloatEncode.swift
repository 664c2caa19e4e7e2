import EgretIR

/// Machine code of the VEX-encoded forms and of the xmm pseudo-instruction (the
/// `X64Inst+Encode.swift` switch calls these). Legacy SSE forms go through
/// `CodeBuffer.emit` like the integer forms:
///
///     [66|F3|F2] [REX] 0F opcode(1-2) ModRM [SIB] [disp] [imm8]
///
/// (the mandatory prefix comes before REX, which must be the byte right before the
/// 0F escape). VEX forms (FMA3, AVX) use the three-byte VEX prefix instead:
///
///     C4  R̄X̄B̄ m-mmmm  W v̄v̄v̄v̄ L pp  opcode  ModRM …
///
/// where R̄X̄B̄ and v̄v̄v̄v̄ are stored inverted, m-mmmm is the row's opcode map, pp its
/// mandatory prefix and W, L the row's VEX fields.
extension CodeBuffer {
    /// A VEX "RVM" form: ModRM.reg = `reg`, VEX.vvvv = `vvvv`, ModRM.rm = `rm`.
    mutating func emitVex(_ encoding: FormEncoding, _ opcode: X64Opcode, reg: Xmm, vvvv: Xmm, rm: RmField) {
        guard let vex = encoding.vex else { preconditionFailure("x64 encoder: a VEX form without VEX fields") }
        if case .mem(let amode) = rm, let trap = amode.trap { addTrap(trap) }
        let regEncoding = hardwareEncoding(reg)
        var rxb: UInt8 = regEncoding >= 8 ? 0b100 : 0
        switch rm {
        case .xmm(let xmm):
            if hardwareEncoding(xmm) >= 8 { rxb |= 0b001 }
        case .reg(let gpr, _):
            if hardwareEncoding(gpr) >= 8 { rxb |= 0b001 }
        case .mem(let amode):
            rxb |= CodeBuffer.rexBits(of: amode.address) & 0b011
        }
        put1(0xC4)
        put1((~rxb & 0b111) << 5 | opcode.map.vexBits)
        let w: UInt8 = vex.w ? 0x80 : 0
        let l: UInt8 = vex.l ? 0x04 : 0
        put1(w | (~hardwareEncoding(vvvv) & 0xF) << 3 | l | encoding.prefix.vexBits)
        put1(UInt8(truncatingIfNeeded: opcode.bytes))
        switch rm {
        case .xmm(let xmm):
            put1(0xC0 | (regEncoding & 7) << 3 | hardwareEncoding(xmm) & 7)
        case .reg(let gpr, _):
            put1(0xC0 | (regEncoding & 7) << 3 | hardwareEncoding(gpr) & 7)
        case .mem(let amode):
            emitAddress(amode.address, regBits: regEncoding & 7, trailingBytes: 0)
        }
    }

    /// `j<not cc> .+n; movaps consequent, dst`: the copy happens only when `cc` holds.
    mutating func emitXmmCmove(cc: CC, consequent: Xmm, dst: Xmm) {
        let movaps = FormID.movaps.row.encoding
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
