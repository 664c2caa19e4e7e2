import EgretCodegen
import EgretIR

/// Semantics of the integer ALU forms: add/adc/sub/sbb/and/or/xor, cmp/test, the
/// multiplies, the divides, cbw/cwd/cdq/cqo, shifts and rotates, neg/not and the bit
/// scans. Flags the manual leaves undefined are fresh values (so nothing can rely
/// on them without a counterexample); flags a form does not touch stay.
public enum MachineSpecs {
    /// The label index `ret` branches to: beyond any edge of a rule.
    public static let returnLabel = MachLabel(0xFFFF)

    /// `a op b` at `size`, with the flags the manual gives: the ALU shape writes the
    /// result, the three-operand imul too.
    static func arithmetic(_ state: inout MachineState, _ op: ArithmeticOperation, _ size: OperandSize,
                           _ a: BitVector, _ b: BitVector) -> BitVector {
        let result: BitVector
        switch op {
        case .add, .addWithCarry, .subtract, .subtractWithBorrow:
            let carryIn: BitVector = (op == .addWithCarry || op == .subtractWithBorrow)
                ? state.carry.asBit(width: size.bits + 2) : a.context.bitVector(0, width: size.bits + 2)
            let isAdd = op == .add || op == .addWithCarry
            // One extra bit for the unsigned carry/borrow, one more for the signed view.
            let wide = size.bits + 2
            let unsigned = isAdd ? a.zeroExtended(to: wide) + b.zeroExtended(to: wide) + carryIn
                                 : a.zeroExtended(to: wide) - b.zeroExtended(to: wide) - carryIn
            let signed = isAdd ? a.signExtended(to: wide) + b.signExtended(to: wide) + carryIn
                               : a.signExtended(to: wide) - b.signExtended(to: wide) - carryIn
            result = unsigned.low(size.bits)
            let flags = state.resultFlags(result)
            state.setFlags(carry: unsigned.bit(size.bits), zero: flags.zero, sign: flags.sign,
                           overflow: result.signExtended(to: wide) != signed, parity: flags.parity)
        case .and, .or, .xor:
            if op == .and {
                result = a & b
            } else if op == .or {
                result = a | b
            } else {
                result = a ^ b
            }
            let flags = state.resultFlags(result)
            let clear = state.context.boolean(false)
            state.setFlags(carry: clear, zero: flags.zero, sign: flags.sign, overflow: clear, parity: flags.parity)
        case .multiplyLow:
            result = truncatedMultiply(&state, size, a, b)
        }
        return result
    }

    /// The flags of `src1 op src2`, nothing written: cmp (the flags of a subtraction)
    /// and test (of an and).
    static func compare(_ state: inout MachineState, _ op: ArithmeticOperation, _ size: OperandSize, _ src1: Gpr,
                        _ src2: GprMemImm) throws {
        let a = state.read(src1, size)
        let b = try state.operand(src2, size)
        switch op {
        case .subtract:
            let result = a - b
            let flags = state.resultFlags(result)
            let overflow = a.signBit != b.signBit && result.signBit != a.signBit
            state.setFlags(carry: a.ult(b), zero: flags.zero, sign: flags.sign, overflow: overflow,
                           parity: flags.parity)
        case .and:
            let flags = state.resultFlags(a & b)
            let clear = state.context.boolean(false)
            state.setFlags(carry: clear, zero: flags.zero, sign: flags.sign, overflow: clear, parity: flags.parity)
        case .add, .addWithCarry, .subtractWithBorrow, .or, .xor, .multiplyLow:
            throw MachineSpecError.notModelled("a compare computing \(op)")
        }
    }

