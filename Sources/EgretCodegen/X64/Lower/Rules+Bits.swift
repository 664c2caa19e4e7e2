import EgretIR

/// Bit counting and reordering: clz, ctz, cls, popcnt, bitrev, bswap.
///
/// The baseline x86-64 that `target x86_64` names has no LZCNT, TZCNT or POPCNT, so:
/// - clz = (w - 1) - bsr(x), where bsr of zero (ZF set, destination undefined) is
///   replaced by -1 with a cmov, giving w for zero. i8/i16 are zero-extended to 32
///   bits first and use w = their own width, which absorbs the extra leading zeros.
/// - ctz = bsf(x), with zero replaced by w via cmov at 32/64 bits; at 8/16 bits a
///   stop bit at position w (`or $0x100`) makes bsf return w for zero, and the
///   unspecified bits above it cannot matter (bsf finds the lowest set bit).
/// - cls = (w - 2) - bsr(y) for y = s ^ (s >> 31) (63 at i64) on the sign-extended
///   value s: y has a leading zero for each leading copy of the sign bit.
/// - popcnt: the SWAR sum on the zero-extended value (the 64-bit masks live in
///   registers; they do not fit an immediate).
/// - bitrev: reverse the bits of each byte with three mask-and-shift swaps, then
///   reverse the bytes (bswap, or `rolw $8` at 16 bits).
extension X64LoweringRules {
    static var bits: [LoweringRule] {
        [
            LoweringRule(name: "clz_bsr", opcode: .clz, types: .integers, priority: 0,
                         priorityReason: "the baseline sequence (no LZCNT): bsr, zero fixed up by cmov",
                         pattern: [.register]) { b in
                let size = b.aluSize
                let source = b.extended(0, signed: false, to: size)
                let highest = highestSetBit(b, source, size: size)
                let top = b.materialize(Int64(b.type.bits - 1), size: size)
                b.emit(.aluRmiR(.sub, size: size, src1: top, src2: .reg(highest), dst: b.result(0)))
            },
            LoweringRule(name: "ctz_bsf", opcode: .ctz, types: .wideIntegers, priority: 0,
                         priorityReason: "the baseline sequence at 32/64 bits (no TZCNT): bsf, zero fixed up by cmov",
                         pattern: [.register]) { b in
                let width = b.materialize(Int64(b.type.bits), size: b.size)
                let lowest = b.newGpr()
                b.emit(.unaryRmR(.bsf, size: b.size, src: .reg(b.gpr(0)), dst: lowest))
                b.emit(.cmove(size: b.size, cc: .e, consequent: .reg(width), alternative: lowest.reg, dst: b.result(0)))
            },
            LoweringRule(name: "ctz_bsf_narrow", opcode: .ctz, types: .narrowIntegers, priority: 0,
                         priorityReason: "the baseline sequence at 8/16 bits: a stop bit at the width makes zero count w",
                         pattern: [.register]) { b in
                let stopped = b.newGpr()
                b.emit(.aluRmiR(.or, size: .size32, src1: b.gpr(0), src2: .imm(Int32(1) << Int32(b.type.bits)),
                                dst: stopped))
                b.emit(.unaryRmR(.bsf, size: .size32, src: .reg(stopped.reg), dst: b.result(0)))
            },
            LoweringRule(name: "cls_bsr", opcode: .cls, types: .integers, priority: 0,
                         priorityReason: "the baseline sequence: clz of x ^ (x >> w-1), less one",
                         pattern: [.register]) { b in
                let size = b.aluSize
                let source = b.extended(0, signed: true, to: size)
                let signs = shifted(b, .sar, size, source, UInt8(size.bits - 1))
                let differing = alu(b, .xor, size, source, .reg(signs))
                let highest = highestSetBit(b, differing, size: size)
                let top = b.materialize(Int64(b.type.bits - 2), size: size)
                b.emit(.aluRmiR(.sub, size: size, src1: top, src2: .reg(highest), dst: b.result(0)))
            },
            LoweringRule(name: "popcnt_swar", opcode: .popcnt, types: .integers, priority: 0,
                         priorityReason: "the baseline sequence (no POPCNT): SWAR bit sums",
                         pattern: [.register]) { b in
                emitPopcount(b)
            },
            LoweringRule(name: "bitrev", opcode: .bitrev, types: .integers, priority: 0,
                         priorityReason: "the only rule: swap bits within bytes, then reverse the bytes",
                         pattern: [.register]) { b in
                emitBitReverse(b)
            },
            LoweringRule(name: "bswap_i16", opcode: .bswap, types: [.i16], priority: 0,
                         priorityReason: "the only rule at 16 bits (16-bit bswap is undefined): rotate by 8",
                         pattern: [.register]) { b in
                b.emit(.shiftR(.rol, size: .size16, src: b.gpr(0), count: .imm(8), dst: b.result(0)))
            },
            LoweringRule(name: "bswap", opcode: .bswap, types: .wideIntegers, priority: 0,
                         priorityReason: "the only rule at 32/64 bits", pattern: [.register]) { b in
                b.emit(.unary(.bswap, size: b.size, src: b.gpr(0), dst: b.result(0)))
            },
        ]
    }

