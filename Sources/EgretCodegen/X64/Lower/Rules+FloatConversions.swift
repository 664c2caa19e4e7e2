import EgretIR

/// Conversions between floats and integers: fcvt_to_sint, fcvt_to_uint (trapping),
/// their `_sat` forms, fcvt_from_sint and fcvt_from_uint, for i8–i64 on the integer
/// side (i128 operands: Rules+I128FloatConversions.swift).
///
/// `cvttss2si` truncates toward zero and gives the minimum signed integer of its
/// width for NaN and for every out-of-range input, so each rule checks the input
/// against the exact bounds, as floats, before trusting it:
///
///     to_sint N   NaN → bad_toint; x ≥ 2^(N-1) → int_ovf;
///                 x ≤ -2^(N-1) - 1 → int_ovf when that bound is a float of the
///                 operand's width (N ≤ 16 for f32, N ≤ 32 for f64), else
///                 x < -2^(N-1) → int_ovf; then cvtt at 32 bits (64 for i64)
///     to_uint N   NaN → bad_toint; x ≤ -1 → int_ovf (so -0.9 gives 0);
///                 x ≥ 2^N → int_ovf; then cvtt at 64 bits, and for N = 64 the
///                 inputs ≥ 2^63 convert as cvtt(x - 2^63) with bit 63 set
///     _sat        the same bounds select the saturated value with cmov instead of
///                 trapping; NaN gives 0
///
/// fcvt_from_uint of an i64 with bit 63 set halves the value first, keeping its low
/// bit so that rounding stays correct (`(x >> 1) | (x & 1)`), converts, and doubles.
extension X64LoweringRules {
    static var floatConversions: [LoweringRule] {
        [
            LoweringRule(name: "fcvt_to_sint", opcode: .fcvt_to_sint, types: .integers, priority: 0,
                         priorityReason: "the only rule: range checks that trap, then cvtt",
                         pattern: [.register]) { b in
                emitToSignedChecked(b)
            },
            LoweringRule(name: "fcvt_to_uint", opcode: .fcvt_to_uint, types: .integers, priority: 0,
                         priorityReason: "the only rule: range checks that trap, then cvtt",
                         pattern: [.register]) { b in
                emitToUnsigned(b, saturating: false)
            },
            LoweringRule(name: "fcvt_to_sint_sat", opcode: .fcvt_to_sint_sat, types: .integers, priority: 0,
                         priorityReason: "the only rule: cvtt, then cmovs for overflow and NaN",
                         pattern: [.register]) { b in
                emitToSignedSaturating(b)
            },
            LoweringRule(name: "fcvt_to_uint_sat", opcode: .fcvt_to_uint_sat, types: .integers, priority: 0,
                         priorityReason: "the only rule: cvtt, then cmovs for both bounds and NaN",
                         pattern: [.register]) { b in
                emitToUnsigned(b, saturating: true)
            },
            LoweringRule(name: "fcvt_from_sint", opcode: .fcvt_from_sint, types: .floats, priority: 0,
                         priorityReason: "the only rule: sign-extend narrow values, cvtsi2ss/sd",
                         pattern: [.register]) { b in
                let bits = b.operandType(0).bits
                let size: OperandSize = bits == 64 ? .size64 : .size32
                let source = b.extended(0, signed: true, to: .size32)
                b.emit(.gprToXmm(b.floatWidth.choose(.cvtsi2ss, .cvtsi2sd), size: size,
                                 src: .reg(bits == 64 ? b.gpr(0) : source),
                                   dst: b.xmmResult(0)))
            },
            LoweringRule(name: "fcvt_from_uint", opcode: .fcvt_from_uint, types: .floats, priority: 0,
                         priorityReason: "the only rule: zero-extend to 64 bits, or halve an i64 with bit 63 set",
                         pattern: [.register]) { b in
                emitFromUnsigned(b)
            },
        ]
    }

    /// The bits of `value` as a float of `width` (exact for every bound used here).
    static func floatBits(_ value: Double, _ width: FloatWidth) -> UInt64 {
        width == .f32 ? UInt64(Float(value).bitPattern) : value.bitPattern
    }

    /// Flags of `x` compared with the constant `value` (x first).
    static func emitCompare(_ b: any LoweringBuilder, _ x: Xmm, with value: Double, _ width: FloatWidth) {
        let bound = b.materializeFloat(floatBits(value, width), width: width)
        b.emit(.xmmCompare(width.choose(.ucomiss, .ucomisd), src1: x, src2: .reg(bound)))
    }