    /// Two- and three-operand imul: the low half; CF = OF = the signed product does
    /// not fit; SF, ZF, PF undefined.
    static func truncatedMultiply(_ state: inout MachineState, _ size: OperandSize, _ a: BitVector,
                                  _ b: BitVector) -> BitVector {
        let wide = 2 * size.bits
        let exact = a.signExtended(to: wide) * b.signExtended(to: wide)
        // The low half computed at w bits: the same value, and a term the solver only
        // has to bit-blast at 2w bits when something reads the flags.
        let result = a * b
        let doesNotFit = result.signExtended(to: wide) != exact
        state.setFlags(carry: doesNotFit, zero: state.fresh("zf"), sign: state.fresh("sf"), overflow: doesNotFit,
                       parity: state.fresh("pf"))
        return result
    }

    /// One-operand mul/imul: rdx:rax = rax × src2; CF = OF = the high half is
    /// significant.
    static func wideMultiply(_ state: inout MachineState, _ size: OperandSize, _ signedness: Signedness, _ src1: Gpr,
                             _ src2: GprMem, _ dstLo: Writable<Gpr>, _ dstHi: Writable<Gpr>) throws {
        let a = state.read(src1, size)
        let b = try state.operand(src2, size)
        let wide = 2 * size.bits
        let signed = signedness == .signed
        let product = signed ? a.signExtended(to: wide) * b.signExtended(to: wide)
                             : a.zeroExtended(to: wide) * b.zeroExtended(to: wide)
        let low = product.low(size.bits), high = product.extract(wide - 1, size.bits)
        let significant = signed ? low.signExtended(to: wide) != product : !high.isZero
        state.setFlags(carry: significant, zero: state.fresh("zf"), sign: state.fresh("sf"), overflow: significant,
                       parity: state.fresh("pf"))
        state.write(dstLo, low, size, keeping: src1)
        state.write(dstHi, high, size)
    }

    /// mulb/imulb: ax = al × src2; CF = OF = ah is significant.
    static func byteMultiply(_ state: inout MachineState, _ signedness: Signedness, _ src1: Gpr, _ src2: GprMem,
                             _ dst: Writable<Gpr>) throws {
        let a = state.read(src1, .size8)
        let b = try state.operand(src2, .size8)
        let signed = signedness == .signed
        let product = signed ? a.signExtended(to: 16) * b.signExtended(to: 16)
                             : a.zeroExtended(to: 16) * b.zeroExtended(to: 16)
        let significant = signed ? product.low(8).signExtended(to: 16) != product : !product.extract(15, 8).isZero
        state.setFlags(carry: significant, zero: state.fresh("zf"), sign: state.fresh("sf"), overflow: significant,
                       parity: state.fresh("pf"))
        state.write(dst, product, .size16, keeping: src1)
    }

    /// div/idiv: rax = rdx:rax / divisor, rdx = the remainder; #DE (`trap`) on a zero
    /// divisor or a quotient that does not fit.
    ///
    /// Unsigned: the 2w-bit dividend is divided as such. Signed: Z3 cannot afford a
    /// 2w-bit signed division (DESIGN.md §5), so the spec requires, as an obligation
    /// proven on its own, that rdx:rax is the sign extension of rax (what cdq/cqo
    /// establish), and then divides rax at w bits: the 2w-bit quotient fits in w
    /// bits except for MIN / -1, which faults.
    static func divide(_ state: inout MachineState, _ size: OperandSize, _ signedness: Signedness, _ lo: Gpr,
                       _ hi: Gpr, _ divisor: GprMem, _ quotient: Writable<Gpr>, _ remainder: Writable<Gpr>,
                       _ trap: TrapCode) throws {
        let low = state.read(lo, size), high = state.read(hi, size)
        let d = try state.operand(divisor, size)
        let width = size.bits
        let q: BitVector, r: BitVector, faults: Boolean
        switch signedness {
        case .unsigned:
            let dividend = low.below(high)
            let wideQuotient = dividend.udiv(d.zeroExtended(to: 2 * width))
            q = wideQuotient.low(width)
            r = dividend.urem(d.zeroExtended(to: 2 * width)).low(width)
            faults = d.isZero || !wideQuotient.extract(2 * width - 1, width).isZero
        case .signed:
            state.obligations.append((state.active.implies(high == low.ashr(low.constant(UInt64(width - 1)))),
                                      "idiv: rdx:rax is the sign extension of rax"))
            q = low.sdiv(d)
            r = low.srem(d)
            let minimum = low.constant(1 << UInt64(width - 1))
            faults = d.isZero || (low == minimum && d == d.constant(signed: -1))
        }
        state.trap(when: faults, trap)
        state.setFlags(carry: state.fresh("cf"), zero: state.fresh("zf"), sign: state.fresh("sf"),
                       overflow: state.fresh("of"), parity: state.fresh("pf"))
        state.write(quotient, q, size, keeping: lo)
        state.write(remainder, r, size, keeping: hi)
    }

