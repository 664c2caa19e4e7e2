import EgretIR

/// Division and remainder: udiv, urem, sdiv, srem.
///
/// CLIF traps `int_divz` on a zero divisor, `int_ovf` on sdiv MIN / -1, and defines
/// srem MIN % -1 = 0. x86 div/idiv raise #DE on a zero divisor and on a quotient that
/// does not fit (MIN / -1, also for idiv computing only the remainder). So:
///
///     zero divisor   the div itself faults; it carries `int_divz` in the trap table
///                    (#DE for any other reason is ruled out below, so the code is exact)
///     sdiv MIN/-1    an explicit check before the divide, branch-free at the exact
///                    width: t1 = (d == -1), t2 = (n - 1 overflows, i.e. n == MIN),
///                    `and t1, t2; trapIf ne int_ovf`
///     srem MIN%-1    a divisor of -1 is replaced by 1 (`cmp $-1, d; cmove one, d`):
///                    n % 1 = n % -1 = 0 for every n, and idiv never sees -1
///
/// Widths: i8 and i16 divide in 32 bits on operands zero- or sign-extended there (the
/// 8-bit divide leaves the remainder in ah, which Egret never names); i32 and i64 use
/// their own width. The dividend's high half is zero (unsigned) or its sign (cdq/cqo).
/// A divisor that is a known non-zero constant (and not -1 for signed) needs no check.
extension X64LoweringRules {
    static var division: [LoweringRule] {
        [
            LoweringRule(name: "udiv", opcode: .udiv, types: .integers, priority: 0,
                         priorityReason: "the general case: the divide faults (int_divz) only on zero",
                         pattern: [.register, .register]) { b in
                emitUnsignedDivide(b, divisor: .operand, wantRemainder: false)
            },
            LoweringRule(name: "urem", opcode: .urem, types: .integers, priority: 0,
                         priorityReason: "the general case: the divide faults (int_divz) only on zero",
                         pattern: [.register, .register]) { b in
                emitUnsignedDivide(b, divisor: .operand, wantRemainder: true)
            },
            LoweringRule(name: "udiv_pow2", opcode: .udiv, types: .integers, priority: 20,
                         priorityReason: "division by 2^k is a right shift: no divide, no trap possible",
                         pattern: [.register, .constant], guards: [.isPowerOfTwo(1)]) { b in
                let shift = UInt8(b.match.unsignedConstant(1).trailingZeroBitCount)
                b.emit(.shiftR(.shr, size: b.size, src: b.gpr(0), count: .imm(shift), dst: b.result(0)))
            },
            LoweringRule(name: "urem_pow2", opcode: .urem, types: .integers, priority: 20,
                         priorityReason: "remainder by 2^k is a mask: no divide, no trap possible",
                         pattern: [.register, .constant], guards: [.isPowerOfTwo(1)]) { b in
                let mask = Int64(bitPattern: b.match.unsignedConstant(1) - 1)
                if let imm = Int32(exactly: mask) {
                    b.emit(.aluRmiR(.and, size: b.aluSize, src1: b.gpr(0), src2: .imm(imm), dst: b.result(0)))
                } else {
                    let maskRegister = b.materialize(mask, size: .size64)
                    b.emit(.aluRmiR(.and, size: .size64, src1: b.gpr(0), src2: .reg(maskRegister), dst: b.result(0)))
                }
            },
            LoweringRule(name: "udiv_const", opcode: .udiv, types: .integers, priority: 10,
                         priorityReason: "a non-zero constant divisor cannot fault: the divide alone",
                         pattern: [.register, .constant], guards: [.isNonZero(1)]) { b in
                emitUnsignedDivide(b, divisor: .constant, wantRemainder: false)
            },
            LoweringRule(name: "urem_const", opcode: .urem, types: .integers, priority: 10,
                         priorityReason: "a non-zero constant divisor cannot fault: the divide alone",
                         pattern: [.register, .constant], guards: [.isNonZero(1)]) { b in
                emitUnsignedDivide(b, divisor: .constant, wantRemainder: true)
            },
            LoweringRule(name: "sdiv", opcode: .sdiv, types: .integers, priority: 0,
                         priorityReason: "the general case: check MIN / -1 (int_ovf), then the divide faults "
                            + "(int_divz) only on zero",
                         pattern: [.register, .register]) { b in
                emitOverflowCheck(b)
                emitSignedDivide(b, divisor: b.extended(1, signed: true, to: b.aluSize), wantRemainder: false)
            },
            LoweringRule(name: "sdiv_const", opcode: .sdiv, types: .integers, priority: 10,
                         priorityReason: "a constant divisor other than 0 and -1 can neither fault nor overflow",
                         pattern: [.register, .constant], guards: [.isNonZero(1), .isNotMinusOne(1)]) { b in
                emitSignedDivide(b, divisor: b.materialize(b.constant(1), size: b.aluSize), wantRemainder: false)
            },
            LoweringRule(name: "srem", opcode: .srem, types: .integers, priority: 0,
                         priorityReason: "the general case: divide by 1 instead of -1 (same remainder, no #DE), "
                            + "then the divide faults (int_divz) only on zero",
                         pattern: [.register, .register]) { b in
                let size = b.aluSize
                let one = b.materialize(1, size: size)
                let divisor = b.extended(1, signed: true, to: size)
                let safeDivisor = b.newGpr()
                b.emit(.cmpRmiR(.cmp, size: b.size, src1: b.gpr(1), src2: .imm(-1)))
                b.emit(.cmove(size: size, cc: .e, consequent: .reg(one), alternative: divisor, dst: safeDivisor))
                emitSignedDivide(b, divisor: safeDivisor.reg, wantRemainder: true)
            },
            LoweringRule(name: "srem_const", opcode: .srem, types: .integers, priority: 10,
                         priorityReason: "a constant divisor other than 0 and -1 can neither fault nor overflow",
                         pattern: [.register, .constant], guards: [.isNonZero(1), .isNotMinusOne(1)]) { b in
                emitSignedDivide(b, divisor: b.materialize(b.constant(1), size: b.aluSize), wantRemainder: true)
            },
        ]
    }

