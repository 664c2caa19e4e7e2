import EgretIR

/// Conditions and what consumes them: icmp, select, select_spectre_guard, brif,
/// br_table, trapz, trapnz, trap, jump, nop.
///
/// `cmp` runs at the exact width of the compared type (`cmpb` for i8), so the
/// unspecified upper bits never take part. A condition that is a single-use icmp is
/// fused into its consumer (`cmp; cmov<cc>`, `cmp; j<cc>`, `cmp; trapIf`) instead of
/// being materialised by setcc and tested again; a plain condition is tested at its
/// own width (`test c, c`).
///
/// Selects pick with `cmov` at 32 bits for types up to i32 (there is no 8-bit cmov;
/// the low bits are what matter) and 64 for i64. select_spectre_guard is lowered the
/// same way — both are always a cmov, never a branch, which is what the guard needs.
///
/// Branch targets are edge labels (`edgeLabel`): the target block's, or the edge
/// block's when the pass split the edge to hold its argument moves. A `jump` writes
/// its target's parameters itself (`emitEdgeMoves`) right before its `jmp`.
///
/// `br_table` is a compare chain, `cmpl $k, idx; je edge_k` per table entry and a
/// final `jmp default`: no jump table, so no code-address constants (a jump table is
/// the better choice once tables grow; the 65-entry tables of the filetests cost
/// about 650 bytes this way). The index is an i32 compared at 32 bits.
///
/// A conditional trap's `trapIf` jumps over an inline ud2 that records the CLIF trap
/// code.
extension X64LoweringRules {
    static var compare: [LoweringRule] {
        var rules: [LoweringRule] = [
            LoweringRule(name: "icmp", opcode: .icmp, types: .integers, priority: 0,
                         priorityReason: "the general case: cmp, then setcc materialises 0/1",
                         pattern: [.register, .register]) { b in
                b.emit(.cmpRmiR(.cmp, size: b.size, src1: b.gpr(0), src2: .reg(b.gpr(1))))
                b.emit(.setcc(cc: CC(b.intCC), dst: b.result(0)))
            },
            LoweringRule(name: "icmp_imm", opcode: .icmp, types: .integers, priority: 10,
                         priorityReason: "a constant right operand is an immediate of cmp",
                         pattern: [.register, .constant], guards: [.fitsSignExtendedImm32(1)]) { b in
                b.emit(.cmpRmiR(.cmp, size: b.size, src1: b.gpr(0), src2: .imm(b.imm32(1))))
                b.emit(.setcc(cc: CC(b.intCC), dst: b.result(0)))
            },
            LoweringRule(name: "icmp_imm_lhs", opcode: .icmp, types: .integers, priority: 10,
                         priorityReason: "a constant left operand: compare the other way round with the swapped condition",
                         pattern: [.constant, .register], guards: [.fitsSignExtendedImm32(0)]) { b in
                b.emit(.cmpRmiR(.cmp, size: b.size, src1: b.gpr(1), src2: .imm(b.imm32(0))))
                b.emit(.setcc(cc: CC(b.intCC.swapped), dst: b.result(0)))
            },
        ]
        rules += select(name: "select", opcode: .select)
        rules += select(name: "select_spectre_guard", opcode: .select_spectre_guard)
        return rules
    }

    static func select(name: String, opcode: Opcode) -> [LoweringRule] {
        [
            LoweringRule(name: name, opcode: opcode, types: .integers, priority: 0,
                         priorityReason: "the general case: test the condition at its width, cmovne",
                         pattern: [.register, .register, .register]) { b in
                let whenTrue = b.gpr(1), whenFalse = b.gpr(2)
                b.emitTestNonZero(0)
                b.emit(.cmove(size: b.aluSize, cc: .ne, consequent: .reg(whenTrue), alternative: whenFalse,
                              dst: b.result(0)))
            },
            LoweringRule(name: name + "_icmp", opcode: opcode, types: .integers, priority: 10,
                         priorityReason: "fusing a single-use icmp saves its setcc and the test",
                         pattern: [.comparison, .register, .register]) { b in
                let whenTrue = b.gpr(1), whenFalse = b.gpr(2)
                let comparison = b.comparison(0)
                b.emit(comparison.compare)
                b.emit(.cmove(size: b.aluSize, cc: comparison.cc, consequent: .reg(whenTrue), alternative: whenFalse,
                              dst: b.result(0)))
            },
        ]
    }

