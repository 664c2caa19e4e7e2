import EgretIR

/// fcvt_from_uint and fcvt_from_sint of an i128 to f32/f64, inline and branch-free.
///
/// An unsigned 128-bit x = hi:lo converts in one rounding:
///
///     hi = 0    the 64-bit conversion of lo
///     hi ≠ 0    n = lzcnt(hi) (0…63); m = the top 64 bits of x << n, with bit 0 set
///               if any bit below them is (a sticky bit: 64 bits hold 11 more than
///               an f64 mantissa, so the rounding of m is the rounding of x);
///               result = float(m) · 2^(64 - n), an exact scaling (an f32 result
///               past its range becomes +inf, as the rounding of x would)
///
/// The top bits are `(hi << n) | ((lo >> 1) >> (63 - n))`: shifting in two steps
/// keeps n = 0 right, where `lo >> 64` would be `lo` on x86 (counts are masked).
/// Both halves of the choice are computed and `hi = 0` selects one.
///
/// A signed x converts |x| (a 128-bit negation when hi < 0; |INT128_MIN| = 2^127 is
/// still right as an unsigned value) and flips the sign bit of the result.
extension X64LoweringRules {
    static var i128FloatConversions: [LoweringRule] {
        [
            LoweringRule(name: "fcvt_from_uint_i128", opcode: .fcvt_from_uint, types: .floats, priority: 0,
                         priorityReason: "the only rule for an i128 operand (the plain rule refuses i128)",
                         pattern: [.pair]) { b in
                let x = b.gprPair(0)
                emitUnsigned128ToFloat(b, x, width: b.floatWidth, into: b.xmmResult(0))
            },
            LoweringRule(name: "fcvt_from_sint_i128", opcode: .fcvt_from_sint, types: .floats, priority: 0,
                         priorityReason: "the only rule for an i128 operand (the plain rule refuses i128)",
                         pattern: [.pair]) { b in
                emitSigned128ToFloat(b, b.gprPair(0), width: b.floatWidth, into: b.xmmResult(0))
            },
        ]
    }

    static func emitSigned128ToFloat(_ b: any LoweringBuilder, _ x: GprPair, width: FloatWidth,
                                     into destination: Writable<Xmm>) {
        // -x: neg lo sets CF when lo ≠ 0; the high half is -(hi + CF).
        let negatedLow = b.newGpr(), highPlusBorrow = b.newGpr(), negatedHigh = b.newGpr()
        b.emit(.unary(.neg, size: .size64, src: x.low, dst: negatedLow))
        b.emit(.aluRmiR(.adc, size: .size64, src1: x.high, src2: .imm(0), dst: highPlusBorrow))
        b.emit(.unary(.neg, size: .size64, src: highPlusBorrow.reg, dst: negatedHigh))
        let absoluteLow = b.newGpr(), absoluteHigh = b.newGpr()
        b.emit(.cmpRmiR(.test, size: .size64, src1: x.high, src2: .reg(x.high)))
        b.emit(.cmove(size: .size64, cc: .s, consequent: .reg(negatedLow.reg), alternative: x.low, dst: absoluteLow))
        b.emit(.cmove(size: .size64, cc: .s, consequent: .reg(negatedHigh.reg), alternative: x.high,
                      dst: absoluteHigh))
        let magnitude = b.newXmm()
        emitUnsigned128ToFloat(b, GprPair(low: absoluteLow.reg, high: absoluteHigh.reg), width: width,
                               into: magnitude)
        let signBit = b.materializeFloat(width.signBit, width: width)
        let negated = b.newXmm()
        b.emit(.xmmRmR(.xorps, src1: magnitude.reg, src2: .reg(signBit), dst: negated))
        b.emit(.cmpRmiR(.test, size: .size64, src1: x.high, src2: .reg(x.high)))
        b.emit(.xmmCmove(cc: .s, consequent: negated.reg, alternative: magnitude.reg, dst: destination))
    }

    static func emitUnsigned128ToFloat(_ b: any LoweringBuilder, _ x: GprPair, width: FloatWidth,
                                       into destination: Writable<Xmm>) {
        let small = b.newXmm()
        emitUnsigned64ToFloat(b, x.low, width: width, into: small)
        // hi ≠ 0: normalise so that the top set bit of x is bit 127.
        let shift = b.newGpr(), shiftedHigh = b.newGpr(), lowHalved = b.newGpr(), inverseShift = b.newGpr()
        b.emit(.unaryRmR(.lzcnt, size: .size64, src: .reg(x.high), dst: shift))
        b.emit(.shiftR(.shl, size: .size64, src: x.high, count: .cl(shift.reg), dst: shiftedHigh))
        b.emit(.shiftR(.shr, size: .size64, src: x.low, count: .imm(1), dst: lowHalved))
        b.emit(.aluRmiR(.xor, size: .size64, src1: shift.reg, src2: .imm(63), dst: inverseShift))
        let carried = b.newGpr(), top = b.newGpr()
        b.emit(.shiftR(.shr, size: .size64, src: lowHalved.reg, count: .cl(inverseShift.reg), dst: carried))
        b.emit(.aluRmiR(.or, size: .size64, src1: shiftedHigh.reg, src2: .reg(carried.reg), dst: top))
        // The sticky bit: (rest | -rest) >> 63 is 1 exactly when rest ≠ 0.
        let rest = b.newGpr(), negatedRest = b.newGpr(), restOrNegated = b.newGpr(), sticky = b.newGpr()
        b.emit(.shiftR(.shl, size: .size64, src: x.low, count: .cl(shift.reg), dst: rest))
        b.emit(.unary(.neg, size: .size64, src: rest.reg, dst: negatedRest))
        b.emit(.aluRmiR(.or, size: .size64, src1: negatedRest.reg, src2: .reg(rest.reg), dst: restOrNegated))
        b.emit(.shiftR(.shr, size: .size64, src: restOrNegated.reg, count: .imm(63), dst: sticky))
        let mantissa = b.newGpr()
        b.emit(.aluRmiR(.or, size: .size64, src1: top.reg, src2: .reg(sticky.reg), dst: mantissa))
        let rounded = b.newXmm()
        emitUnsigned64ToFloat(b, mantissa.reg, width: width, into: rounded)
        // 2^(64 - n): the biased exponent (bias + 64 - n) in place.
        let biasPlus64: UInt64 = width == .f32 ? 127 + 64 : 1023 + 64
        let mantissaBits: UInt8 = width == .f32 ? 23 : 52
        let exponent = b.newGpr(), scaledExponent = b.newGpr(), scaleBits = b.newGpr()
        b.emit(.movImm(size: .size64, imm: biasPlus64, dst: exponent))
        b.emit(.aluRmiR(.sub, size: .size64, src1: exponent.reg, src2: .reg(shift.reg), dst: scaledExponent))
        b.emit(.shiftR(.shl, size: .size64, src: scaledExponent.reg, count: .imm(mantissaBits), dst: scaleBits))
        let scale = b.newXmm(), large = b.newXmm()
        b.emit(.gprToXmm(.movdToXmm, size: width == .f32 ? .size32 : .size64, src: .reg(scaleBits.reg), dst: scale))
        b.emit(.xmmRmR(width.choose(.mulss, .mulsd), src1: rounded.reg, src2: .reg(scale.reg), dst: large))
        b.emit(.cmpRmiR(.test, size: .size64, src1: x.high, src2: .reg(x.high)))
        b.emit(.xmmCmove(cc: .e, consequent: small.reg, alternative: large.reg, dst: destination))
    }
}
