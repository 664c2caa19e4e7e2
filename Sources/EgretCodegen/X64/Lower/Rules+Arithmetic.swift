import EgretIR

/// The integer ALU: arithmetic (iconst, iadd, isub, ineg, iabs, imul, umulhi, smulhi,
/// min/max), logic (band, bor, bxor, bnot, bitselect, bmask) and width changes
/// (uextend, sextend, ireduce, bitcast).
///
/// Widths: add, sub, neg, logic and the low half of mul only need the low bits of
/// their operands, so i8/i16/i32 run at 32 bits (no partial-register writes) and i64
/// at 64 (`aluSize`). Constants are stored sign-extended from their width, so every
/// constant of a narrow type fits an immediate; only i64 constants need the
/// `fits_simm32` guard. Flag-reading sequences (iabs, min/max, bmask) read the flags
/// of the exact width and select with a 32/64-bit cmov.
///
/// Extensions are the rules that turn "upper bits unspecified" into defined bits:
/// movzx/movsx from the operand's width. A zero extension writes a 32-bit register
/// (movzbl, movzwl, movl), which clears bits 32–63 as well; a sign extension to i64
/// needs the 64-bit forms (movsbq, movswq, movslq). `ireduce` keeps the low bits,
/// which the narrow-value invariant already allows to be the same register: a plain
/// copy the allocator coalesces. `bitcast` between integers of one width is a copy.
extension X64LoweringRules {
    static var arithmetic: [LoweringRule] {
        var rules: [LoweringRule] = [
            LoweringRule(name: "iconst", opcode: .iconst, types: .integers, priority: 0,
                         priorityReason: "the only way to materialise a constant", pattern: []) { b in
                b.emitConstant(b.immediate, size: b.size, into: b.result(0))
            },
            LoweringRule(name: "ineg", opcode: .ineg, types: .integers, priority: 0,
                         priorityReason: "the only rule", pattern: [.register]) { b in
                b.emit(.unary(.neg, size: b.aluSize, src: b.gpr(0), dst: b.result(0)))
            },
            LoweringRule(name: "iabs", opcode: .iabs, types: .integers, priority: 0,
                         priorityReason: "the only rule: neg sets SF at the exact width, cmovs keeps x when -x < 0 "
                            + "(MIN stays MIN)",
                         pattern: [.register]) { b in
                let source = b.gpr(0)
                let negated = b.newGpr()
                b.emit(.unary(.neg, size: b.size, src: source, dst: negated))
                b.emit(.cmove(size: b.aluSize, cc: .s, consequent: .reg(source), alternative: negated.reg,
                              dst: b.result(0)))
            },
            LoweringRule(name: "imul", opcode: .imul, types: .integers, priority: 0,
                         priorityReason: "the general case", pattern: [.register, .register]) { b in
                b.emit(.aluRmiR(.imul, size: b.aluSize, src1: b.gpr(0), src2: .reg(b.gpr(1)), dst: b.result(0)))
            },
            LoweringRule(name: "imul_imm", opcode: .imul, types: .integers, priority: 10,
                         priorityReason: "three-operand imul with an immediate needs no register for the constant",
                         pattern: [.register, .constant], guards: [.fitsSignExtendedImm32(1)]) { b in
                b.emit(.aluRmImmR(.imulImm, size: b.aluSize, src: .reg(b.gpr(0)), imm: b.imm32(1), dst: b.result(0)))
            },
            LoweringRule(name: "imul_imm_lhs", opcode: .imul, types: .integers, priority: 10,
                         priorityReason: "imul commutes: as imul_imm with the constant on the left",
                         pattern: [.constant, .register], guards: [.fitsSignExtendedImm32(0)]) { b in
                b.emit(.aluRmImmR(.imulImm, size: b.aluSize, src: .reg(b.gpr(1)), imm: b.imm32(0), dst: b.result(0)))
            },
        ]
        rules += aluBinary(name: "iadd", opcode: .iadd, op: .add, commutative: true)
        rules += aluBinary(name: "isub", opcode: .isub, op: .sub, commutative: false)
        rules += multiplyHigh(name: "umulhi", opcode: .umulhi, signedness: .unsigned)
        rules += multiplyHigh(name: "smulhi", opcode: .smulhi, signedness: .signed)
        rules += minMax(name: "smin", opcode: .smin, cc: .l)
        rules += minMax(name: "smax", opcode: .smax, cc: .g)
        rules += minMax(name: "umin", opcode: .umin, cc: .b)
        rules += minMax(name: "umax", opcode: .umax, cc: .a)
        return rules
    }