    /// Where an unsigned divide finds its divisor.
    enum DivisorSource {
        case operand
        case constant
    }

    /// `movl $0, %edx; div d`: the quotient or the remainder of the zero-extended
    /// operands at `aluSize`.
    static func emitUnsignedDivide(_ b: any LoweringBuilder, divisor source: DivisorSource, wantRemainder: Bool) {
        let size = b.aluSize
        let dividend = b.extended(0, signed: false, to: size)
        let divisor: Gpr
        switch source {
        case .operand: divisor = b.extended(1, signed: false, to: size)
        case .constant: divisor = b.materialize(Int64(bitPattern: b.match.unsignedConstant(1)), size: size)
        }
        let high = b.materialize(0, size: size)
        emitDivide(b, signedness: .unsigned, dividend: dividend, high: high, divisor: divisor, wantRemainder: wantRemainder)
    }

    /// `cdq/cqo; idiv d` on the sign-extended dividend at `aluSize`.
    static func emitSignedDivide(_ b: any LoweringBuilder, divisor: Gpr, wantRemainder: Bool) {
        let size = b.aluSize
        let dividend = b.extended(0, signed: true, to: size)
        let high = b.newGpr()
        b.emit(.signExtendData(.signExtendAccumulator(size), src: dividend, dst: high))
        emitDivide(b, signedness: .signed, dividend: dividend, high: high.reg, divisor: divisor,
                   wantRemainder: wantRemainder)
    }

    static func emitDivide(_ b: any LoweringBuilder, signedness: Signedness, dividend: Gpr, high: Gpr, divisor: Gpr,
                           wantRemainder: Bool) {
        let quotient = wantRemainder ? b.newGpr() : b.result(0)
        let remainder = wantRemainder ? b.result(0) : b.newGpr()
        b.emit(.div(.divide(signedness), size: b.aluSize, dividendLo: dividend, dividendHi: high,
                    divisor: .reg(divisor), quotient: quotient, remainder: remainder, trap: .integerDivisionByZero))
    }

    /// Traps `int_ovf` when the divisor is -1 and the dividend is the minimum, both read
    /// at the exact width: `n - 1` overflows (OF) exactly when n is the minimum.
    static func emitOverflowCheck(_ b: any LoweringBuilder) {
        let size = b.size
        let divisorIsMinusOne = b.newGpr()
        b.emit(.cmpRmiR(.cmp, size: size, src1: b.gpr(1), src2: .imm(-1)))
        b.emit(.setcc(cc: .e, dst: divisorIsMinusOne))
        let dividendIsMinimum = b.newGpr()
        b.emit(.cmpRmiR(.cmp, size: size, src1: b.gpr(0), src2: .imm(1)))
        b.emit(.setcc(cc: .o, dst: dividendIsMinimum))
        let both = b.newGpr()
        b.emit(.aluRmiR(.and, size: .size8, src1: divisorIsMinusOne.reg, src2: .reg(dividendIsMinimum.reg), dst: both))
        b.emit(.trapIf(cc: .ne, trap: .integerOverflow))
    }
}
