import EgretIR

/// i128 arithmetic: iadd, isub, ineg, iabs, imul, umulhi, smulhi, and the
/// flag-reporting family uadd/sadd/usub/ssub `_overflow`, `*_overflow_cin`/`_bin`.
///
///     iadd    addq lo; adcq hi             (the carry crosses the halves in CF)
///     isub    subq lo; sbbq hi
///     ineg    0 - x: negq lo (CF = lo != 0); sbbq hi from a zero
///     iabs    s = hi >> 63 (arithmetic); (x ^ s) - s with xor, sub, sbb
///     imul    mulq lo·lo → rdx:rax; hi = rdx + lo_a·hi_b + hi_a·lo_b (imulq)
///     umulhi  the four 64-bit products summed by columns (unsignedMultiplyHigh128)
///     smulhi  umulhi less y when x < 0 and less x when y < 0
///
/// Flags: each add/adc (sub/sbb) pair is a producer immediately followed by its
/// consumer; the allocator may put only moves between them (X64Lowering.swift). The
/// final flags of such a chain are those of the whole 128-bit operation (CF the
/// unsigned carry or borrow, OF the signed overflow), so the `*_overflow` rules end in
/// one `setcc`, as at 64 bits (Rules+Overflow.swift); a carry in is `neg c` (CF = c ≠ 0)
/// in front, with adc/sbb on both halves. The multiplies `umul_overflow` and
/// `smul_overflow` do not exist at i128.
extension X64LoweringRules {
    static var i128Arithmetic: [LoweringRule] {
        [
            LoweringRule(name: "iadd_i128", opcode: .iadd, types: [.i128], priority: 0,
                         priorityReason: "the only rule: add the low halves, add with carry the high halves",
                         pattern: [.register, .register]) { b in
                emitCarryChain(b, .add, .adc, b.gprPair(0), b.gprPair(1), into: b.resultPair(0))
            },
            LoweringRule(name: "isub_i128", opcode: .isub, types: [.i128], priority: 0,
                         priorityReason: "the only rule: subtract the low halves, subtract with borrow the high halves",
                         pattern: [.register, .register]) { b in
                emitCarryChain(b, .sub, .sbb, b.gprPair(0), b.gprPair(1), into: b.resultPair(0))
            },
            LoweringRule(name: "ineg_i128", opcode: .ineg, types: [.i128], priority: 0,
                         priorityReason: "the only rule: 0 - x as neg of the low half, sbb of the high half",
                         pattern: [.register]) { b in
                let source = b.gprPair(0), result = b.resultPair(0)
                let zero = b.materialize(0, size: .size64)
                b.emit(.unary(.neg, size: .size64, src: source.low, dst: result.low))
                b.emit(.aluRmiR(.sbb, size: .size64, src1: zero, src2: .reg(source.high), dst: result.high))
            },
            LoweringRule(name: "iabs_i128", opcode: .iabs, types: [.i128], priority: 0,
                         priorityReason: "the only rule: (x ^ s) - s for the sign mask s (MIN stays MIN)",
                         pattern: [.register]) { b in
                let source = b.gprPair(0)
                let sign = shifted(b, .sar, .size64, source.high, 63)
                let flipped = GprPair(low: alu(b, .xor, .size64, source.low, .reg(sign)),
                                      high: alu(b, .xor, .size64, source.high, .reg(sign)))
                emitCarryChain(b, .sub, .sbb, flipped, GprPair(low: sign, high: sign), into: b.resultPair(0))
            },
            LoweringRule(name: "imul_i128", opcode: .imul, types: [.i128], priority: 0,
                         priorityReason: "the only rule: the full product of the low halves plus the two cross "
                            + "products in the high half",
                         pattern: [.register, .register]) { b in
                emitMultiply128(b, b.gprPair(0), b.gprPair(1), into: b.resultPair(0))
            },
            LoweringRule(name: "umulhi_i128", opcode: .umulhi, types: [.i128], priority: 0,
                         priorityReason: "the only rule: four 64-bit products summed column by column",
                         pattern: [.register, .register]) { b in
                emitPairCopy(b, unsignedMultiplyHigh128(b, b.gprPair(0), b.gprPair(1)), into: b.resultPair(0))
            },
            LoweringRule(name: "smulhi_i128", opcode: .smulhi, types: [.i128], priority: 0,
                         priorityReason: "the only rule: the unsigned high half less y when x < 0 and x when y < 0",
                         pattern: [.register, .register]) { b in
                let lhs = b.gprPair(0), rhs = b.gprPair(1)
                let unsigned = unsignedMultiplyHigh128(b, lhs, rhs)
                let lhsSign = shifted(b, .sar, .size64, lhs.high, 63), rhsSign = shifted(b, .sar, .size64, rhs.high, 63)
                let rhsIfNegative = GprPair(low: alu(b, .and, .size64, rhs.low, .reg(lhsSign)),
                                            high: alu(b, .and, .size64, rhs.high, .reg(lhsSign)))
                let lhsIfNegative = GprPair(low: alu(b, .and, .size64, lhs.low, .reg(rhsSign)),
                                            high: alu(b, .and, .size64, lhs.high, .reg(rhsSign)))
                let partial = WritableGprPair(low: b.newGpr(), high: b.newGpr())
                emitCarryChain(b, .sub, .sbb, unsigned, rhsIfNegative, into: partial)
                emitCarryChain(b, .sub, .sbb, partial.regs, lhsIfNegative, into: b.resultPair(0))
            },
        ]
    }

