import EgretIR

/// i128 division and remainder: udiv, urem, sdiv, srem, inline and branch-free.
///
/// **Why inline rather than libgcc's `__udivti3` / `__divti3` / `__umodti3` /
/// `__modti3`.** The traps must come out of JIT code with CLIF's codes, so the zero
/// and MIN / -1 checks are inline either way; a libcall would add a call sequence
/// inside an ordinary instruction (a frame that makes calls, caller-saved registers
/// destroyed), a dependency on symbols the JIT linker would have to look up in the
/// process, and a piece of the computation the SMT verifier cannot see. Inline, the
/// division is about sixty instructions with three 64-bit `div`s, none of which can
/// fault, and every instruction is an ordinary form the verifier models.
///
/// Checks, first, in the interpreter's order:
///
///     int_divz   v.lo | v.hi == 0
///     int_ovf    sdiv only: (v.lo & v.hi) + 1 | (u.hi ^ MIN64) | u.lo == 0, i.e.
///                v == -1 and u == MIN (srem MIN % -1 is 0 and needs no check)
///
/// The unsigned quotient of u by v (Hacker's Delight, "doubleword division from long
/// division"), both cases computed and one chosen by cmov on v.hi ≠ 0:
///
///     v.hi = 0   q.hi = u.hi / d, k = u.hi % d; q.lo = (k:u.lo) / d, with d = v.lo
///                (1 when v.hi ≠ 0, so the unused divide cannot fault; k < d, so the
///                second divide cannot overflow)
///     v.hi ≠ 0   b = bsr(v.hi), n = 63 - b; v1 = the top 64 bits of v << n;
///                q1 = (u >> 1) / (v1 | 2^63)   (u >> 1 < 2^127 ≤ v1 · 2^64: no
///                overflow, also with the garbage b of v.hi = 0)
///                q0 = q1 >> b; q0 -= (q0 ≠ 0); q0 += (u - q0·v ≥ v); q = (q0, 0)
///
/// The remainder is u - q·v. Signed division divides the magnitudes ((x ^ s) - s for
/// the sign mask s) and gives the quotient the sign s_u ^ s_v, the remainder s_u.
extension X64LoweringRules {
    static var i128Division: [LoweringRule] {
        [
            LoweringRule(name: "udiv_i128", opcode: .udiv, types: [.i128], priority: 0,
                         priorityReason: "the only rule: zero check, then the branch-free long division",
                         pattern: [.register, .register]) { b in
                let dividend = b.gprPair(0), divisor = b.gprPair(1)
                emitDivisionByZeroCheck(b, divisor)
                emitPairCopy(b, unsignedQuotient128(b, dividend, divisor), into: b.resultPair(0))
            },
            LoweringRule(name: "urem_i128", opcode: .urem, types: [.i128], priority: 0,
                         priorityReason: "the only rule: zero check, the long division, u - q·v",
                         pattern: [.register, .register]) { b in
                let dividend = b.gprPair(0), divisor = b.gprPair(1)
                emitDivisionByZeroCheck(b, divisor)
                let quotient = unsignedQuotient128(b, dividend, divisor)
                emitRemainder(b, dividend, divisor, quotient, into: b.resultPair(0))
            },
            LoweringRule(name: "sdiv_i128", opcode: .sdiv, types: [.i128], priority: 0,
                         priorityReason: "the only rule: zero and MIN / -1 checks, the long division of the "
                            + "magnitudes, the sign applied",
                         pattern: [.register, .register]) { b in
                let dividend = b.gprPair(0), divisor = b.gprPair(1)
                emitDivisionByZeroCheck(b, divisor)
                emitSignedOverflowCheck(b, dividend, divisor)
                let dividendSign = shifted(b, .sar, .size64, dividend.high, 63)
                let divisorSign = shifted(b, .sar, .size64, divisor.high, 63)
                let quotient = unsignedQuotient128(b, magnitude(b, dividend, sign: dividendSign),
                                                   magnitude(b, divisor, sign: divisorSign))
                let sign = alu(b, .xor, .size64, dividendSign, .reg(divisorSign))
                emitApplySign(b, quotient, sign: sign, into: b.resultPair(0))
            },
            LoweringRule(name: "srem_i128", opcode: .srem, types: [.i128], priority: 0,
                         priorityReason: "the only rule: zero check, the remainder of the magnitudes with the "
                            + "dividend's sign (MIN % -1 = 0 without a check)",
                         pattern: [.register, .register]) { b in
                let dividend = b.gprPair(0), divisor = b.gprPair(1)
                emitDivisionByZeroCheck(b, divisor)
                let dividendSign = shifted(b, .sar, .size64, dividend.high, 63)
                let divisorSign = shifted(b, .sar, .size64, divisor.high, 63)
                let dividendMagnitude = magnitude(b, dividend, sign: dividendSign)
                let divisorMagnitude = magnitude(b, divisor, sign: divisorSign)
                let quotient = unsignedQuotient128(b, dividendMagnitude, divisorMagnitude)
                let remainder = WritableGprPair(low: b.newGpr(), high: b.newGpr())
                emitRemainder(b, dividendMagnitude, divisorMagnitude, quotient, into: remainder)
                emitApplySign(b, remainder.regs, sign: dividendSign, into: b.resultPair(0))
            },
        ]
    }