    static func emitNaNTrap(_ b: any LoweringBuilder, _ x: Xmm, _ width: FloatWidth) {
        b.emit(.xmmCompare(width.choose(.ucomiss, .ucomisd), src1: x, src2: .reg(x)))
        b.emit(.trapIf(cc: .p, trap: .badConversionToInteger))
    }

    static func emitToSignedChecked(_ b: any LoweringBuilder) {
        let width = FloatWidth(b.operandType(0))
        let x = b.xmm(0)
        let bits = b.type.bits
        emitNaNTrap(b, x, width)
        let limit = Double(sign: .plus, exponent: bits - 1, significand: 1)
        emitCompare(b, x, with: limit, width)
        b.emit(.trapIf(cc: .ae, trap: .integerOverflow))
        let significandBits = width == .f32 ? 24 : 53
        if bits - 1 < significandBits {
            emitCompare(b, x, with: -limit - 1, width)
            b.emit(.trapIf(cc: .be, trap: .integerOverflow))
        } else {
            emitCompare(b, x, with: -limit, width)
            b.emit(.trapIf(cc: .b, trap: .integerOverflow))
        }
        b.emit(.xmmToGpr(width.choose(.cvttss2si, .cvttsd2si), size: bits == 64 ? .size64 : .size32, src: .reg(x),
                         dst: b.result(0)))
    }

    static func emitToSignedSaturating(_ b: any LoweringBuilder) {
        let width = FloatWidth(b.operandType(0))
        let x = b.xmm(0)
        let bits = b.type.bits
        let size: OperandSize = bits == 64 ? .size64 : .size32
        let wide = bits == 64 ? 64 : 32
        // Saturate at the conversion's own width first: above range → maximum, NaN → 0
        // (cvtt already gives the minimum below the range).
        let maximum = b.materialize(wide == 64 ? Int64.max : Int64(Int32.max), size: size)
        let zero = b.materialize(0, size: size)
        let converted = b.newGpr(), clampedHigh = b.newGpr()
        b.emit(.xmmToGpr(width.choose(.cvttss2si, .cvttsd2si), size: size, src: .reg(x), dst: converted))
        emitCompare(b, x, with: Double(sign: .plus, exponent: wide - 1, significand: 1), width)
        b.emit(.cmove(size: size, cc: .ae, consequent: .reg(maximum), alternative: converted.reg, dst: clampedHigh))
        b.emit(.xmmCompare(width.choose(.ucomiss, .ucomisd), src1: x, src2: .reg(x)))
        guard bits < 32 else {
            b.emit(.cmove(size: size, cc: .p, consequent: .reg(zero), alternative: clampedHigh.reg, dst: b.result(0)))
            return
        }
        let withoutNaN = b.newGpr()
        b.emit(.cmove(size: size, cc: .p, consequent: .reg(zero), alternative: clampedHigh.reg, dst: withoutNaN))
        // Then clamp the 32-bit result to the narrow type's range.
        let narrowMaximum = b.type.signedMaximum, narrowMinimum = b.type.signedMinimum
        let upper = b.materialize(narrowMaximum, size: .size32), lower = b.materialize(narrowMinimum, size: .size32)
        let belowMaximum = b.newGpr()
        b.emit(.cmpRmiR(.cmp, size: .size32, src1: withoutNaN.reg, src2: .imm(Int32(narrowMaximum))))
        b.emit(.cmove(size: .size32, cc: .g, consequent: .reg(upper), alternative: withoutNaN.reg, dst: belowMaximum))
        b.emit(.cmpRmiR(.cmp, size: .size32, src1: belowMaximum.reg, src2: .imm(Int32(narrowMinimum))))
        b.emit(.cmove(size: .size32, cc: .l, consequent: .reg(lower), alternative: belowMaximum.reg, dst: b.result(0)))
    }

