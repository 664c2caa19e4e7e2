import EgretIR

/// i128 arithmetic, logic, width changes and memory: iconcat, isplit, uextend,
/// sextend, ireduce, bitcast, iadd, isub, ineg, iabs, imul, umulhi, smulhi, band, bor,
/// bxor, bnot, bitselect, load, store.
///
/// An i128 is a pair of 64-bit registers, low half first (`gprPair`/`resultPair`,
/// X64LoweringContext+ValueRegs.swift). Both halves are always fully defined: the
/// narrow-value invariant (unspecified upper bits) applies to i8–i32 only, so a
/// rule that makes an i128 from a narrower value extends it first.
///
///     iadd    addq lo; adcq hi             (the carry crosses the halves in CF)
///     isub    subq lo; sbbq hi
///     ineg    0 - x: negq lo (CF = lo != 0); sbbq hi from a zero
///     iabs    s = hi >> 63 (arithmetic); (x ^ s) - s with xor, sub, sbb
///     imul    mulq lo·lo → rdx:rax; hi = rdx + lo_a·hi_b + hi_a·lo_b (imulq)
///
/// Flags: each add/adc (sub/sbb) pair is a producer immediately followed by its
/// consumer; the allocator may put only moves between them (X64Lowering.swift).
///
/// Memory: the low half at the address, the high half 8 bytes above (little-endian),
/// both accesses carrying the instruction's trap code. A big-endian access stores the
/// byte-swapped high half first. Address shapes fold as for narrower values
/// (`addressShapes`, Rules+Memory.swift).
extension X64LoweringRules {
    static var i128: [LoweringRule] {
        var rules: [LoweringRule] = [
            LoweringRule(name: "iconcat", opcode: .iconcat, types: [.i64], priority: 0,
                         priorityReason: "the only rule: the halves are already the pair", pattern: [.register, .register]) { b in
                let result = b.resultPair(0)
                b.emitCopy(b.gpr(0), into: result.low)
                b.emitCopy(b.gpr(1), into: result.high)
            },
            LoweringRule(name: "isplit", opcode: .isplit, types: [.i128], priority: 0,
                         priorityReason: "the only rule: each half is one register of the pair", pattern: [.register]) { b in
                let source = b.gprPair(0)
                b.emitCopy(source.low, into: b.result(0))
                b.emitCopy(source.high, into: b.result(1))
            },
            LoweringRule(name: "uextend_i128", opcode: .uextend, types: [.i128], priority: 0,
                         priorityReason: "the only rule: zero-extend into the low half, zero the high half",
                         pattern: [.register]) { b in
                let result = b.resultPair(0)
                emitExtendedLow(b, signed: false, into: result.low)
                b.emitConstant(0, size: .size64, into: result.high)
            },
            LoweringRule(name: "sextend_i128", opcode: .sextend, types: [.i128], priority: 0,
                         priorityReason: "the only rule: sign-extend into the low half, its sign fills the high half",
                         pattern: [.register]) { b in
                let result = b.resultPair(0)
                emitExtendedLow(b, signed: true, into: result.low)
                b.emit(.shiftR(kind: .sar, size: .size64, src: result.low.reg, count: .imm(63), dst: result.high))
            },
            LoweringRule(name: "ireduce_i128", opcode: .ireduce, types: .integers, priority: 0,
                         priorityReason: "the only rule from i128: the low half holds the low bits",
                         pattern: [.pair]) { b in
                b.emitCopy(b.gprPair(0).low, into: b.result(0))
            },
            LoweringRule(name: "bitcast_i128", opcode: .bitcast, types: [.i128], priority: 0,
                         priorityReason: "the only rule between i128s: the bits stay", pattern: [.register]) { b in
                emitPairCopy(b, b.gprPair(0), into: b.resultPair(0))
            },
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
                b.emit(.unary(op: .neg, size: .size64, src: source.low, dst: result.low))
                b.emit(.aluRmiR(op: .sbb, size: .size64, src1: zero, src2: .reg(source.high), dst: result.high))
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
        rules += pairwise(name: "band_i128", opcode: .band, op: .and)
        rules += pairwise(name: "bor_i128", opcode: .bor, op: .or)
        rules += pairwise(name: "bxor_i128", opcode: .bxor, op: .xor)
        rules += [
            LoweringRule(name: "bnot_i128", opcode: .bnot, types: [.i128], priority: 0,
                         priorityReason: "the only rule: not of each half", pattern: [.register]) { b in
                let source = b.gprPair(0), result = b.resultPair(0)
                b.emit(.unary(op: .not, size: .size64, src: source.low, dst: result.low))
                b.emit(.unary(op: .not, size: .size64, src: source.high, dst: result.high))
            },
            LoweringRule(name: "bitselect_i128", opcode: .bitselect, types: [.i128], priority: 0,
                         priorityReason: "the only rule: (x & c) | (y & ~c) on each half",
                         pattern: [.register, .register, .register]) { b in
                let condition = b.gprPair(0), whenSet = b.gprPair(1), whenClear = b.gprPair(2)
                let result = b.resultPair(0)
                for (c, x, y, into) in [(condition.low, whenSet.low, whenClear.low, result.low),
                                        (condition.high, whenSet.high, whenClear.high, result.high)] {
                    let selected = alu(b, .and, .size64, x, .reg(c))
                    let inverted = b.newGpr()
                    b.emit(.unary(op: .not, size: .size64, src: c, dst: inverted))
                    let others = alu(b, .and, .size64, inverted.reg, .reg(y))
                    b.emit(.aluRmiR(op: .or, size: .size64, src1: selected, src2: .reg(others), dst: into))
                }
            },
        ]
        rules += i128Memory
        return rules
    }

    /// `op` on each half: band, bor, bxor.
    static func pairwise(name: String, opcode: Opcode, op: AluOp) -> [LoweringRule] {
        [
            LoweringRule(name: name, opcode: opcode, types: [.i128], priority: 0,
                         priorityReason: "the only rule: the halves are independent",
                         pattern: [.register, .register]) { b in
                let lhs = b.gprPair(0), rhs = b.gprPair(1), result = b.resultPair(0)
                b.emit(.aluRmiR(op: op, size: .size64, src1: lhs.low, src2: .reg(rhs.low), dst: result.low))
                b.emit(.aluRmiR(op: op, size: .size64, src1: lhs.high, src2: .reg(rhs.high), dst: result.high))
            },
        ]
    }

    /// Operand 0 (i8–i64) zero- or sign-extended to 64 bits into `into`.
    static func emitExtendedLow(_ b: any LoweringBuilder, signed: Bool, into: Writable<Gpr>) {
        let source = b.gpr(0)
        let mode: ExtMode
        switch b.operandType(0).bits {
        case 8: mode = signed ? .bq : .bl
        case 16: mode = signed ? .wq : .wl
        case 32: mode = .lq
        default:
            b.emitCopy(source, into: into)
            return
        }
        b.emit(signed ? .movsx(ext: mode, src: .reg(source), dst: into) : .movzx(ext: mode, src: .reg(source), dst: into))
    }

    static func emitPairCopy(_ b: any LoweringBuilder, _ source: GprPair, into: WritableGprPair) {
        b.emitCopy(source.low, into: into.low)
        b.emitCopy(source.high, into: into.high)
    }

    /// `low = lhs.low lowOp rhs.low; high = lhs.high highOp rhs.high`, the second
    /// consuming the flags of the first (add/adc, sub/sbb).
    static func emitCarryChain(_ b: any LoweringBuilder, _ lowOp: AluOp, _ highOp: AluOp, _ lhs: GprPair,
                               _ rhs: GprPair, into: WritableGprPair) {
        b.emit(.aluRmiR(op: lowOp, size: .size64, src1: lhs.low, src2: .reg(rhs.low), dst: into.low))
        b.emit(.aluRmiR(op: highOp, size: .size64, src1: lhs.high, src2: .reg(rhs.high), dst: into.high))
    }

    /// The low 128 bits of `lhs · rhs`.
    static func emitMultiply128(_ b: any LoweringBuilder, _ lhs: GprPair, _ rhs: GprPair, into: WritableGprPair) {
        let cross1 = b.newGpr(), cross2 = b.newGpr()
        b.emit(.imul(size: .size64, src1: lhs.low, src2: .reg(rhs.high), dst: cross1))
        b.emit(.imul(size: .size64, src1: lhs.high, src2: .reg(rhs.low), dst: cross2))
        let productHigh = b.newGpr()
        b.emit(.mul(size: .size64, signedness: .unsigned, src1: lhs.low, src2: .reg(rhs.low), dstLo: into.low,
                    dstHi: productHigh))
        let partial = alu(b, .add, .size64, productHigh.reg, .reg(cross1.reg))
        b.emit(.aluRmiR(op: .add, size: .size64, src1: partial, src2: .reg(cross2.reg), dst: into.high))
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
            b.emit(.mul(size: .size64, signedness: .unsigned, src1: x, src2: .reg(y), dstLo: low, dstHi: high))
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

    // MARK: Memory

    static var i128Memory: [LoweringRule] {
        var rules: [LoweringRule] = []
        for address in addressShapes {
            rules.append(LoweringRule(name: "load_i128" + address.suffix, opcode: .load, types: [.i128],
                                      priority: address.priority, priorityReason: address.reason,
                                      pattern: [address.shape]) { b in
                let (first, second) = try halves(of: b.amode(0))
                let result = b.resultPair(0)
                guard b.memoryFlags.endianness == .big else {
                    b.emit(.load(size: .size64, src: first, dst: result.low))
                    b.emit(.load(size: .size64, src: second, dst: result.high))
                    return
                }
                let high = b.newGpr(), low = b.newGpr()
                b.emit(.load(size: .size64, src: first, dst: high))
                b.emit(.load(size: .size64, src: second, dst: low))
                b.emit(.bswap(size: .size64, src: high.reg, dst: result.high))
                b.emit(.bswap(size: .size64, src: low.reg, dst: result.low))
            })
            rules.append(LoweringRule(name: "store_i128" + address.suffix, opcode: .store, types: [.i128],
                                      priority: address.priority, priorityReason: address.reason,
                                      pattern: [.register, address.shape]) { b in
                let value = b.gprPair(0)
                let (first, second) = try halves(of: b.amode(1))
                guard b.memoryFlags.endianness == .big else {
                    b.emit(.store(size: .size64, src: value.low, dst: first))
                    b.emit(.store(size: .size64, src: value.high, dst: second))
                    return
                }
                let high = b.newGpr(), low = b.newGpr()
                b.emit(.bswap(size: .size64, src: value.high, dst: high))
                b.emit(.bswap(size: .size64, src: value.low, dst: low))
                b.emit(.store(size: .size64, src: high.reg, dst: first))
                b.emit(.store(size: .size64, src: low.reg, dst: second))
            })
        }
        return rules
    }

    /// The memory operands of the first and the second 8 bytes at `amode`.
    static func halves(of amode: Amode) throws -> (Amode, Amode) {
        var second = amode
        switch amode.address {
        case .base(let base, let displacement):
            guard let moved = Int32(exactly: Int64(displacement) + 8) else { throw displacementTooLarge }
            second.address = .base(base, displacement: moved)
        case .baseIndex(let base, let index, let scale, let displacement):
            guard let moved = Int32(exactly: Int64(displacement) + 8) else { throw displacementTooLarge }
            second.address = .baseIndex(base, index: index, scale: scale, displacement: moved)
        case .frame(let place, let displacement):
            guard let moved = Int32(exactly: Int64(displacement) + 8) else { throw displacementTooLarge }
            second.address = .frame(place, displacement: moved)
        case .ripRelative:
            throw CodegenError.unsupported("an i128 access to a rip-relative address")
        }
        return (amode, second)
    }

    private static var displacementTooLarge: CodegenError {
        CodegenError.unsupported("an i128 access whose second half lies beyond a 32-bit displacement")
    }
}