    /// bsr of `source` at `size`, or -1 when `source` is zero.
    static func highestSetBit(_ b: any LoweringBuilder, _ source: Gpr, size: OperandSize) -> Gpr {
        // Materialised before bsr so that bsr's flags reach the cmov directly.
        let minusOne = b.materialize(-1, size: size)
        let index = b.newGpr()
        b.emit(.unaryRmR(.bsr, size: size, src: .reg(source), dst: index))
        let result = b.newGpr()
        b.emit(.cmove(size: size, cc: .e, consequent: .reg(minusOne), alternative: index.reg, dst: result))
        return result.reg
    }

    /// `lhs op rhs` into a fresh register.
    static func alu(_ b: any LoweringBuilder, _ op: FormID, _ size: OperandSize, _ lhs: Gpr, _ rhs: GprMemImm) -> Gpr {
        let destination = b.newGpr()
        b.emit(.aluRmiR(op, size: size, src1: lhs, src2: rhs, dst: destination))
        return destination.reg
    }

    /// `source` shifted by a constant into a fresh register.
    static func shifted(_ b: any LoweringBuilder, _ kind: FormID, _ size: OperandSize, _ source: Gpr,
                        _ amount: UInt8) -> Gpr {
        let destination = b.newGpr()
        b.emit(.shiftR(kind, size: size, src: source, count: .imm(amount), dst: destination))
        return destination.reg
    }

    /// A mask as an operand: an immediate at 32 bits (its bit pattern), a register at
    /// 64 (`pattern` repeated over the whole register).
    static func maskOperand(_ b: any LoweringBuilder, _ pattern: UInt64, _ size: OperandSize) -> GprMemImm {
        switch size {
        case .size64: return .reg(b.materialize(Int64(bitPattern: pattern), size: .size64))
        case .size8, .size16, .size32: return .imm(Int32(truncatingIfNeeded: pattern))
        }
    }

    static func emitPopcount(_ b: any LoweringBuilder) {
        emitPopcount(b, of: b.extended(0, signed: false, to: b.aluSize), size: b.aluSize, into: b.result(0))
    }

    /// The number of set bits of `source` (all `size` bits defined) into `into`.
    static func emitPopcount(_ b: any LoweringBuilder, of source: Gpr, size: OperandSize, into: Writable<Gpr>) {
        var x = source
        // x - ((x >> 1) & 0x55…): two-bit sums.
        let halves = alu(b, .and, size, shifted(b, .shr, size, x, 1), maskOperand(b, 0x5555_5555_5555_5555, size))
        x = alu(b, .sub, size, x, .reg(halves))
        // (x & 0x33…) + ((x >> 2) & 0x33…): four-bit sums.
        let fours = maskOperand(b, 0x3333_3333_3333_3333, size)
        let high = alu(b, .and, size, shifted(b, .shr, size, x, 2), fours)
        x = alu(b, .add, size, alu(b, .and, size, x, fours), .reg(high))
        // (x + (x >> 4)) & 0x0f…: byte sums.
        x = alu(b, .and, size, alu(b, .add, size, x, .reg(shifted(b, .shr, size, x, 4))),
                maskOperand(b, 0x0F0F_0F0F_0F0F_0F0F, size))
        // The byte sums added into the top byte by a multiply, then shifted down.
        let total = b.newGpr()
        switch size {
        case .size64:
            b.emit(.aluRmiR(.imul, size: .size64, src1: x,
                            src2: .reg(b.materialize(0x0101_0101_0101_0101, size: .size64)), dst: total))
        case .size8, .size16, .size32:
            b.emit(.aluRmImmR(.imulImm, size: .size32, src: .reg(x), imm: 0x0101_0101, dst: total))
        }
        b.emit(.shiftR(.shr, size: size, src: total.reg, count: .imm(UInt8(size.bits - 8)), dst: into))
    }

    static func emitBitReverse(_ b: any LoweringBuilder) {
        emitBitReverse(b, of: b.gpr(0), bits: b.type.bits, into: b.result(0))
    }

    /// The low `bits` bits of `source` in reverse order into `into`.
    static func emitBitReverse(_ b: any LoweringBuilder, of source: Gpr, bits: Int, into: Writable<Gpr>) {
        let size = OperandSize(alu: bits == 64 ? .i64 : .i32)
        var x = source
        // Swap adjacent bits, bit pairs, nibbles: each byte reversed in place.
        for (shift, pattern) in [(UInt8(1), UInt64(0x5555_5555_5555_5555)), (2, 0x3333_3333_3333_3333),
                                 (4, 0x0F0F_0F0F_0F0F_0F0F)] {
            let mask = maskOperand(b, pattern, size)
            let low = alu(b, .and, size, shifted(b, .shr, size, x, shift), mask)
            let high = shifted(b, .shl, size, alu(b, .and, size, x, mask), shift)
            x = alu(b, .or, size, low, .reg(high))
        }
        switch bits {
        case 8:
            b.emitCopy(x, into: into)
        case 16:
            b.emit(.shiftR(.rol, size: .size16, src: x, count: .imm(8), dst: into))
        default:
            b.emit(.unary(.bswap, size: size, src: x, dst: into))
        }
    }
}
