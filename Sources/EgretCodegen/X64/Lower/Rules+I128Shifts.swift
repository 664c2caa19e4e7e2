import EgretIR

/// i128 shifts and rotates: ishl, ushr, sshr, rotl, rotr, by a count of any integer
/// type (an i128 count: its low half), taken modulo 128 as CLIF says.
///
/// Branch-free, with 64-bit shifts by `%cl` (which the hardware masks to k = n & 63)
/// and a final choice on bit 6 of the count (n & 64) by cmov:
///
///     ishl   lo' = lo << k          hi' = hi << k | spill(lo)     n & 64: hi' = lo', lo' = 0
///     ushr   lo' = lo >> k | spill  hi' = hi >> k                 n & 64: lo' = hi', hi' = 0
///     sshr   as ushr with sar       hi' = hi >>s k                n & 64: lo' = hi', hi' = hi >>s 63
///     rotl   n & 64 first swaps the halves; then lo' = lo << k | hi >> (64 - k),
///            hi' = hi << k | lo >> (64 - k)            (rotr: the mirror image)
///
/// The bits that cross between the halves, x >> (64 - k), are computed as
/// (x >> 1) >> (63 - k) so that k = 0 gives 0 rather than x (x86 shifts by 64 act as
/// shifts by 0); 63 - k is ~n masked by the hardware, so no subtraction is needed.
/// No count bits above bit 6 matter, and narrow counts are read only in their low
/// byte, so their unspecified upper bits are harmless. A constant count (an `iconst`
/// of any width, taken modulo 128) chooses the halves at compile time instead: a
/// pair of shifts and an or per half at most, no rcx and no cmov.
extension X64LoweringRules {
    static var i128Shifts: [LoweringRule] {
        [
            wideShift(name: "ishl_i128", opcode: .ishl) { b, source, count in
                let inverse = invertedCount(b, count)
                let low = shiftedBy(b, .shl, source.low, count)
                let spill = shiftedBy(b, .shr, shifted(b, .shr, .size64, source.low, 1), inverse)
                let high = alu(b, .or, .size64, shiftedBy(b, .shl, source.high, count), .reg(spill))
                let zero = b.materialize(0, size: .size64)
                return chooseOnBit6(b, count, normal: GprPair(low: low, high: high), crossed: GprPair(low: zero, high: low))
            },
            wideShift(name: "ushr_i128", opcode: .ushr) { b, source, count in
                let inverse = invertedCount(b, count)
                let high = shiftedBy(b, .shr, source.high, count)
                let spill = shiftedBy(b, .shl, shifted(b, .shl, .size64, source.high, 1), inverse)
                let low = alu(b, .or, .size64, shiftedBy(b, .shr, source.low, count), .reg(spill))
                let zero = b.materialize(0, size: .size64)
                return chooseOnBit6(b, count, normal: GprPair(low: low, high: high), crossed: GprPair(low: high, high: zero))
            },
            wideShift(name: "sshr_i128", opcode: .sshr) { b, source, count in
                let inverse = invertedCount(b, count)
                let high = shiftedBy(b, .sar, source.high, count)
                let spill = shiftedBy(b, .shl, shifted(b, .shl, .size64, source.high, 1), inverse)
                let low = alu(b, .or, .size64, shiftedBy(b, .shr, source.low, count), .reg(spill))
                let signs = shifted(b, .sar, .size64, source.high, 63)
                return chooseOnBit6(b, count, normal: GprPair(low: low, high: high), crossed: GprPair(low: high, high: signs))
            },
            wideShift(name: "rotl_i128", opcode: .rotl) { b, source, count in
                emitWideRotate(b, source, count, toward: .shl, from: .shr)
            },
            wideShift(name: "rotr_i128", opcode: .rotr) { b, source, count in
                emitWideRotate(b, source, count, toward: .shr, from: .shl)
            },
            wideShiftByConstant(name: "ishl_i128_imm", opcode: .ishl) { b, source, amount in
                if amount == 0 { return source }
                let zero = b.materialize(0, size: .size64)
                if amount >= 64 { return GprPair(low: zero, high: shiftedOrCopied(b, .shl, source.low, amount - 64)) }
                return GprPair(low: shifted(b, .shl, .size64, source.low, amount),
                               high: funnel(b, source.high, source.low, amount, toward: .shl, from: .shr))
            },
            wideShiftByConstant(name: "ushr_i128_imm", opcode: .ushr) { b, source, amount in
                if amount == 0 { return source }
                let zero = b.materialize(0, size: .size64)
                if amount >= 64 { return GprPair(low: shiftedOrCopied(b, .shr, source.high, amount - 64), high: zero) }
                return GprPair(low: funnel(b, source.low, source.high, amount, toward: .shr, from: .shl),
                               high: shifted(b, .shr, .size64, source.high, amount))
            },
            wideShiftByConstant(name: "sshr_i128_imm", opcode: .sshr) { b, source, amount in
                if amount == 0 { return source }
                let signs = shifted(b, .sar, .size64, source.high, 63)
                if amount >= 64 { return GprPair(low: shiftedOrCopied(b, .sar, source.high, amount - 64), high: signs) }
                return GprPair(low: funnel(b, source.low, source.high, amount, toward: .shr, from: .shl),
                               high: shifted(b, .sar, .size64, source.high, amount))
            },
            wideShiftByConstant(name: "rotl_i128_imm", opcode: .rotl) { b, source, amount in
                let halves = amount >= 64 ? GprPair(low: source.high, high: source.low) : source
                let rest = amount & 63
                if rest == 0 { return halves }
                return GprPair(low: funnel(b, halves.low, halves.high, rest, toward: .shl, from: .shr),
                               high: funnel(b, halves.high, halves.low, rest, toward: .shl, from: .shr))
            },
            wideShiftByConstant(name: "rotr_i128_imm", opcode: .rotr) { b, source, amount in
                let halves = amount >= 64 ? GprPair(low: source.high, high: source.low) : source
                let rest = amount & 63
                if rest == 0 { return halves }
                return GprPair(low: funnel(b, halves.low, halves.high, rest, toward: .shr, from: .shl),
                               high: funnel(b, halves.high, halves.low, rest, toward: .shr, from: .shl))
            },
        ]
    }

