import EgretIR

/// i128 conditions and what consumes them: icmp on i128 (materialised, or fused into
/// brif, select and the conditional traps), select on i128 values or i128 conditions,
/// brif, trapz and trapnz on an i128, smin/smax/umin/umax, and bmask to and from i128.
///
/// An i128 comparison sets the flags with two instructions, then one condition tests
/// them (`emitWideCompare`):
///
///     eq, ne             t = (a.lo ^ b.lo) | (a.hi ^ b.hi); ZF says whether t is 0
///     slt sge ult uge    cmpq b.lo, a.lo; t = a.hi - b.hi - CF (sbbq): the flags of the
///                        128-bit a - b (CF: unsigned borrow, SF≠OF: signed less)
///     sgt sle ugt ule    the same on b - a, with the condition swapped
///
/// An i128 is non-zero exactly when `lo | hi` is: `orq` sets ZF for brif, select and
/// trapz/trapnz. Selects of i128 values are two cmovs after one flags producer.
extension X64LoweringRules {
    static var i128Compare: [LoweringRule] {
        [
            LoweringRule(name: "icmp_i128", opcode: .icmp, types: [.i128], priority: 0,
                         priorityReason: "the only rule: two-instruction flags of the 128-bit comparison, setcc",
                         pattern: [.register, .register]) { b in
                let comparison = FusedWideComparison(condition: b.intCC, lhs: b.gprPair(0), rhs: b.gprPair(1))
                b.emit(.setcc(cc: emitWideCompare(b, comparison), dst: b.result(0)))
            },
            LoweringRule(name: "select_i128", opcode: .select, types: [.i128], priority: 0,
                         priorityReason: "the general case: test the condition, cmov each half",
                         pattern: [.register, .register, .register]) { b in
                emitTestCondition(b, operand: 0)
                emitSelectPair(b, cc: .ne)
            },
            LoweringRule(name: "select_i128_icmp", opcode: .select, types: [.i128], priority: 10,
                         priorityReason: "fusing a single-use icmp saves its setcc and the test",
                         pattern: [.comparison, .register, .register]) { b in
                let comparison = b.comparison(0)
                b.emit(comparison.compare)
                emitSelectPair(b, cc: comparison.cc)
            },
            LoweringRule(name: "select_i128_icmp_i128", opcode: .select, types: [.i128], priority: 10,
                         priorityReason: "fusing a single-use i128 icmp saves its setcc and the test",
                         pattern: [.wideComparison, .register, .register]) { b in
                emitSelectPair(b, cc: emitWideCompare(b, b.wideComparison(0)))
            },
            LoweringRule(name: "select_spectre_guard_i128", opcode: .select_spectre_guard, types: [.i128],
                         priority: 0, priorityReason: "as select_i128: always cmovs, never a branch",
                         pattern: [.register, .register, .register]) { b in
                emitTestCondition(b, operand: 0)
                emitSelectPair(b, cc: .ne)
            },
            LoweringRule(name: "select_i128_condition", opcode: .select, types: .integers, priority: 0,
                         priorityReason: "the general case with an i128 condition: or the halves, cmovne",
                         pattern: [.pair, .register, .register]) { b in
                emitTestCondition(b, operand: 0)
                b.emit(.cmove(size: b.aluSize, cc: .ne, consequent: .reg(b.gpr(1)), alternative: b.gpr(2),
                              dst: b.result(0)))
            },
            LoweringRule(name: "select_icmp_i128", opcode: .select, types: .integers, priority: 10,
                         priorityReason: "fusing a single-use i128 icmp saves its setcc and the test",
                         pattern: [.wideComparison, .register, .register]) { b in
                let cc = emitWideCompare(b, b.wideComparison(0))
                b.emit(.cmove(size: b.aluSize, cc: cc, consequent: .reg(b.gpr(1)), alternative: b.gpr(2),
                              dst: b.result(0)))
            },
            LoweringRule(name: "select_spectre_guard_i128_condition", opcode: .select_spectre_guard,
                         types: .integers, priority: 0,
                         priorityReason: "as select_i128_condition: always a cmov, never a branch",
                         pattern: [.pair, .register, .register]) { b in
                emitTestCondition(b, operand: 0)
                b.emit(.cmove(size: b.aluSize, cc: .ne, consequent: .reg(b.gpr(1)), alternative: b.gpr(2),
                              dst: b.result(0)))
            },
            LoweringRule(name: "brif_i128", opcode: .brif, types: [.i128], priority: 0,
                         priorityReason: "the only rule on an i128: or the halves, jne",
                         pattern: [.register]) { b in
                emitTestCondition(b, operand: 0)
                b.emit(.jcc(cc: .ne, target: b.edgeLabel(0)))
                b.emit(.jmp(target: b.edgeLabel(1)))
            },
            LoweringRule(name: "brif_icmp_i128", opcode: .brif, types: [.i8], priority: 10,
                         priorityReason: "fusing a single-use i128 icmp: its flags, then jcc",
                         pattern: [.wideComparison]) { b in
                let cc = emitWideCompare(b, b.wideComparison(0))
                b.emit(.jcc(cc: cc, target: b.edgeLabel(0)))
                b.emit(.jmp(target: b.edgeLabel(1)))
            },
            LoweringRule(name: "trapz_i128", opcode: .trapz, types: [.i128], priority: 0,
                         priorityReason: "the only rule on an i128: or the halves, trap if zero",
                         pattern: [.register]) { b in
                emitTestCondition(b, operand: 0)
                b.emit(.trapIf(cc: .e, trap: b.trapCode))
            },
            LoweringRule(name: "trapnz_i128", opcode: .trapnz, types: [.i128], priority: 0,
                         priorityReason: "the only rule on an i128: or the halves, trap if non-zero",
                         pattern: [.register]) { b in
                emitTestCondition(b, operand: 0)
                b.emit(.trapIf(cc: .ne, trap: b.trapCode))
            },
            LoweringRule(name: "trapz_icmp_i128", opcode: .trapz, types: [.i8], priority: 10,
                         priorityReason: "fusing a single-use i128 icmp: trap when the comparison fails",
                         pattern: [.wideComparison]) { b in
                b.emit(.trapIf(cc: emitWideCompare(b, b.wideComparison(0)).inverse, trap: b.trapCode))
            },
            LoweringRule(name: "trapnz_icmp_i128", opcode: .trapnz, types: [.i8], priority: 10,
                         priorityReason: "fusing a single-use i128 icmp: trap when the comparison holds",
                         pattern: [.wideComparison]) { b in
                b.emit(.trapIf(cc: emitWideCompare(b, b.wideComparison(0)), trap: b.trapCode))
            },
            wideMinMax(name: "smin_i128", opcode: .smin, condition: .slt),
            wideMinMax(name: "smax_i128", opcode: .smax, condition: .sgt),
            wideMinMax(name: "umin_i128", opcode: .umin, condition: .ult),
            wideMinMax(name: "umax_i128", opcode: .umax, condition: .ugt),
            LoweringRule(name: "bmask_i128", opcode: .bmask, types: [.i128], priority: 0,
                         priorityReason: "the only rule to i128: neg of the non-zero test sets CF, sbb spreads it, "
                            + "both halves are the mask",
                         pattern: [.register]) { b in
                let mask = emitMaskOfOperand(b)
                let result = b.resultPair(0)
                b.emitCopy(mask, into: result.low)
                b.emitCopy(mask, into: result.high)
            },
            LoweringRule(name: "bmask_from_i128", opcode: .bmask, types: .integers, priority: 0,
                         priorityReason: "the only rule from an i128: neg of lo | hi sets CF, sbb spreads it",
                         pattern: [.pair]) { b in
                b.emitCopy(emitMaskOfOperand(b), into: b.result(0))
            },
        ]
    }