    /// Traps `int_divz` when the 128-bit divisor is zero.
    static func emitDivisionByZeroCheck(_ b: any LoweringBuilder, _ divisor: GprPair) {
        _ = alu(b, .or, .size64, divisor.low, .reg(divisor.high))
        b.emit(.trapIf(cc: .e, trap: .integerDivisionByZero))
    }

    /// Traps `int_ovf` when the divisor is -1 and the dividend is the i128 minimum.
    static func emitSignedOverflowCheck(_ b: any LoweringBuilder, _ dividend: GprPair, _ divisor: GprPair) {
        let minimumHigh = b.materialize(Int64.min, size: .size64)
        let notMinusOne = alu(b, .add, .size64, alu(b, .and, .size64, divisor.low, .reg(divisor.high)), .imm(1))
        let notMinimum = alu(b, .or, .size64, alu(b, .xor, .size64, dividend.high, .reg(minimumHigh)),
                             .reg(dividend.low))
        _ = alu(b, .or, .size64, notMinusOne, .reg(notMinimum))
        b.emit(.trapIf(cc: .e, trap: .integerOverflow))
    }

    /// |x| as an unsigned 128-bit value, for the sign mask `sign` of x: (x ^ s) - s.
    static func magnitude(_ b: any LoweringBuilder, _ x: GprPair, sign: Gpr) -> GprPair {
        let flipped = GprPair(low: alu(b, .xor, .size64, x.low, .reg(sign)),
                              high: alu(b, .xor, .size64, x.high, .reg(sign)))
        let result = WritableGprPair(low: b.newGpr(), high: b.newGpr())
        emitCarryChain(b, .sub, .sbb, flipped, GprPair(low: sign, high: sign), into: result)
        return result.regs
    }

    /// `into` = x negated when `sign` is all ones, x when it is zero.
    static func emitApplySign(_ b: any LoweringBuilder, _ x: GprPair, sign: Gpr, into: WritableGprPair) {
        let flipped = GprPair(low: alu(b, .xor, .size64, x.low, .reg(sign)),
                              high: alu(b, .xor, .size64, x.high, .reg(sign)))
        emitCarryChain(b, .sub, .sbb, flipped, GprPair(low: sign, high: sign), into: into)
    }

    /// `into` = u - q·v.
    static func emitRemainder(_ b: any LoweringBuilder, _ dividend: GprPair, _ divisor: GprPair, _ quotient: GprPair,
                              into: WritableGprPair) {
        let product = WritableGprPair(low: b.newGpr(), high: b.newGpr())
        emitMultiply128(b, quotient, divisor, into: product)
        emitCarryChain(b, .sub, .sbb, dividend, product.regs, into: into)
    }