    /// divb/idivb: al = ax / divisor, ah = the remainder. Signed: as `divide`, with the
    /// obligation that ax is the sign extension of al.
    static func byteDivide(_ state: inout MachineState, _ signedness: Signedness, _ dividend: Gpr,
                           _ divisor: GprMem, _ dst: Writable<Gpr>, _ trap: TrapCode) throws {
        let ax = state.read(dividend, .size16)
        let d = try state.operand(divisor, .size8)
        let q: BitVector, r: BitVector, faults: Boolean
        switch signedness {
        case .unsigned:
            let wideQuotient = ax.udiv(d.zeroExtended(to: 16))
            q = wideQuotient.low(8)
            r = ax.urem(d.zeroExtended(to: 16)).low(8)
            faults = d.isZero || !wideQuotient.extract(15, 8).isZero
        case .signed:
            let al = ax.low(8)
            state.obligations.append((state.active.implies(ax == al.signExtended(to: 16)),
                                      "idivb: ax is the sign extension of al"))
            q = al.sdiv(d)
            r = al.srem(d)
            faults = d.isZero || (al == al.constant(0x80) && d == d.constant(0xFF))
        }
        state.trap(when: faults, trap)
        state.setFlags(carry: state.fresh("cf"), zero: state.fresh("zf"), sign: state.fresh("sf"),
                       overflow: state.fresh("of"), parity: state.fresh("pf"))
        state.write(dst, q.below(r), .size16, keeping: dividend)
    }

    /// cbtw (ax = sext al), cwtd/cltd/cqto (rdx = the sign of rax, repeated).
    static func signExtendData(_ state: inout MachineState, _ size: OperandSize, _ src: Gpr, _ dst: Writable<Gpr>) {
        switch size {
        case .size8:
            state.write(dst, state.read(src, .size8).signExtended(to: 16), .size16, keeping: src)
        case .size16, .size32, .size64:
            let value = state.read(src, size)
            state.write(dst, value.ashr(value.constant(UInt64(size.bits - 1))), size)
        }
    }

    /// Shifts and rotates. The count is masked to 5 bits (6 at size 64); a rotate
    /// turns by the masked count modulo the width. A zero count changes no flag;
    /// otherwise shifts set ZF, SF and PF from the result, rotates keep them, and CF and
    /// OF are treated as unspecified (no rule reads them after a shift).
    static func shift(_ state: inout MachineState, _ kind: ShiftOperation, _ size: OperandSize, _ src: Gpr,
                      _ count: ShiftCount, _ dst: Writable<Gpr>) {
        let value = state.read(src, size)
        let mask: UInt64 = size == .size64 ? 63 : 31
        let raw: BitVector
        switch count {
        case .imm(let amount): raw = state.context.bitVector(UInt64(amount), width: 8)
        case .cl(let register): raw = state.read(register, .size8)
        }
        let masked = (raw & raw.constant(mask)).zeroExtended(to: max(size.bits, 8)).low(size.bits)
        let result: BitVector
        switch kind {
        case .shiftLeft: result = value.shl(masked)
        case .shiftRightLogical: result = value.lshr(masked)
        case .shiftRightArithmetic: result = value.ashr(masked)
        case .rotateLeft: result = value.rotateLeft(masked.urem(masked.constant(UInt64(size.bits))))
        case .rotateRight: result = value.rotateRight(masked.urem(masked.constant(UInt64(size.bits))))
        }
        let unchanged = masked.isZero
        let flags = state.resultFlags(result)
        let isRotate = kind == .rotateLeft || kind == .rotateRight
        state.setFlags(carry: unchanged.select(state.carry, state.fresh("cf")),
                       zero: isRotate ? state.zero : unchanged.select(state.zero, flags.zero),
                       sign: isRotate ? state.sign : unchanged.select(state.sign, flags.sign),
                       overflow: unchanged.select(state.overflow, state.fresh("of")),
                       parity: isRotate ? state.parity : unchanged.select(state.parity, flags.parity))
        state.write(dst, result, size, keeping: src)
    }