    // MARK: Control flow and traps

    static var controlFlow: [LoweringRule] {
        [
            LoweringRule(name: "jump", opcode: .jump, types: [], priority: 0,
                         priorityReason: "the only rule: argument moves, then jmp", pattern: []) { b in
                b.emitEdgeMoves(0)
                b.emit(.jmp(target: b.edgeLabel(0)))
            },
            LoweringRule(name: "brif", opcode: .brif, types: .integers, priority: 0,
                         priorityReason: "the general case: test the condition at its width",
                         pattern: [.register]) { b in
                b.emitTestNonZero(0)
                b.emit(.jcc(cc: .ne, target: b.edgeLabel(0)))
                b.emit(.jmp(target: b.edgeLabel(1)))
            },
            LoweringRule(name: "brif_icmp", opcode: .brif, types: [.i8], priority: 10,
                         priorityReason: "fusing a single-use icmp: cmp; jcc instead of cmp; setcc; test; jne",
                         pattern: [.comparison]) { b in
                let comparison = b.comparison(0)
                b.emit(comparison.compare)
                b.emit(.jcc(cc: comparison.cc, target: b.edgeLabel(0)))
                b.emit(.jmp(target: b.edgeLabel(1)))
            },
            LoweringRule(name: "br_table", opcode: .br_table, types: [], priority: 0,
                         priorityReason: "the only rule: a compare chain over the table, then the default",
                         pattern: [.register]) { b in
                let index = b.gpr(0)
                for entry in 1 ..< max(b.edgeCount, 1) {
                    b.emit(.cmpRmiR(.cmp, size: .size32, src1: index, src2: .imm(Int32(entry - 1))))
                    b.emit(.jcc(cc: .e, target: b.edgeLabel(entry)))
                }
                // An empty table leaves one edge, which is never split (like a jump's):
                // its argument moves are written here.
                if b.edgeCount == 1 { b.emitEdgeMoves(0) }
                b.emit(.jmp(target: b.edgeLabel(0)))
            },
            LoweringRule(name: "trap", opcode: .trap, types: [], priority: 0,
                         priorityReason: "the only rule", pattern: []) { b in
                b.emit(.ud2(trap: b.trapCode))
            },
            LoweringRule(name: "trapz", opcode: .trapz, types: .integers, priority: 0,
                         priorityReason: "the general case: test the condition at its width",
                         pattern: [.register]) { b in
                b.emitTestNonZero(0)
                b.emit(.trapIf(cc: .e, trap: b.trapCode))
            },
            LoweringRule(name: "trapnz", opcode: .trapnz, types: .integers, priority: 0,
                         priorityReason: "the general case: test the condition at its width",
                         pattern: [.register]) { b in
                b.emitTestNonZero(0)
                b.emit(.trapIf(cc: .ne, trap: b.trapCode))
            },
            LoweringRule(name: "trapz_icmp", opcode: .trapz, types: [.i8], priority: 10,
                         priorityReason: "fusing a single-use icmp: trap when the comparison fails",
                         pattern: [.comparison]) { b in
                let comparison = b.comparison(0)
                b.emit(comparison.compare)
                b.emit(.trapIf(cc: comparison.cc.inverse, trap: b.trapCode))
            },
            LoweringRule(name: "trapnz_icmp", opcode: .trapnz, types: [.i8], priority: 10,
                         priorityReason: "fusing a single-use icmp: trap when the comparison holds",
                         pattern: [.comparison]) { b in
                let comparison = b.comparison(0)
                b.emit(comparison.compare)
                b.emit(.trapIf(cc: comparison.cc, trap: b.trapCode))
            },
            LoweringRule(name: "nop", opcode: .nop, types: [], priority: 0,
                         priorityReason: "the only rule: nothing to do", pattern: []) { _ in },
        ]
    }
}
