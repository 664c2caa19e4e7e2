/// The byte-level pieces of an x86-64 instruction, shared by every form's encoder.
///
///     [66] [F3] [REX] opcode(1-3) [ModRM] [SIB] [disp8/disp32] [imm8/16/32/64]
///
/// - Legacy prefixes: 0x66 (16-bit operand size, or mandatory for some SSE forms),
///   then 0xF0 (`lock`),
///   then a mandatory 0xF3 (lzcnt, tzcnt, popcnt, `ss` forms) or 0xF2 (`sd` forms),
///   in the order llvm-mc writes them. (VEX forms use a VEX prefix instead: see
///   `emitVex` below.)
/// - REX = 0100WRXB: W for 64-bit operands, R/X/B for bit 3 of the ModRM reg field,
///   the SIB index and the ModRM r/m or SIB base. It is also emitted (as 0x40) when
///   an 8-bit operand is spl/bpl/sil/dil, which otherwise would mean ah/ch/dh/bh.
/// - ModRM = mod(2) reg(3) rm(3); mod 11 is a register, 00/01/10 memory with no,
///   8-bit or 32-bit displacement.
/// - Memory special cases, where the rm/base field's low three bits mean something
///   else than a register:
///     rm = 100 (rsp, r12) as base   -> a SIB byte is required (index 100 = none)
///     base = 101 (rbp, r13), mod 00 -> would mean RIP (or no base): use mod 01 disp8 0
///     index = 100 without REX.X     -> "no index": rsp cannot be an index (r12 can)
/// - Displacements and immediates take the shortest form that holds the value, as
///   llvm-mc chooses: disp8 if it fits in a signed byte, imm8 sign-extended where the
///   opcode has such a form.
///
/// Requires: every register is physical (the instruction encoder checks first).

/// Legacy prefixes, emitted in declaration order.
struct LegacyPrefixes: OptionSet, Hashable, Sendable {
    let rawValue: UInt8
    /// 0x66: operand size 16.
    static let operandSize16 = LegacyPrefixes(rawValue: 1)
    /// 0xF3: mandatory prefix of lzcnt/tzcnt/popcnt and of single-precision scalar
    /// SSE forms.
    static let repF3 = LegacyPrefixes(rawValue: 2)
    /// 0xF2: mandatory prefix of double-precision scalar SSE forms.
    static let repF2 = LegacyPrefixes(rawValue: 4)
    /// 0xF0: `lock` (cmpxchg, xadd), after 0x66 as llvm-mc writes it.
    static let lock = LegacyPrefixes(rawValue: 8)

    static func forSize(_ size: OperandSize) -> LegacyPrefixes {
        size == .size16 ? .operandSize16 : []
    }
}

/// The ModRM reg field: a register (its bit 3 goes to REX.R) or an opcode extension.
enum RegField {
    /// A register operand; `isByte` if it is used as an 8-bit register.
    case reg(Gpr, isByte: Bool)
    /// An opcode extension `/digit`.
    case digit(UInt8)
    /// An xmm register operand.
    case xmm(Xmm)
}

/// The ModRM r/m operand: a register or memory.
enum RmField {
    /// A register operand; `isByte` if it is used as an 8-bit register.
    case reg(Gpr, isByte: Bool)
    case mem(Amode)
    /// An xmm register operand.
    case xmm(Xmm)
}

/// The hardware encoding of a physical register (0…15).
@inline(__always) func hardwareEncoding(_ gpr: Gpr) -> UInt8 {
    UInt8(truncatingIfNeeded: gpr.reg.raw & 0xF)
}

/// The hardware encoding of a physical xmm register (0…15).
@inline(__always) func hardwareEncoding(_ xmm: Xmm) -> UInt8 {
    UInt8(truncatingIfNeeded: xmm.reg.raw & 0xF)
}

/// Whether an 8-bit use of this register needs a REX prefix (spl/bpl/sil/dil).
@inline(__always) func needsRexAsByte(_ gpr: Gpr) -> Bool {
    (4 ... 7).contains(hardwareEncoding(gpr))
}

@inline(__always) func fitsInInt8<T: BinaryInteger>(_ value: T) -> Bool {
    value >= -128 && value <= 127
}

