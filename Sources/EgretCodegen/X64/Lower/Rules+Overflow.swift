import EgretIR

/// Arithmetic that reports or traps on overflow: uadd/sadd/usub/ssub/umul/smul
/// `_overflow`, the carry/borrow-in forms `*_overflow_cin` / `*_overflow_bin`, and
/// `uadd_overflow_trap`.
///
/// The flags must be those of the exact width, so these run at the type's own size
/// (`addb`, `subw`), and the flag result is a `setcc` right after the operation:
/// CF for unsigned carry/borrow, OF for signed overflow. Multiplies: one-operand
/// `mul` sets CF/OF when the high half is non-zero, two-operand `imul` when the
/// truncated product differs from the full one; at 8 bits both use `mulb`/`imulb`
/// (al × r/m8 → ax), whose low byte is the result.
///
/// Carry in: `neg` of the i8 carry operand sets CF exactly when it is non-zero, and
/// `adc`/`sbb` consume it: `negb c; adc y, x; setb/seto` — a three-instruction flags
/// chain that the allocator must keep free of flag-writing instructions.
extension X64LoweringRules {
    static var overflow: [LoweringRule] {
        var rules: [LoweringRule] = []
        rules += flagReporting(name: "uadd_overflow", opcode: .uadd_overflow, op: .add, flag: .b)
        rules += flagReporting(name: "sadd_overflow", opcode: .sadd_overflow, op: .add, flag: .o)
        rules += flagReporting(name: "usub_overflow", opcode: .usub_overflow, op: .sub, flag: .b)
        rules += flagReporting(name: "ssub_overflow", opcode: .ssub_overflow, op: .sub, flag: .o)
        rules += carryIn(name: "uadd_overflow_cin", opcode: .uadd_overflow_cin, op: .adc, flag: .b)
        rules += carryIn(name: "sadd_overflow_cin", opcode: .sadd_overflow_cin, op: .adc, flag: .o)
        rules += carryIn(name: "usub_overflow_bin", opcode: .usub_overflow_bin, op: .sbb, flag: .b)
        rules += carryIn(name: "ssub_overflow_bin", opcode: .ssub_overflow_bin, op: .sbb, flag: .o)
        rules += multiplyOverflow(name: "umul_overflow", opcode: .umul_overflow, signedness: .unsigned)
        rules += multiplyOverflow(name: "smul_overflow", opcode: .smul_overflow, signedness: .signed)
        rules += [
            LoweringRule(name: "uadd_overflow_trap", opcode: .uadd_overflow_trap, types: .wideIntegers, priority: 0,
                         priorityReason: "the general case: add, trap on carry",
                         pattern: [.register, .register]) { b in
                b.emit(.aluRmiR(.add, size: b.size, src1: b.gpr(0), src2: .reg(b.gpr(1)), dst: b.result(0)))
                b.emit(.trapIf(cc: .b, trap: b.trapCode))
            },
            LoweringRule(name: "uadd_overflow_trap_imm", opcode: .uadd_overflow_trap, types: .wideIntegers,
                         priority: 10, priorityReason: "an immediate addend saves a register",
                         pattern: [.register, .constant], guards: [.fitsSignExtendedImm32(1)]) { b in
                b.emit(.aluRmiR(.add, size: b.size, src1: b.gpr(0), src2: .imm(b.imm32(1)), dst: b.result(0)))
                b.emit(.trapIf(cc: .b, trap: b.trapCode))
            },
        ]
        return rules
    }

    /// `op y, x` at the exact width, then `set<flag>`.
    static func flagReporting(name: String, opcode: Opcode, op: FormID, flag: CC) -> [LoweringRule] {
        [
            LoweringRule(name: name, opcode: opcode, types: .integers, priority: 0,
                         priorityReason: "the only rule: the operation's own flags give the overflow bit",
                         pattern: [.register, .register]) { b in
                b.emit(.aluRmiR(op, size: b.size, src1: b.gpr(0), src2: .reg(b.gpr(1)), dst: b.result(0)))
                b.emit(.setcc(cc: flag, dst: b.result(1)))
            },
        ]
    }

    /// `neg c` (CF = c ≠ 0), `adc/sbb y, x` at the exact width, `set<flag>`.
    static func carryIn(name: String, opcode: Opcode, op: FormID, flag: CC) -> [LoweringRule] {
        [
            LoweringRule(name: name, opcode: opcode, types: .integers, priority: 0,
                         priorityReason: "the only rule: neg turns the i8 carry into CF for adc/sbb",
                         pattern: [.register, .register, .register]) { b in
                let lhs = b.gpr(0), rhs = b.gpr(1)
                let carry = b.newGpr()
                b.emit(.unary(.neg, size: .size8, src: b.gpr(2), dst: carry))
                b.emit(.aluRmiR(op, size: b.size, src1: lhs, src2: .reg(rhs), dst: b.result(0)))
                b.emit(.setcc(cc: flag, dst: b.result(1)))
            },
        ]
    }

    static func multiplyOverflow(name: String, opcode: Opcode, signedness: Signedness) -> [LoweringRule] {
        [
            LoweringRule(name: name, opcode: opcode, types: [.i16, .i32, .i64], priority: 0,
                         priorityReason: "the only rule at 16-64 bits: the multiply sets OF when the product "
                            + "does not fit",
                         pattern: [.register, .register]) { b in
                switch signedness {
                case .unsigned:
                    b.emit(.mul(.mulUnsigned, size: b.size, src1: b.gpr(0), src2: .reg(b.gpr(1)),
                                dstLo: b.result(0), dstHi: b.newGpr()))
                case .signed:
                    b.emit(.aluRmiR(.imul, size: b.size, src1: b.gpr(0), src2: .reg(b.gpr(1)), dst: b.result(0)))
                }
                b.emit(.setcc(cc: .o, dst: b.result(1)))
            },
            LoweringRule(name: name + "_i8", opcode: opcode, types: [.i8], priority: 0,
                         priorityReason: "the only rule at 8 bits: mulb/imulb set OF when ah is not the extension of al",
                         pattern: [.register, .register]) { b in
                b.emit(.mul8(.multiplyWide(signedness), src1: b.gpr(0), src2: .reg(b.gpr(1)), dst: b.result(0)))
                b.emit(.setcc(cc: .o, dst: b.result(1)))
            },
        ]
    }
}