    /// The unsigned quotient of `dividend` by the non-zero `divisor`; no divide in it
    /// can fault.
    static func unsignedQuotient128(_ b: any LoweringBuilder, _ dividend: GprPair, _ divisor: GprPair) -> GprPair {
        let zero = b.materialize(0, size: .size64)

        // v.hi = 0: two chained 128-by-64 divides by d.
        let one = b.materialize(1, size: .size64)
        b.emit(.cmpRmiR(.test, size: .size64, src1: divisor.high, src2: .reg(divisor.high)))
        let shortDivisor = b.newGpr()
        b.emit(.cmove(size: .size64, cc: .ne, consequent: .reg(one), alternative: divisor.low, dst: shortDivisor))
        let shortHigh = b.newGpr(), carried = b.newGpr()
        b.emit(.div(.divUnsigned, size: .size64, dividendLo: dividend.high, dividendHi: zero,
                    divisor: .reg(shortDivisor.reg), quotient: shortHigh, remainder: carried,
                    trap: .integerDivisionByZero))
        let shortLow = b.newGpr()
        b.emit(.div(.divUnsigned, size: .size64, dividendLo: dividend.low, dividendHi: carried.reg,
                    divisor: .reg(shortDivisor.reg), quotient: shortLow, remainder: b.newGpr(),
                    trap: .integerDivisionByZero))

        // v.hi ≠ 0: one divide by the normalised top 64 bits of v, then a correction.
        let top = b.newGpr()
        b.emit(.unaryRmR(.bsr, size: .size64, src: .reg(divisor.high), dst: top))
        let normalization = alu(b, .xor, .size64, top.reg, .imm(63))
        let normalizedTop = alu(b, .or, .size64, shiftedBy(b, .shl, divisor.high, normalization),
                                .reg(shiftedBy(b, .shr, shifted(b, .shr, .size64, divisor.low, 1), top.reg)))
        let safeTop = alu(b, .or, .size64, normalizedTop, .reg(b.materialize(Int64.min, size: .size64)))
        let halvedLow = alu(b, .or, .size64, shifted(b, .shr, .size64, dividend.low, 1),
                            .reg(shifted(b, .shl, .size64, dividend.high, 63)))
        let halvedHigh = shifted(b, .shr, .size64, dividend.high, 1)
        let estimate = b.newGpr()
        b.emit(.div(.divUnsigned, size: .size64, dividendLo: halvedLow, dividendHi: halvedHigh,
                    divisor: .reg(safeTop), quotient: estimate, remainder: b.newGpr(), trap: .integerDivisionByZero))
        let scaled = shiftedBy(b, .shr, estimate.reg, top.reg)
        // q0 - 1 unless q0 = 0: cmp sets CF exactly when q0 < 1, adc adds it back.
        b.emit(.cmpRmiR(.cmp, size: .size64, src1: scaled, src2: .imm(1)))
        let lowered = alu(b, .adc, .size64, scaled, .imm(-1))
        // q0 + 1 when u - q0·v ≥ v: the flags of (u - q0·v) - v leave CF clear then.
        let product = WritableGprPair(low: b.newGpr(), high: b.newGpr())
        emitMultiply128(b, GprPair(low: lowered, high: zero), divisor, into: product)
        let rest = WritableGprPair(low: b.newGpr(), high: b.newGpr())
        emitCarryChain(b, .sub, .sbb, dividend, product.regs, into: rest)
        emitWideSubtractFlags(b, rest.regs, divisor)
        let longLow = alu(b, .sbb, .size64, lowered, .imm(-1))

        b.emit(.cmpRmiR(.test, size: .size64, src1: divisor.high, src2: .reg(divisor.high)))
        let low = b.newGpr(), high = b.newGpr()
        b.emit(.cmove(size: .size64, cc: .ne, consequent: .reg(longLow), alternative: shortLow.reg, dst: low))
        b.emit(.cmove(size: .size64, cc: .ne, consequent: .reg(zero), alternative: shortHigh.reg, dst: high))
        return GprPair(low: low.reg, high: high.reg)
    }
}