    /// `low = lhs.low lowOp rhs.low; high = lhs.high highOp rhs.high`, the second
    /// consuming the flags of the first (add/adc, sub/sbb).
    static func emitCarryChain(_ b: any LoweringBuilder, _ lowOp: FormID, _ highOp: FormID, _ lhs: GprPair,
                               _ rhs: GprPair, into: WritableGprPair) {
        b.emit(.aluRmiR(lowOp, size: .size64, src1: lhs.low, src2: .reg(rhs.low), dst: into.low))
        b.emit(.aluRmiR(highOp, size: .size64, src1: lhs.high, src2: .reg(rhs.high), dst: into.high))
    }

    /// The low 128 bits of `lhs · rhs`.
    static func emitMultiply128(_ b: any LoweringBuilder, _ lhs: GprPair, _ rhs: GprPair, into: WritableGprPair) {
        let cross1 = b.newGpr(), cross2 = b.newGpr()
        b.emit(.aluRmiR(.imul, size: .size64, src1: lhs.low, src2: .reg(rhs.high), dst: cross1))
        b.emit(.aluRmiR(.imul, size: .size64, src1: lhs.high, src2: .reg(rhs.low), dst: cross2))
        let productHigh = b.newGpr()
        b.emit(.mul(.mulUnsigned, size: .size64, src1: lhs.low, src2: .reg(rhs.low), dstLo: into.low,
                    dstHi: productHigh))
        let partial = alu(b, .add, .size64, productHigh.reg, .reg(cross1.reg))
        b.emit(.aluRmiR(.add, size: .size64, src1: partial, src2: .reg(cross2.reg), dst: into.high))
    }