    /// One-operand operations on a source of `sourceSize` bits (the operand size but
    /// for the extensions), the result at `size`; `keeping`: the register a narrow
    /// result is written into (the tied source of neg, not, bswap).
    ///
    /// neg: CF = source != 0, OF = source is the minimum. not, bswap: flags kept.
    /// bsr/bsf: the index of the highest/lowest set bit, ZF = (source == 0) and then an
    /// unconstrained destination. lzcnt/tzcnt: the count (the width for zero), CF =
    /// (source == 0), ZF = (count == 0). popcnt: the count, ZF = (source == 0), the
    /// other flags clear. Extensions: flags kept.
    static func unary(_ state: inout MachineState, _ op: UnaryOperation, _ size: OperandSize,
                      sourceSize: OperandSize, _ src: GprMem, _ dst: Writable<Gpr>, keeping: Gpr?) throws {
        let value = try state.operand(src, sourceSize)
        let isZero = value.isZero
        switch op {
        case .negate:
            let result = -value
            let flags = state.resultFlags(result)
            state.setFlags(carry: !value.isZero, zero: flags.zero, sign: flags.sign,
                           overflow: value == value.constant(1 << UInt64(size.bits - 1)), parity: flags.parity)
            state.write(dst, result, size, keeping: keeping)
        case .complement:
            state.write(dst, ~value, size, keeping: keeping)
        case .byteSwap:
            state.write(dst, IRSpecs.swapBytes(value), size, keeping: keeping)
        case .bitScanReverse, .bitScanForward:
            let index: BitVector
            if op == .bitScanReverse {
                index = value.constant(UInt64(size.bits - 1)) - IRSpecs.countLeadingZeros(value)
            } else {
                index = IRSpecs.countTrailingZeros(value)
            }
            state.setFlags(carry: state.fresh("cf"), zero: isZero, sign: state.fresh("sf"), overflow: state.fresh("of"),
                           parity: state.fresh("pf"))
            state.write(dst, index, size)
            let written = state.read(dst.reg)
            let undefined = state.context.freshBitVector("bs_undefined", width: 64)
            state.registers[dst.reg.reg.raw] = isZero.select(undefined, written)
        case .countLeadingZeros, .countTrailingZeros:
            let count = op == .countLeadingZeros ? IRSpecs.countLeadingZeros(value)
                                                 : IRSpecs.countTrailingZeros(value)
            state.setFlags(carry: isZero, zero: count.isZero, sign: state.fresh("sf"), overflow: state.fresh("of"),
                           parity: state.fresh("pf"))
            state.write(dst, count, size)
        case .countOnes:
            let clear = state.context.boolean(false)
            state.setFlags(carry: clear, zero: isZero, sign: clear, overflow: clear, parity: clear)
            state.write(dst, IRSpecs.popcount(value), size)
        case .zeroExtend:
            state.write(dst, value.zeroExtended(to: size.bits), size)
        case .signExtend:
            state.write(dst, value.signExtended(to: size.bits), size)
        }
    }
}