    /// x when `condition` holds for (x, y), else y: the i128 comparison, two cmovs.
    static func wideMinMax(name: String, opcode: Opcode, condition: IntCC) -> LoweringRule {
        LoweringRule(name: name, opcode: opcode, types: [.i128], priority: 0,
                     priorityReason: "the only rule: the 128-bit comparison's flags, a cmov per half",
                     pattern: [.register, .register]) { b in
            let lhs = b.gprPair(0), rhs = b.gprPair(1), result = b.resultPair(0)
            let cc = emitWideCompare(b, FusedWideComparison(condition: condition, lhs: lhs, rhs: rhs))
            b.emit(.cmove(size: .size64, cc: cc, consequent: .reg(lhs.low), alternative: rhs.low, dst: result.low))
            b.emit(.cmove(size: .size64, cc: cc, consequent: .reg(lhs.high), alternative: rhs.high, dst: result.high))
        }
    }

    /// Sets ZF for "operand is zero": `test` at the operand's width, or `or` of the two
    /// halves of an i128.
    static func emitTestCondition(_ b: any LoweringBuilder, operand: Int) {
        guard b.operandType(operand) == .i128 else {
            b.emitTestNonZero(operand)
            return
        }
        let pair = b.gprPair(operand)
        let merged = b.newGpr()
        b.emit(.aluRmiR(.or, size: .size64, src1: pair.low, src2: .reg(pair.high), dst: merged))
    }

