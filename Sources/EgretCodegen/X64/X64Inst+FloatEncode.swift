import EgretIR

/// Machine code of the scalar floating-point forms (the `X64Inst+Encode.swift` switch
/// calls these). Layout of a legacy SSE instruction:
///
///     [66|F3|F2] [REX] 0F opcode(1-2) ModRM [SIB] [disp] [imm8]
///
/// The mandatory prefix comes before REX (REX must be the byte right before the
/// 0F escape). FMA3 forms use the three-byte VEX prefix instead:
///
///     C4  R̄X̄B̄ m-mmmm(00010 = 0F38)  W v̄v̄v̄v̄ L(0) pp(01 = 66)  opcode  ModRM …
///
/// where R̄X̄B̄ and v̄v̄v̄v̄ are stored inverted and W selects the double-precision form.
extension CodeBuffer {
    /// An SSE form `prefix 0F opcode /r` with an xmm register in the reg field.
    mutating func emitSse(prefixes: LegacyPrefixes, rexW: Bool = false, opcode: UInt32, opcodeLength: Int = 2,
                          reg: RegField, rm: RmField, trailingBytes: Int = 0) {
        emitModRM(prefixes: prefixes, rexW: rexW, opcode: opcode, opcodeLength: opcodeLength, reg: reg, rm: rm,
                  trailingBytes: trailingBytes)
    }

    /// `vfmadd213ss/sd src3, src2, dst`: VEX.LIG.66.0F38.W(0|1) A9 /r.
    mutating func emitFma(width: FloatWidth, dst: Xmm, src2: Xmm, src3: XmmMem) {
        let rm = RmField(src3)
        if case .mem(let amode) = rm, let trap = amode.trap { addTrap(trap) }
        let regEncoding = hardwareEncoding(dst)
        var rxb: UInt8 = regEncoding >= 8 ? 0b100 : 0
        switch src3 {
        case .reg(let xmm):
            if hardwareEncoding(xmm) >= 8 { rxb |= 0b001 }
        case .mem(let amode):
            rxb |= CodeBuffer.rexBits(of: amode.address) & 0b011
        }
        put1(0xC4)
        put1((~rxb & 0b111) << 5 | 0b00010)
        let w: UInt8 = width == .f64 ? 0x80 : 0
        put1(w | (~hardwareEncoding(src2) & 0xF) << 3 | 0b01)
        put1(0xA9)
        switch src3 {
        case .reg(let xmm):
            put1(0xC0 | (regEncoding & 7) << 3 | hardwareEncoding(xmm) & 7)
        case .mem(let amode):
            emitAddress(amode.address, regBits: regEncoding & 7, trailingBytes: 0)
        }
    }

    /// `j<not cc> .+n; movaps consequent, dst`: the copy happens only when `cc` holds.
    mutating func emitXmmCmove(cc: CC, consequent: Xmm, dst: Xmm) {
        let needsRex = hardwareEncoding(consequent) >= 8 || hardwareEncoding(dst) >= 8
        put1(0x70 | cc.inverse.rawValue)
        put1(needsRex ? 4 : 3)
        emitSse(prefixes: [], opcode: 0x0F28, reg: .xmm(dst), rm: .xmm(consequent))
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
    /// A two-address float form: the destination must be the tied source.
    func requireTied(_ source: Xmm, _ destination: Writable<Xmm>) {
        precondition(source == destination.reg,
                     "x64 encoder: `\(self)` writes \(destination.reg) but x86 overwrites its source \(source)")
    }

    /// The 0F-prefixed opcode of a scalar load or store (`movss`/`movsd`: 10/11 with
    /// F3/F2; `movups`: 10/11 without a prefix).
    static func xmmMoveEncoding(_ width: XmmWidth, store: Bool) -> (LegacyPrefixes, UInt32) {
        let opcode: UInt32 = store ? 0x0F11 : 0x0F10
        switch width {
        case .f32: return (.repF3, opcode)
        case .f64: return (.repF2, opcode)
        case .v128: return ([], opcode)
        }
    }
}
