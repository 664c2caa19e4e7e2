import EgretIR

/// i128 arithmetic that reports overflow: uadd/sadd/usub/ssub `_overflow` and the
/// carry/borrow-in forms `*_overflow_cin` / `*_overflow_bin`.
///
/// The 128-bit add (sub) is the pair add/adc (sub/sbb), whose final flags are those
/// of the whole 128-bit operation: CF the unsigned carry or borrow, OF the signed
/// overflow. So the flag result is one `setcc` after the chain, as at 64 bits
/// (Rules+Overflow.swift); a carry in is `neg c` (CF = c ≠ 0) in front, with adc/sbb
/// on both halves. The multiplies (`umul_overflow`, `smul_overflow`) have no i128 rule:
/// a 128-bit product's overflow needs the full 256-bit product.
extension X64LoweringRules {
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
    static func wideFlagReporting(name: String, opcode: Opcode, low: AluOp, high: AluOp, flag: CC) -> LoweringRule {
        LoweringRule(name: name, opcode: opcode, types: [.i128], priority: 0,
                     priorityReason: "the only rule: the flags of the carry chain are those of the 128-bit operation",
                     pattern: [.register, .register]) { b in
            emitCarryChain(b, low, high, b.gprPair(0), b.gprPair(1), into: b.resultPair(0))
            b.emit(.setcc(cc: flag, dst: b.result(1)))
        }
    }

    /// `neg c`, then `op` (adc or sbb) on both halves, then `set<flag>`.
    static func wideCarryIn(name: String, opcode: Opcode, op: AluOp, flag: CC) -> LoweringRule {
        LoweringRule(name: name, opcode: opcode, types: [.i128], priority: 0,
                     priorityReason: "the only rule: neg turns the i8 carry into CF for the adc/sbb chain",
                     pattern: [.register, .register, .register]) { b in
            let lhs = b.gprPair(0), rhs = b.gprPair(1)
            let carry = b.newGpr()
            b.emit(.unary(op: .neg, size: .size8, src: b.gpr(2), dst: carry))
            emitCarryChain(b, op, op, lhs, rhs, into: b.resultPair(0))
            b.emit(.setcc(cc: flag, dst: b.result(1)))
        }
    }
}
