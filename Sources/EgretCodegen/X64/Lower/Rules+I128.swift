import EgretIR

/// i128 width changes, logic and memory: iconcat, isplit, uextend, sextend, ireduce,
/// bitcast, band, bor, bxor, bnot, bitselect, load, store (arithmetic is in
/// Rules+I128Arithmetic.swift).
///
/// An i128 is a pair of 64-bit registers, low half first (`gprPair`/`resultPair`,
/// X64LoweringContext+ValueRegs.swift). Both halves are always fully defined: the
/// narrow-value invariant (unspecified upper bits) applies to i8–i32 only, so a
/// rule that makes an i128 from a narrower value extends it first.
///
/// Logic works on each half on its own: `andq`, `orq`, `xorq`, `notq` twice.
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
                b.emit(.shiftR(.sar, size: .size64, src: result.low.reg, count: .imm(63), dst: result.high))
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
        ]
        rules += pairwise(name: "band_i128", opcode: .band, op: .and)
        rules += pairwise(name: "bor_i128", opcode: .bor, op: .or)
        rules += pairwise(name: "bxor_i128", opcode: .bxor, op: .xor)
        rules += [
            LoweringRule(name: "bnot_i128", opcode: .bnot, types: [.i128], priority: 0,
                         priorityReason: "the only rule: not of each half", pattern: [.register]) { b in
                let source = b.gprPair(0), result = b.resultPair(0)
                b.emit(.unary(.not, size: .size64, src: source.low, dst: result.low))
                b.emit(.unary(.not, size: .size64, src: source.high, dst: result.high))
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
                    b.emit(.unary(.not, size: .size64, src: c, dst: inverted))
                    let others = alu(b, .and, .size64, inverted.reg, .reg(y))
                    b.emit(.aluRmiR(.or, size: .size64, src1: selected, src2: .reg(others), dst: into))
                }
            },
        ]
        rules += i128Memory
        return rules
    }

    /// `op` on each half: band, bor, bxor.
    static func pairwise(name: String, opcode: Opcode, op: FormID) -> [LoweringRule] {
        [
            LoweringRule(name: name, opcode: opcode, types: [.i128], priority: 0,
                         priorityReason: "the only rule: the halves are independent",
                         pattern: [.register, .register]) { b in
                let lhs = b.gprPair(0), rhs = b.gprPair(1), result = b.resultPair(0)
                b.emit(.aluRmiR(op, size: .size64, src1: lhs.low, src2: .reg(rhs.low), dst: result.low))
                b.emit(.aluRmiR(op, size: .size64, src1: lhs.high, src2: .reg(rhs.high), dst: result.high))
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
        b.emit(signed ? .movsx(mode, src: .reg(source), dst: into) : .movzx(mode, src: .reg(source), dst: into))
    }

    static func emitPairCopy(_ b: any LoweringBuilder, _ source: GprPair, into: WritableGprPair) {
        b.emitCopy(source.low, into: into.low)
        b.emitCopy(source.high, into: into.high)
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
                b.emit(.unary(.bswap, size: .size64, src: high.reg, dst: result.high))
                b.emit(.unary(.bswap, size: .size64, src: low.reg, dst: result.low))
            })
            rules.append(LoweringRule(name: "store_i128" + address.suffix, opcode: .store, types: [.i128],
                                      priority: address.priority, priorityReason: address.reason,
                                      pattern: [.register, address.shape]) { b in
                let value = b.gprPair(0)
                let (first, second) = try halves(of: b.amode(1))
                // A store that traps writes nothing, as one x86 store and the
                // interpreter do: the second half is read first, so that a fault in
                // either half (an access straddling the end of the heap) comes before
                // any byte is written. Frame slots cannot fault.
                if second.trap != nil, !Self.isFrameAddress(second) {
                    b.emit(.load(size: .size64, src: second, dst: b.newGpr()))
                }
                guard b.memoryFlags.endianness == .big else {
                    b.emit(.store(size: .size64, src: value.low, dst: first))
                    b.emit(.store(size: .size64, src: value.high, dst: second))
                    return
                }
                let high = b.newGpr(), low = b.newGpr()
                b.emit(.unary(.bswap, size: .size64, src: value.high, dst: high))
                b.emit(.unary(.bswap, size: .size64, src: value.low, dst: low))
                b.emit(.store(size: .size64, src: high.reg, dst: first))
                b.emit(.store(size: .size64, src: low.reg, dst: second))
            })
        }
        return rules
    }

    static func isFrameAddress(_ amode: Amode) -> Bool {
        if case .frame = amode.address { return true }
        return false
    }

    /// The memory operands of the first and the second 8 bytes at `amode`.
    static func halves(of amode: Amode) throws -> (Amode, Amode) {
        var second = amode
        switch amode.address {
        case .base(let base, let displacement):
            guard let moved = Int32(exactly: Int64(displacement) + 8) else { throw secondHalfOutOfRange }
            second.address = .base(base, displacement: moved)
        case .baseIndex(let base, let index, let scale, let displacement):
            guard let moved = Int32(exactly: Int64(displacement) + 8) else { throw secondHalfOutOfRange }
            second.address = .baseIndex(base, index: index, scale: scale, displacement: moved)
        case .frame(let place, let displacement):
            guard let moved = Int32(exactly: Int64(displacement) + 8) else { throw secondHalfOutOfRange }
            second.address = .frame(place, displacement: moved)
        case .ripRelative:
            throw CodegenError.unsupported("an i128 access to a rip-relative address")
        }
        return (amode, second)
    }

    private static var secondHalfOutOfRange: CodegenError {
        CodegenError.unsupported("an i128 access whose second half lies beyond a 32-bit displacement")
    }
}