    /// The two cmovs of an i128 select on `cc` (operands 1 and 2 are the values).
    static func emitSelectPair(_ b: any LoweringBuilder, cc: CC) {
        let whenTrue = b.gprPair(1), whenFalse = b.gprPair(2), result = b.resultPair(0)
        b.emit(.cmove(size: .size64, cc: cc, consequent: .reg(whenTrue.low), alternative: whenFalse.low,
                      dst: result.low))
        b.emit(.cmove(size: .size64, cc: cc, consequent: .reg(whenTrue.high), alternative: whenFalse.high,
                      dst: result.high))
    }

    /// All ones when operand 0 is non-zero, else zero, in a 64-bit register.
    static func emitMaskOfOperand(_ b: any LoweringBuilder) -> Gpr {
        let source: Gpr
        let size: OperandSize
        if b.operandType(0) == .i128 {
            let pair = b.gprPair(0)
            source = alu(b, .or, .size64, pair.low, .reg(pair.high))
            size = .size64
        } else {
            source = b.gpr(0)
            size = OperandSize(exactly: b.operandType(0))
        }
        let negated = b.newGpr()
        b.emit(.unary(.neg, size: size, src: source, dst: negated))
        return alu(b, .sbb, .size64, negated.reg, .reg(negated.reg))
    }

    /// Emits the flags of an i128 comparison; returns the condition that holds when
    /// the comparison does.
    static func emitWideCompare(_ b: any LoweringBuilder, _ comparison: FusedWideComparison) -> CC {
        let lhs = comparison.lhs, rhs = comparison.rhs
        switch comparison.condition {
        case .eq, .ne:
            let low = alu(b, .xor, .size64, lhs.low, .reg(rhs.low))
            let high = alu(b, .xor, .size64, lhs.high, .reg(rhs.high))
            _ = alu(b, .or, .size64, low, .reg(high))
            return comparison.condition == .eq ? .e : .ne
        case .slt, .sge, .ult, .uge:
            emitWideSubtractFlags(b, lhs, rhs)
            return CC(comparison.condition)
        case .sgt, .sle, .ugt, .ule:
            emitWideSubtractFlags(b, rhs, lhs)
            return CC(comparison.condition.swapped)
        }
    }

    /// The flags of the 128-bit `lhs - rhs` that CF and SF/OF report (ZF is that of the
    /// high half only).
    static func emitWideSubtractFlags(_ b: any LoweringBuilder, _ lhs: GprPair, _ rhs: GprPair) {
        b.emit(.cmpRmiR(.cmp, size: .size64, src1: lhs.low, src2: .reg(rhs.low)))
        _ = alu(b, .sbb, .size64, lhs.high, .reg(rhs.high))
    }
}