    /// A rule for `opcode` on i128 by a constant count, whose `body` computes the
    /// result pair from the source pair and the count modulo 128 (0…127).
    static func wideShiftByConstant(name: String, opcode: Opcode,
                                    body: @escaping @Sendable (any LoweringBuilder, GprPair, UInt8) -> GprPair)
        -> LoweringRule {
        LoweringRule(name: name, opcode: opcode, types: [.i128], priority: 10,
                     priorityReason: "a constant count picks the halves at compile time: no rcx, no cmov",
                     pattern: [.register, .constant]) { b in
            let result = body(b, b.gprPair(0), UInt8(truncatingIfNeeded: b.constant(1) & 127))
            let into = b.resultPair(0)
            b.emitCopy(result.low, into: into.low)
            b.emitCopy(result.high, into: into.high)
        }
    }

    /// `main` shifted `toward` by `amount` (1…63), filled with `other` shifted `from`
    /// by 64 - amount: one half of a 128-bit shift or rotate by a constant.
    static func funnel(_ b: any LoweringBuilder, _ main: Gpr, _ other: Gpr, _ amount: UInt8, toward: FormID,
                       from: FormID) -> Gpr {
        alu(b, .or, .size64, shifted(b, toward, .size64, main, amount), .reg(shifted(b, from, .size64, other, 64 - amount)))
    }

    /// `source` shifted by the constant `amount` (0…63); a copy when it is 0.
    static func shiftedOrCopied(_ b: any LoweringBuilder, _ kind: FormID, _ source: Gpr, _ amount: UInt8) -> Gpr {
        amount == 0 ? source : shifted(b, kind, .size64, source, amount)
    }

    /// A rule for `opcode` on i128 whose `body` computes the result pair from the
    /// source pair and the count register.
    static func wideShift(name: String, opcode: Opcode,
                          body: @escaping @Sendable (any LoweringBuilder, GprPair, Gpr) -> GprPair) -> LoweringRule {
        LoweringRule(name: name, opcode: opcode, types: [.i128], priority: 0,
                     priorityReason: "the only rule: branch-free 64-bit shifts, the halves chosen on bit 6 of the count",
                     pattern: [.register, .lowBits]) { b in
            let result = body(b, b.gprPair(0), b.gpr(1))
            let into = b.resultPair(0)
            b.emitCopy(result.low, into: into.low)
            b.emitCopy(result.high, into: into.high)
        }
    }

    /// `source` shifted by `%cl` = count (masked to 6 bits by the hardware).
    static func shiftedBy(_ b: any LoweringBuilder, _ kind: FormID, _ source: Gpr, _ count: Gpr) -> Gpr {
        let destination = b.newGpr()
        b.emit(.shiftR(kind, size: .size64, src: source, count: .cl(count), dst: destination))
        return destination.reg
    }

    /// ~count: as a 6-bit shift count, 63 - (count & 63).
    static func invertedCount(_ b: any LoweringBuilder, _ count: Gpr) -> Gpr {
        let destination = b.newGpr()
        b.emit(.unary(.not, size: .size32, src: count, dst: destination))
        return destination.reg
    }

    /// `normal` when bit 6 of the count is clear, else `crossed`.
    static func chooseOnBit6(_ b: any LoweringBuilder, _ count: Gpr, normal: GprPair, crossed: GprPair) -> GprPair {
        b.emit(.cmpRmiR(.test, size: .size32, src1: count, src2: .imm(64)))
        let low = b.newGpr(), high = b.newGpr()
        b.emit(.cmove(size: .size64, cc: .ne, consequent: .reg(crossed.low), alternative: normal.low, dst: low))
        b.emit(.cmove(size: .size64, cc: .ne, consequent: .reg(crossed.high), alternative: normal.high, dst: high))
        return GprPair(low: low.reg, high: high.reg)
    }

    /// A rotate: the halves swapped when bit 6 of the count is set, then each half
    /// shifted `toward` by k and filled with the other half's bits shifted `from` by
    /// 64 - k.
    static func emitWideRotate(_ b: any LoweringBuilder, _ source: GprPair, _ count: Gpr, toward: FormID,
                               from: FormID) -> GprPair {
        let swapped = chooseOnBit6(b, count, normal: source, crossed: GprPair(low: source.high, high: source.low))
        let inverse = invertedCount(b, count)
        func half(_ main: Gpr, _ other: Gpr) -> Gpr {
            let moved = shiftedBy(b, toward, main, count)
            let filled = shiftedBy(b, from, shifted(b, from, .size64, other, 1), inverse)
            return alu(b, .or, .size64, moved, .reg(filled))
        }
        return GprPair(low: half(swapped.low, swapped.high), high: half(swapped.high, swapped.low))
    }
}
