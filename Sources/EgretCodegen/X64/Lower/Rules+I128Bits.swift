import EgretIR

/// i128 bit counting and reordering: clz, ctz, cls, popcnt, bitrev, bswap. The counts
/// are i128 results (high half zero). As at 64 bits (Rules+Bits.swift), the baseline
/// x86-64 has no LZCNT/TZCNT/POPCNT:
///
///     clz     i = hi ≠ 0 ? 64 + bsr(hi) : bsr(lo), with bsr(0) = -1; clz = 127 - i
///     cls     the same index of x ^ (x >>s 127); cls = 126 - i
///     ctz     lo ≠ 0 ? bsf(lo) : 64 + (hi ≠ 0 ? bsf(hi) : 64)
///     popcnt  popcnt(lo) + popcnt(hi), each the 64-bit SWAR sum
///     bitrev  bitrev64 of each half, the halves exchanged
///     bswap   bswap of each half, the halves exchanged
extension X64LoweringRules {
    static var i128Bits: [LoweringRule] {
        [
            LoweringRule(name: "clz_i128", opcode: .clz, types: [.i128], priority: 0,
                         priorityReason: "the only rule: bsr of the highest non-zero half", pattern: [.register]) { b in
                let index = highestSetBit128(b, b.gprPair(0))
                emitCountResult(b, alu(b, .sub, .size64, b.materialize(127, size: .size64), .reg(index)))
            },
            LoweringRule(name: "cls_i128", opcode: .cls, types: [.i128], priority: 0,
                         priorityReason: "the only rule: clz of x ^ (x >> 127), less one", pattern: [.register]) { b in
                let source = b.gprPair(0)
                let signs = shifted(b, .sar, .size64, source.high, 63)
                let differing = GprPair(low: alu(b, .xor, .size64, source.low, .reg(signs)),
                                        high: alu(b, .xor, .size64, source.high, .reg(signs)))
                let index = highestSetBit128(b, differing)
                emitCountResult(b, alu(b, .sub, .size64, b.materialize(126, size: .size64), .reg(index)))
            },
            LoweringRule(name: "ctz_i128", opcode: .ctz, types: [.i128], priority: 0,
                         priorityReason: "the only rule: bsf of the lowest non-zero half", pattern: [.register]) { b in
                let source = b.gprPair(0)
                let sixtyFour = b.materialize(64, size: .size64)
                let highRaw = b.newGpr()
                b.emit(.unaryRmR(.bsf, size: .size64, src: .reg(source.high), dst: highRaw))
                let highCount = b.newGpr()
                b.emit(.cmove(size: .size64, cc: .e, consequent: .reg(sixtyFour), alternative: highRaw.reg,
                              dst: highCount))
                let fromHigh = alu(b, .add, .size64, highCount.reg, .imm(64))
                let lowCount = b.newGpr()
                b.emit(.unaryRmR(.bsf, size: .size64, src: .reg(source.low), dst: lowCount))
                let count = b.newGpr()
                b.emit(.cmove(size: .size64, cc: .ne, consequent: .reg(lowCount.reg), alternative: fromHigh, dst: count))
                emitCountResult(b, count.reg)
            },
            LoweringRule(name: "popcnt_i128", opcode: .popcnt, types: [.i128], priority: 0,
                         priorityReason: "the only rule: the SWAR count of each half, added", pattern: [.register]) { b in
                let source = b.gprPair(0)
                let low = b.newGpr(), high = b.newGpr()
                emitPopcount(b, of: source.low, size: .size64, into: low)
                emitPopcount(b, of: source.high, size: .size64, into: high)
                emitCountResult(b, alu(b, .add, .size64, low.reg, .reg(high.reg)))
            },
            LoweringRule(name: "bitrev_i128", opcode: .bitrev, types: [.i128], priority: 0,
                         priorityReason: "the only rule: reverse each half, exchange the halves", pattern: [.register]) { b in
                let source = b.gprPair(0), result = b.resultPair(0)
                emitBitReverse(b, of: source.high, bits: 64, into: result.low)
                emitBitReverse(b, of: source.low, bits: 64, into: result.high)
            },
            LoweringRule(name: "bswap_i128", opcode: .bswap, types: [.i128], priority: 0,
                         priorityReason: "the only rule: bswap each half, exchange the halves", pattern: [.register]) { b in
                let source = b.gprPair(0), result = b.resultPair(0)
                b.emit(.unary(.bswap, size: .size64, src: source.high, dst: result.low))
                b.emit(.unary(.bswap, size: .size64, src: source.low, dst: result.high))
            },
        ]
    }

    /// The index of the highest set bit of the 128-bit `source`, -1 when it is zero.
    static func highestSetBit128(_ b: any LoweringBuilder, _ source: GprPair) -> Gpr {
        let low = highestSetBit(b, source.low, size: .size64)
        let high = alu(b, .add, .size64, highestSetBit(b, source.high, size: .size64), .imm(64))
        b.emit(.cmpRmiR(.test, size: .size64, src1: source.high, src2: .reg(source.high)))
        let index = b.newGpr()
        b.emit(.cmove(size: .size64, cc: .ne, consequent: .reg(high), alternative: low, dst: index))
        return index.reg
    }

    /// An i128 count result: `count` in the low half, zero in the high half.
    static func emitCountResult(_ b: any LoweringBuilder, _ count: Gpr) {
        let result = b.resultPair(0)
        b.emitCopy(count, into: result.low)
        b.emitConstant(0, size: .size64, into: result.high)
    }
}