    static func emitToUnsigned(_ b: any LoweringBuilder, saturating: Bool) {
        let width = FloatWidth(b.operandType(0))
        let x = b.xmm(0)
        let bits = b.type.bits
        let twoToTheN = Double(sign: .plus, exponent: bits, significand: 1)
        if !saturating {
            emitNaNTrap(b, x, width)
            emitCompare(b, x, with: -1, width)
            b.emit(.trapIf(cc: .be, trap: .integerOverflow))
            emitCompare(b, x, with: twoToTheN, width)
            b.emit(.trapIf(cc: .ae, trap: .integerOverflow))
        }
        // Inputs below 2^63 (and, for N < 64, every input in range) convert directly.
        let direct = b.newGpr()
        b.emit(.xmmToGpr(width.choose(.cvttss2si, .cvttsd2si), size: .size64, src: .reg(x), dst: direct))
        var value = direct.reg
        if saturating {
            // Negative inputs, NaN and (for now) inputs ≥ 2^63 gave a negative i64: 0.
            let zero = b.materialize(0, size: .size64)
            let nonNegative = b.newGpr()
            b.emit(.cmpRmiR(.cmp, size: .size64, src1: direct.reg, src2: .imm(0)))
            b.emit(.cmove(size: .size64, cc: .l, consequent: .reg(zero), alternative: direct.reg, dst: nonNegative))
            value = nonNegative.reg
        }
        if bits == 64 {
            // x ≥ 2^63: cvtt(x - 2^63) + 2^63, the addition being a set bit 63.
            let high = Double(sign: .plus, exponent: 63, significand: 1)
            let offset = b.materializeFloat(floatBits(high, width), width: width)
            let reduced = b.newXmm()
            b.emit(.xmmRmR(width.choose(.subss, .subsd), src1: x, src2: .reg(offset), dst: reduced))
            let reducedInteger = b.newGpr(), shifted = b.newGpr()
            b.emit(.xmmToGpr(width.choose(.cvttss2si, .cvttsd2si), size: .size64, src: .reg(reduced.reg),
                             dst: reducedInteger))
            let bit63 = b.materialize(Int64.min, size: .size64)
            b.emit(.aluRmiR(.xor, size: .size64, src1: reducedInteger.reg, src2: .reg(bit63), dst: shifted))
            let selected = saturating ? b.newGpr() : b.result(0)
            b.emit(.xmmCompare(width.choose(.ucomiss, .ucomisd), src1: x, src2: .reg(offset)))
            b.emit(.cmove(size: .size64, cc: .ae, consequent: .reg(shifted.reg), alternative: value, dst: selected))
            value = selected.reg
        } else if !saturating {
            b.emitCopy(value, into: b.result(0))
        }
        if saturating {
            // x ≥ 2^N (never NaN here: unordered leaves CF set) → the maximum.
            let maximum = b.materialize(bits == 64 ? -1 : (Int64(1) << Int64(bits)) - 1, size: .size64)
            emitCompare(b, x, with: twoToTheN, width)
            b.emit(.cmove(size: .size64, cc: .ae, consequent: .reg(maximum), alternative: value, dst: b.result(0)))
        }
    }

    static func emitFromUnsigned(_ b: any LoweringBuilder) {
        let width = b.floatWidth
        guard b.operandType(0).bits == 64 else {
            let source = b.extended(0, signed: false, to: .size64)
            b.emit(.gprToXmm(width.choose(.cvtsi2ss, .cvtsi2sd), size: .size64, src: .reg(source), dst: b.xmmResult(0)))
            return
        }
        emitUnsigned64ToFloat(b, b.gpr(0), width: width, into: b.xmmResult(0))
    }

    /// `x`, an unsigned 64-bit integer, to a float of `width`, rounded to nearest even:
    /// cvtsi2ss/sd directly when bit 63 is clear; else of `(x >> 1) | (x & 1)`, doubled.
    static func emitUnsigned64ToFloat(_ b: any LoweringBuilder, _ x: Gpr, width: FloatWidth,
                                      into destination: Writable<Xmm>) {
        let direct = b.newXmm()
        b.emit(.gprToXmm(width.choose(.cvtsi2ss, .cvtsi2sd), size: .size64, src: .reg(x), dst: direct))
        let half = b.newGpr(), lowBit = b.newGpr(), halfRoundedOdd = b.newGpr()
        b.emit(.shiftR(.shr, size: .size64, src: x, count: .imm(1), dst: half))
        b.emit(.aluRmiR(.and, size: .size64, src1: x, src2: .imm(1), dst: lowBit))
        b.emit(.aluRmiR(.or, size: .size64, src1: half.reg, src2: .reg(lowBit.reg), dst: halfRoundedOdd))
        let halved = b.newXmm(), doubled = b.newXmm()
        b.emit(.gprToXmm(width.choose(.cvtsi2ss, .cvtsi2sd), size: .size64, src: .reg(halfRoundedOdd.reg), dst: halved))
        b.emit(.xmmRmR(width.choose(.addss, .addsd), src1: halved.reg, src2: .reg(halved.reg), dst: doubled))
        b.emit(.cmpRmiR(.test, size: .size64, src1: x, src2: .reg(x)))
        b.emit(.xmmCmove(cc: .s, consequent: doubled.reg, alternative: direct.reg, dst: destination))
    }
}