extension CodeBuffer {
    /// Emits a complete ModRM-addressed instruction: prefixes, REX, the opcode bytes
    /// (`opcode` holds `opcodeLength` bytes, most significant first), ModRM, SIB and
    /// displacement. Records the memory operand's trap code at the instruction start.
    /// `trailingBytes` is the size of the immediate the caller emits next (a
    /// RIP-relative displacement is relative to the end of the instruction).
    mutating func emitModRM(prefixes: LegacyPrefixes, rexW: Bool, opcode: UInt32, opcodeLength: Int,
                            reg: RegField, rm: RmField, trailingBytes: Int = 0) {
        if case .mem(let amode) = rm, let trap = amode.trap { addTrap(trap) }
        emitPrefixes(prefixes)

        var rex: UInt8 = rexW ? 0x48 : 0
        let regBits: UInt8
        switch reg {
        case .reg(let gpr, let isByte):
            let encoding = hardwareEncoding(gpr)
            if encoding >= 8 { rex |= 0x44 }
            if isByte && needsRexAsByte(gpr) { rex |= 0x40 }
            regBits = encoding & 7
        case .digit(let digit):
            regBits = digit
        case .xmm(let xmm):
            let encoding = hardwareEncoding(xmm)
            if encoding >= 8 { rex |= 0x44 }
            regBits = encoding & 7
        }
        switch rm {
        case .xmm(let xmm):
            let encoding = hardwareEncoding(xmm)
            if encoding >= 8 { rex |= 0x41 }
            if rex != 0 { put1(rex) }
            emitOpcode(opcode, length: opcodeLength)
            put1(0xC0 | regBits << 3 | encoding & 7)
        case .reg(let gpr, let isByte):
            let encoding = hardwareEncoding(gpr)
            if encoding >= 8 { rex |= 0x41 }
            if isByte && needsRexAsByte(gpr) { rex |= 0x40 }
            if rex != 0 { put1(rex) }
            emitOpcode(opcode, length: opcodeLength)
            put1(0xC0 | regBits << 3 | encoding & 7)
        case .mem(let amode):
            rex |= CodeBuffer.rexBits(of: amode.address)
            if rex != 0 { put1(rex) }
            emitOpcode(opcode, length: opcodeLength)
            emitAddress(amode.address, regBits: regBits, trailingBytes: trailingBytes)
        }
    }

    /// Emits an instruction whose register is in the low three opcode bits
    /// (push, pop, bswap, mov $imm, %reg).
    mutating func emitOpcodePlusReg(prefixes: LegacyPrefixes, rexW: Bool, opcode: UInt32, opcodeLength: Int,
                                    reg: Gpr) {
        emitPrefixes(prefixes)
        let encoding = hardwareEncoding(reg)
        var rex: UInt8 = rexW ? 0x48 : 0
        if encoding >= 8 { rex |= 0x41 }
        if rex != 0 { put1(rex) }
        emitOpcode(opcode | UInt32(encoding & 7), length: opcodeLength)
    }

    mutating func emitPrefixes(_ prefixes: LegacyPrefixes) {
        if prefixes.contains(.operandSize16) { put1(0x66) }
        if prefixes.contains(.lock) { put1(0xF0) }
        if prefixes.contains(.repF3) { put1(0xF3) }
        if prefixes.contains(.repF2) { put1(0xF2) }
    }

    mutating func emitOpcode(_ opcode: UInt32, length: Int) {
        for index in stride(from: length - 1, through: 0, by: -1) {
            put1(UInt8(truncatingIfNeeded: opcode >> UInt32(8 * index)))
        }
    }

    /// Emits an immediate of `byteCount` bytes (1, 2, 4 or 8), little-endian.
    mutating func emitImmediate(_ value: Int64, byteCount: Int) {
        switch byteCount {
        case 1: put1(UInt8(truncatingIfNeeded: value))
        case 2: put2(UInt16(truncatingIfNeeded: value))
        case 4: put4(UInt32(truncatingIfNeeded: value))
        case 8: put8(UInt64(bitPattern: value))
        default: preconditionFailure("x64 encoder: no \(byteCount)-byte immediates")
        }
    }

    /// REX.X and REX.B for the registers of an address.
    static func rexBits(of address: Address) -> UInt8 {
        switch address {
        case .base(let base, _):
            return hardwareEncoding(base) >= 8 ? 0x41 : 0
        case .baseIndex(let base, let index, _, _):
            return (hardwareEncoding(base) >= 8 ? 0x41 : 0) | (hardwareEncoding(index) >= 8 ? 0x42 : 0)
        case .ripRelative:
            return 0
        case .frame:
            preconditionFailure("frame address \(address) reached the encoder: lay out the frame first")
        }
    }

    /// ModRM (with the given reg bits), SIB and displacement of a memory operand.
    mutating func emitAddress(_ address: Address, regBits: UInt8, trailingBytes: Int) {
        switch address {
        case .base(let base, let displacement):
            let baseBits = hardwareEncoding(base) & 7
            let mod = CodeBuffer.displacementMod(displacement, baseBits: baseBits)
            if baseBits == 4 {
                // rsp/r12 in the rm field means "SIB follows": a SIB with no index.
                put1(mod << 6 | regBits << 3 | 0b100)
                put1(0b00_100_000 | baseBits)
            } else {
                put1(mod << 6 | regBits << 3 | baseBits)
            }
            emitDisplacement(displacement, mod: mod)
        case .baseIndex(let base, let index, let scale, let displacement):
            precondition(hardwareEncoding(index) != 4, "rsp cannot be an index register")
            let baseBits = hardwareEncoding(base) & 7
            let mod = CodeBuffer.displacementMod(displacement, baseBits: baseBits)
            put1(mod << 6 | regBits << 3 | 0b100)
            put1(scale.rawValue << 6 | (hardwareEncoding(index) & 7) << 3 | baseBits)
            emitDisplacement(displacement, mod: mod)
        case .ripRelative(let label):
            put1(regBits << 3 | 0b101)
            putLabelUse32(label, addend: -4 - Int32(trailingBytes))
        case .frame:
            preconditionFailure("frame address \(address) reached the encoder: lay out the frame first")
        }
    }