    /// `op` with a register, an immediate, and (if commutative) an immediate on the
    /// left: `addl %v1, %v0, %v2`, `addl $5, %v0, %v2`.
    static func aluBinary(name: String, opcode: Opcode, op: FormID, commutative: Bool) -> [LoweringRule] {
        var rules = [
            LoweringRule(name: name, opcode: opcode, types: .integers, priority: 0,
                         priorityReason: "the general case: both operands in registers",
                         pattern: [.register, .register]) { b in
                b.emit(.aluRmiR(op, size: b.aluSize, src1: b.gpr(0), src2: .reg(b.gpr(1)), dst: b.result(0)))
            },
            LoweringRule(name: name + "_imm", opcode: opcode, types: .integers, priority: 10,
                         priorityReason: "an immediate operand saves the register and the mov of the constant",
                         pattern: [.register, .constant], guards: [.fitsSignExtendedImm32(1)]) { b in
                b.emit(.aluRmiR(op, size: b.aluSize, src1: b.gpr(0), src2: .imm(b.imm32(1)), dst: b.result(0)))
            },
        ]
        if commutative {
            rules.append(LoweringRule(name: name + "_imm_lhs", opcode: opcode, types: .integers, priority: 10,
                                      priorityReason: "\(name) commutes: as \(name)_imm with the constant on the left",
                                      pattern: [.constant, .register], guards: [.fitsSignExtendedImm32(0)]) { b in
                b.emit(.aluRmiR(op, size: b.aluSize, src1: b.gpr(1), src2: .imm(b.imm32(0)), dst: b.result(0)))
            })
        }
        return rules
    }

    /// The high half of the double-width product: one-operand mul/imul (rdx:rax) from
    /// 16 bits up; at 8 bits, a 32-bit multiply of the extended operands, shifted.
    static func multiplyHigh(name: String, opcode: Opcode, signedness: Signedness) -> [LoweringRule] {
        let signed = signedness == .signed
        return [
            LoweringRule(name: name, opcode: opcode, types: [.i16, .i32, .i64], priority: 0,
                         priorityReason: "the only rule at 16-64 bits: the high half lands in rdx",
                         pattern: [.register, .register]) { b in
                b.emit(.mul(.multiplyWide(signedness), size: b.size, src1: b.gpr(0), src2: .reg(b.gpr(1)),
                            dstLo: b.newGpr(), dstHi: b.result(0)))
            },
            LoweringRule(name: name + "_i8", opcode: opcode, types: [.i8], priority: 0,
                         priorityReason: "the only rule at 8 bits (mulb's high byte is in ah, which Egret never names)",
                         pattern: [.register, .register]) { b in
                let lhs = b.extended(0, signed: signed, to: .size32)
                let rhs = b.extended(1, signed: signed, to: .size32)
                let product = b.newGpr()
                b.emit(.aluRmiR(.imul, size: .size32, src1: lhs, src2: .reg(rhs), dst: product))
                b.emit(.shiftR(signed ? .sar : .shr, size: .size32, src: product.reg, count: .imm(8),
                               dst: b.result(0)))
            },
        ]
    }

    /// `cmp x, y; cmov<cc> x, y`: x when `cc` holds for x - y, else y.
    static func minMax(name: String, opcode: Opcode, cc: CC) -> [LoweringRule] {
        [
            LoweringRule(name: name, opcode: opcode, types: .integers, priority: 0,
                         priorityReason: "the only rule: compare at the exact width, select with cmov",
                         pattern: [.register, .register]) { b in
                let lhs = b.gpr(0), rhs = b.gpr(1)
                b.emit(.cmpRmiR(.cmp, size: b.size, src1: lhs, src2: .reg(rhs)))
                b.emit(.cmove(size: b.aluSize, cc: cc, consequent: .reg(lhs), alternative: rhs, dst: b.result(0)))
            },
        ]
    }

