import EgretCodegen
import EgretIR

/// The bit-vector semantics of x86-64 instruction forms: one exhaustive switch over
/// `X64Inst` (no `default:`), so a new form is a compile error here until it is
/// either given semantics or listed as not modelled.
///
/// Modelled (the forms the lowering rules emit): ALU, compare/test, multiplies,
/// divides, sign extension of rax, shifts and rotates, neg/not, bit scans and
/// counts, bswap, setcc, cmov, register/immediate moves, zero/sign extensions, lea,
/// loads and stores, jmp, jcc, ud2, trapIf, and `ret` (its register values).
/// Not modelled: calls and tail calls, indirect jumps, push/pop, symbol addresses, the
/// float and xmm forms,
/// float registers in `ret` (the calling-convention tests cover them).
extension X64Inst {
    /// Executes the instruction on `state`. Throws `MachineSpecError.notModelled` for
    /// forms without semantics.
    public func execute(on state: inout MachineState) throws {
        switch self {
        case .aluRmiR(let op, let size, let src1, let src2, let dst):
            try MachineSpecs.alu(&state, op, size, src1, src2, dst)
        case .cmpRmiR(let op, let size, let src1, let src2):
            try MachineSpecs.compare(&state, op, size, src1, src2)
        case .imul(let size, let src1, let src2, let dst):
            let a = state.read(src1, size)
            let b = try state.operand(src2, size)
            MachineSpecs.truncatedMultiply(&state, size, a, b, dst, keeping: src1)
        case .imulImm(let size, let src, let imm, let dst):
            let a = try state.operand(src, size)
            let b = state.liftImmediate32(imm).signExtended(to: 64).low(size.bits)
            MachineSpecs.truncatedMultiply(&state, size, a, b, dst, keeping: nil)
        case .mul(let size, let signedness, let src1, let src2, let dstLo, let dstHi):
            try MachineSpecs.wideMultiply(&state, size, signedness, src1, src2, dstLo, dstHi)
        case .mul8(let signedness, let src1, let src2, let dst):
            try MachineSpecs.byteMultiply(&state, signedness, src1, src2, dst)
        case .div(let size, let signedness, let lo, let hi, let divisor, let quotient, let remainder, let trap):
            try MachineSpecs.divide(&state, size, signedness, lo, hi, divisor, quotient, remainder, trap)
        case .div8(let signedness, let dividend, let divisor, let dst, let trap):
            try MachineSpecs.byteDivide(&state, signedness, dividend, divisor, dst, trap)
        case .signExtendData(let size, let src, let dst):
            MachineSpecs.signExtendData(&state, size, src, dst)
        case .shiftR(let kind, let size, let src, let count, let dst):
            MachineSpecs.shift(&state, kind, size, src, count, dst)
        case .unary(let op, let size, let src, let dst):
            MachineSpecs.unary(&state, op, size, src, dst)
        case .bitCount(let op, let size, let src, let dst):
            try MachineSpecs.bitCount(&state, op, size, src, dst)
        case .bswap(let size, let src, let dst):
            let value = state.read(src, size)
            state.write(dst, IRSpecs.swapBytes(value), size, keeping: src)
        case .setcc(let cc, let dst):
            state.write(dst, state.holds(cc).asBit(width: 8), .size8)
        case .cmove(let size, let cc, let consequent, let alternative, let dst):
            let taken = try state.operand(consequent, size)
            let kept = state.read(alternative, size)
            state.write(dst, state.holds(cc).select(taken, kept), size, keeping: alternative)
        case .movRR(let size, let src, let dst):
            state.write(dst, state.read(src, size), size)
        case .movImm(let size, let imm, let dst):
            state.write(dst, state.liftImmediate64(imm).low(size.bits), size)
        case .movzx(let ext, let src, let dst):
            let value = try state.operand(src, ext.from)
            state.write(dst, value.zeroExtended(to: ext.to.bits), ext.to)
        case .movsx(let ext, let src, let dst):
            let value = try state.operand(src, ext.from)
            state.write(dst, value.signExtended(to: ext.to.bits), ext.to)
        case .lea(let size, let address, let dst):
            state.write(dst, try state.address(address).low(size.bits), size)
        case .load(let size, let src, let dst):
            state.write(dst, try state.load(src, bytes: size.bytes), size)
        case .store(let size, let src, let dst):
            try state.store(state.read(src, size), bytes: size.bytes, to: dst)
        case .storeImm(let size, let imm, let dst):
            let value = state.liftImmediate32(imm).signExtended(to: 64).low(size.bits)
            try state.store(value, bytes: size.bytes, to: dst)
        case .jmp(let target):
            state.branch(when: state.context.boolean(true), to: target)
        case .jcc(let cc, let target):
            state.branch(when: state.holds(cc), to: target)
        case .ud2(let trap):
            state.trap(when: state.context.boolean(true), trap)
        case .trapIf(let cc, let trap):
            state.trap(when: state.holds(cc), trap)
        case .ret(let returns, _):
            for use in returns {
                guard let gpr = Gpr(use.reg) else { throw MachineSpecError.notModelled("ret of a float register") }
                state.returned.append((use.preg, state.read(gpr)))
            }
            state.branch(when: state.context.boolean(true), to: MachineSpecs.returnLabel)
        case .loadSymbol:
            throw MachineSpecError.notModelled("loadSymbol")
        case .push:
            throw MachineSpecError.notModelled("push")
        case .pop:
            throw MachineSpecError.notModelled("pop")
        case .callKnown:
            throw MachineSpecError.notModelled("callKnown")
        case .callUnknown:
            throw MachineSpecError.notModelled("callUnknown")
        case .jmpIndirect:
            throw MachineSpecError.notModelled("jmpIndirect")
        case .returnCallKnown:
            throw MachineSpecError.notModelled("returnCallKnown")
        case .returnCallUnknown:
            throw MachineSpecError.notModelled("returnCallUnknown")
        // Float and vector-register forms (tier 2): not modelled yet.
        case .xmmLoad:
            throw MachineSpecError.notModelled("xmmLoad")
        case .xmmStore:
            throw MachineSpecError.notModelled("xmmStore")
        case .xmmMove:
            throw MachineSpecError.notModelled("xmmMove")
        case .gprToXmm:
            throw MachineSpecError.notModelled("gprToXmm")
        case .xmmToGpr:
            throw MachineSpecError.notModelled("xmmToGpr")
        case .xmmArith:
            throw MachineSpecError.notModelled("xmmArith")
        case .xmmSqrt:
            throw MachineSpecError.notModelled("xmmSqrt")
        case .xmmLogic:
            throw MachineSpecError.notModelled("xmmLogic")
        case .xmmCompare:
            throw MachineSpecError.notModelled("xmmCompare")
        case .xmmCompareMask:
            throw MachineSpecError.notModelled("xmmCompareMask")
        case .intToFloat:
            throw MachineSpecError.notModelled("intToFloat")
        case .floatToInt:
            throw MachineSpecError.notModelled("floatToInt")
        case .floatConvert:
            throw MachineSpecError.notModelled("floatConvert")
        case .xmmRound:
            throw MachineSpecError.notModelled("xmmRound")
        case .fma:
            throw MachineSpecError.notModelled("fma")
        case .xmmCmove:
            throw MachineSpecError.notModelled("xmmCmove")
        // Atomic forms (tier 2): not modelled yet.
        case .lockCmpxchg:
            throw MachineSpecError.notModelled("lockCmpxchg")
        case .xchg:
            throw MachineSpecError.notModelled("xchg")
        case .lockXadd:
            throw MachineSpecError.notModelled("lockXadd")
        case .mfence:
            throw MachineSpecError.notModelled("mfence")
        case .atomicRmwLoop:
            throw MachineSpecError.notModelled("atomicRmwLoop")
        case .lockCmpxchg16b:
            throw MachineSpecError.notModelled("lockCmpxchg16b")
        case .atomicRmwLoop128:
            throw MachineSpecError.notModelled("atomicRmwLoop128")
        }
    }

    /// The forms `execute` gives semantics to (for `egret verify --list`).
    public static var modelledForms: Set<Form> {
        [.aluRmiR, .cmpRmiR, .imul, .imulImm, .mul, .mul8, .div, .div8, .signExtendData, .shiftR, .unary,
         .bitCount, .bswap, .setcc, .cmove, .movRR, .movImm, .movzx, .movsx, .lea, .load, .store, .storeImm,
         .jmp, .jcc, .ud2, .trapIf, .ret]
    }
}