    /// mod 00 (no displacement) unless the base is rbp/r13, 01 for disp8, 10 for disp32.
    static func displacementMod(_ displacement: Int32, baseBits: UInt8) -> UInt8 {
        if displacement == 0 && baseBits != 5 { return 0b00 }
        return fitsInInt8(displacement) ? 0b01 : 0b10
    }

    mutating func emitDisplacement(_ displacement: Int32, mod: UInt8) {
        switch mod {
        case 0b01: put1(UInt8(truncatingIfNeeded: displacement))
        case 0b10: put4(UInt32(bitPattern: displacement))
        default: break
        }
    }
}

// MARK: Emitting a row's opcode

extension CodeBuffer {
    /// The legacy prefixes of a row at operand size `size`: 66 at 16 bits or when
    /// mandatory, lock, then a mandatory F3 or F2.
    @inline(__always)
    static func prefixes(_ encoding: FormEncoding, size: OperandSize?) -> LegacyPrefixes {
        size == .size16 ? encoding.legacyPrefixes.union(.operandSize16) : encoding.legacyPrefixes
    }

    /// Whether a row sets REX.W at `size`.
    static func rexW(_ encoding: FormEncoding, size: OperandSize?) -> Bool {
        switch encoding.rexW {
        case .bySize: return size == .size64
        case .always: return true
        case .never: return false
        }
    }

    /// The opcode bytes at `size` (the byte form under the w-bit rule) plus `plus`
    /// (a condition code).
    static func opcodeBytes(_ encoding: FormEncoding, _ opcode: X64Opcode, size: OperandSize?, plus: UInt8) -> UInt32 {
        let bytes = encoding.usesWBit && size == .size8 ? opcode.bytes & ~1 : opcode.bytes
        return bytes + UInt32(plus)
    }

    /// A form with a ModRM byte: the row's prefixes, REX, opcode (+ `plus`), ModRM
    /// with the opcode's /digit or `reg` in the reg field, SIB, displacement, then
    /// the opcode's immediate (`immediate`, at the width the opcode gives at `size`).
    mutating func emit(_ encoding: FormEncoding, _ opcode: X64Opcode, size: OperandSize?, reg: RegField, rm: RmField,
                       immediate: Int64 = 0, plus: UInt8 = 0) {
        let immediateBytes = opcode.immediate.byteCount(at: size)
        let regField: RegField = opcode.digit.map(RegField.digit) ?? reg
        emitModRM(prefixes: CodeBuffer.prefixes(encoding, size: size), rexW: CodeBuffer.rexW(encoding, size: size),
                  opcode: CodeBuffer.opcodeBytes(encoding, opcode, size: size, plus: plus),
                  opcodeLength: opcode.length, reg: regField, rm: rm, trailingBytes: immediateBytes)
        if immediateBytes > 0 { emitImmediate(immediate, byteCount: immediateBytes) }
    }

    /// A form with the register in the opcode's low bits (`O`, `OI`), then the
    /// opcode's immediate; `immediate` nil: the caller emits the field (a relocation).
    mutating func emitPlusRegister(_ encoding: FormEncoding, _ opcode: X64Opcode, size: OperandSize?, reg: Gpr,
                                   immediate: Int64? = 0) {
        emitOpcodePlusReg(prefixes: CodeBuffer.prefixes(encoding, size: size),
                          rexW: CodeBuffer.rexW(encoding, size: size),
                          opcode: CodeBuffer.opcodeBytes(encoding, opcode, size: size, plus: 0),
                          opcodeLength: opcode.length, reg: reg)
        let immediateBytes = opcode.immediate.byteCount(at: size)
        if let immediate, immediateBytes > 0 { emitImmediate(immediate, byteCount: immediateBytes) }
    }

    /// A form without ModRM (`ZO`, `I`, `I8`, `D`, `D8`): prefixes, REX.W, the opcode
    /// (+ `plus`) and the opcode's immediate. A relative target (`D`, `D8`) is the
    /// caller's to emit.
    mutating func emitBare(_ encoding: FormEncoding, _ opcode: X64Opcode, size: OperandSize?, immediate: Int64 = 0,
                           plus: UInt8 = 0) {
        emitPrefixes(CodeBuffer.prefixes(encoding, size: size))
        if CodeBuffer.rexW(encoding, size: size) { put1(0x48) }
        emitOpcode(CodeBuffer.opcodeBytes(encoding, opcode, size: size, plus: plus), length: opcode.length)
        let immediateBytes = opcode.immediate.byteCount(at: size)
        if immediateBytes > 0 { emitImmediate(immediate, byteCount: immediateBytes) }
    }
}

// MARK: VEX

/// VEX forms (AVX, FMA3) use the three-byte VEX prefix instead of the legacy prefixes
/// and REX:
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
}