    /// The high 128 bits of the unsigned 256-bit product `lhs · rhs`: the products
    /// x_i·y_j (each hi:lo) added by columns, carries rippling up with adc.
    ///
    ///     column 1 (bits 64–127):   hi(x0y0) + lo(x0y1) + lo(x1y0)      → only its carries
    ///     column 2 (bits 128–191):  hi(x0y1) + hi(x1y0) + lo(x1y1)      → result low half
    ///     column 3 (bits 192–255):  hi(x1y1)                            → result high half
    static func unsignedMultiplyHigh128(_ b: any LoweringBuilder, _ lhs: GprPair, _ rhs: GprPair) -> GprPair {
        func product(_ x: Gpr, _ y: Gpr) -> GprPair {
            let low = b.newGpr(), high = b.newGpr()
            b.emit(.mul(.mulUnsigned, size: .size64, src1: x, src2: .reg(y), dstLo: low, dstHi: high))
            return GprPair(low: low.reg, high: high.reg)
        }
        let p00 = product(lhs.low, rhs.low), p01 = product(lhs.low, rhs.high)
        let p10 = product(lhs.high, rhs.low), p11 = product(lhs.high, rhs.high)
        // Column 1 plus lo(x0y1): carry into column 2 and on into column 3.
        let column1 = alu(b, .add, .size64, p00.high, .reg(p01.low))
        var column2 = alu(b, .adc, .size64, p01.high, .imm(0))
        var column3 = alu(b, .adc, .size64, p11.high, .imm(0))
        // Plus lo(x1y0), whose carry joins hi(x1y0) in column 2.
        _ = alu(b, .add, .size64, column1, .reg(p10.low))
        column2 = alu(b, .adc, .size64, column2, .reg(p10.high))
        column3 = alu(b, .adc, .size64, column3, .imm(0))
        // Plus lo(x1y1).
        let low = alu(b, .add, .size64, column2, .reg(p11.low))
        let high = alu(b, .adc, .size64, column3, .imm(0))
        return GprPair(low: low, high: high)
    }
    static var i128Overflow: [LoweringRule] {
        [
            wideFlagReporting(name: "uadd_overflow_i128", opcode: .uadd_overflow, low: .add, high: .adc, flag: .b),
            wideFlagReporting(name: "sadd_overflow_i128", opcode: .sadd_overflow, low: .add, high: .adc, flag: .o),
            wideFlagReporting(name: "usub_overflow_i128", opcode: .usub_overflow, low: .sub, high: .sbb, flag: .b),
            wideFlagReporting(name: "ssub_overflow_i128", opcode: .ssub_overflow, low: .sub, high: .sbb, flag: .o),
            wideCarryIn(name: "uadd_overflow_cin_i128", opcode: .uadd_overflow_cin, op: .adc, flag: .b),
            wideCarryIn(name: "sadd_overflow_cin_i128", opcode: .sadd_overflow_cin, op: .adc, flag: .o),
            wideCarryIn(name: "usub_overflow_bin_i128", opcode: .usub_overflow_bin, op: .sbb, flag: .b),
            wideCarryIn(name: "ssub_overflow_bin_i128", opcode: .ssub_overflow_bin, op: .sbb, flag: .o),
        ]
    }

    /// `low`/`high` on the halves, then `set<flag>`.
    static func wideFlagReporting(name: String, opcode: Opcode, low: FormID, high: FormID, flag: CC) -> LoweringRule {
        LoweringRule(name: name, opcode: opcode, types: [.i128], priority: 0,
                     priorityReason: "the only rule: the flags of the carry chain are those of the 128-bit operation",
                     pattern: [.register, .register]) { b in
            emitCarryChain(b, low, high, b.gprPair(0), b.gprPair(1), into: b.resultPair(0))
            b.emit(.setcc(cc: flag, dst: b.result(1)))
        }
    }

    /// `neg c`, then `op` (adc or sbb) on both halves, then `set<flag>`.
    static func wideCarryIn(name: String, opcode: Opcode, op: FormID, flag: CC) -> LoweringRule {
        LoweringRule(name: name, opcode: opcode, types: [.i128], priority: 0,
                     priorityReason: "the only rule: neg turns the i8 carry into CF for the adc/sbb chain",
                     pattern: [.register, .register, .register]) { b in
            let lhs = b.gprPair(0), rhs = b.gprPair(1)
            let carry = b.newGpr()
            b.emit(.unary(.neg, size: .size8, src: b.gpr(2), dst: carry))
            emitCarryChain(b, op, op, lhs, rhs, into: b.resultPair(0))
            b.emit(.setcc(cc: flag, dst: b.result(1)))
        }
    }
}