    // MARK: Logic

    static var bitwise: [LoweringRule] {
        var rules: [LoweringRule] = []
        rules += aluBinary(name: "band", opcode: .band, op: .and, commutative: true)
        rules += aluBinary(name: "bor", opcode: .bor, op: .or, commutative: true)
        rules += aluBinary(name: "bxor", opcode: .bxor, op: .xor, commutative: true)
        rules += [
            LoweringRule(name: "bnot", opcode: .bnot, types: .integers, priority: 0,
                         priorityReason: "the only rule", pattern: [.register]) { b in
                b.emit(.unary(.not, size: b.aluSize, src: b.gpr(0), dst: b.result(0)))
            },
            LoweringRule(name: "bitselect", opcode: .bitselect, types: .integers, priority: 0,
                         priorityReason: "the only rule (no BMI1 andn in the baseline): (x & c) | (y & ~c)",
                         pattern: [.register, .register, .register]) { b in
                let condition = b.gpr(0), whenSet = b.gpr(1), whenClear = b.gpr(2)
                let size = b.aluSize
                let selected = b.newGpr()
                b.emit(.aluRmiR(.and, size: size, src1: whenSet, src2: .reg(condition), dst: selected))
                let inverted = b.newGpr()
                b.emit(.unary(.not, size: size, src: condition, dst: inverted))
                let others = b.newGpr()
                b.emit(.aluRmiR(.and, size: size, src1: inverted.reg, src2: .reg(whenClear), dst: others))
                b.emit(.aluRmiR(.or, size: size, src1: selected.reg, src2: .reg(others.reg), dst: b.result(0)))
            },
            LoweringRule(name: "bmask", opcode: .bmask, types: .integers, priority: 0,
                         priorityReason: "the only rule: neg sets CF iff the operand (at its width) is non-zero, "
                            + "sbb r, r spreads CF to all bits",
                         pattern: [.register]) { b in
                let negated = b.newGpr()
                b.emit(.unary(.neg, size: OperandSize(exactly: b.operandType(0)), src: b.gpr(0), dst: negated))
                b.emit(.aluRmiR(.sbb, size: b.aluSize, src1: negated.reg, src2: .reg(negated.reg), dst: b.result(0)))
            },
        ]
        return rules
    }

    // MARK: Width changes

    static var conversions: [LoweringRule] {
        [
            LoweringRule(name: "uextend", opcode: .uextend, types: .i16AndWider, priority: 0,
                         priorityReason: "the only rule: movzx from the operand's width",
                         pattern: [.register]) { b in
                let mode: ExtMode
                switch b.operandType(0).bits {
                case 8: mode = .bl
                case 16: mode = .wl
                default: mode = .lq
                }
                b.emit(.movzx(mode, src: .reg(b.gpr(0)), dst: b.result(0)))
            },
            LoweringRule(name: "sextend", opcode: .sextend, types: .i16AndWider, priority: 0,
                         priorityReason: "the only rule: movsx from the operand's width",
                         pattern: [.register]) { b in
                let wide = b.type == .i64
                let mode: ExtMode
                switch b.operandType(0).bits {
                case 8: mode = wide ? .bq : .bl
                case 16: mode = wide ? .wq : .wl
                default: mode = .lq
                }
                b.emit(.movsx(mode, src: .reg(b.gpr(0)), dst: b.result(0)))
            },
            LoweringRule(name: "ireduce", opcode: .ireduce, types: [.i8, .i16, .i32], priority: 0,
                         priorityReason: "the only rule: the low bits are already the value",
                         pattern: [.register]) { b in
                b.emitCopy(b.gpr(0), into: b.result(0))
            },
            LoweringRule(name: "bitcast", opcode: .bitcast, types: .integers, priority: 0,
                         priorityReason: "the only rule between integers of one width: the bits stay",
                         pattern: [.register]) { b in
                b.emitCopy(b.gpr(0), into: b.result(0))
            },
        ]
    }
}
