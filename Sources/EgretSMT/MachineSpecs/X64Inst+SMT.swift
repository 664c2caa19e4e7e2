import EgretCodegen
import EgretIR

/// The bit-vector semantics of x86-64 instructions: one exhaustive switch over the
/// shapes of `X64Inst` (no `default:`), each reading its operands and applying the
/// meaning of its form's semantics key (MachineSpecs+Semantics.swift). A new shape is
/// a compile error here; a new form of an existing shape gets the semantics of its
/// key, and a new key is a compile error in `MachineSpecs.meaning(of:)`.
///
/// Modelled (what the tier-1 lowering rules emit): the ALU and compare shapes,
/// multiplies, divides, sign extension of rax, shifts and rotates, neg/not/bswap, bit
/// scans and counts, extensions, setcc, cmov, register/immediate moves, lea, loads
/// and stores, jmp, jcc, ud2, trapIf, and `ret` (its register values).
/// Not modelled: calls and tail calls, indirect jumps, push/pop, symbol addresses, the
/// xmm and float forms, the atomics, float registers in `ret` (the calling-convention
/// tests cover them).
extension X64Inst {
    /// Executes the instruction on `state`. Throws `MachineSpecError.notModelled` for
    /// forms and shapes without semantics.
    public func execute(on state: inout MachineState) throws {
        switch self {
        case .aluRmiR(let form, let size, let src1, let src2, let dst):
            let operation = try MachineSpecs.operation(of: form, in: "ALU", \.arithmetic)
            let a = state.read(src1, size)
            let b = try state.operand(src2, size)
            let result = MachineSpecs.arithmetic(&state, operation, size, a, b)
            state.write(dst, result, size, keeping: src1)
        case .cmpRmiR(let form, let size, let src1, let src2):
            let operation = try MachineSpecs.operation(of: form, in: "compare", \.arithmetic)
            try MachineSpecs.compare(&state, operation, size, src1, src2)
        case .aluRmImmR(let form, let size, let src, let imm, let dst):
            let operation = try MachineSpecs.operation(of: form, in: "ALU with an immediate", \.arithmetic)
            let a = try state.operand(src, size)
            let b = state.liftImmediate32(imm).signExtended(to: 64).low(size.bits)
            state.write(dst, MachineSpecs.arithmetic(&state, operation, size, a, b), size)
        case .mul(let form, let size, let src1, let src2, let dstLo, let dstHi):
            let signedness = try MachineSpecs.operation(of: form, in: "widening multiply", \.multiplyWide)
            try MachineSpecs.wideMultiply(&state, size, signedness, src1, src2, dstLo, dstHi)
        case .mul8(let form, let src1, let src2, let dst):
            let signedness = try MachineSpecs.operation(of: form, in: "byte multiply", \.multiplyWide)
            try MachineSpecs.byteMultiply(&state, signedness, src1, src2, dst)
        case .div(let form, let size, let lo, let hi, let divisor, let quotient, let remainder, let trap):
            let signedness = try MachineSpecs.operation(of: form, in: "divide", \.divide)
            try MachineSpecs.divide(&state, size, signedness, lo, hi, divisor, quotient, remainder, trap)
        case .div8(let form, let dividend, let divisor, let dst, let trap):
            let signedness = try MachineSpecs.operation(of: form, in: "byte divide", \.divide)
            try MachineSpecs.byteDivide(&state, signedness, dividend, divisor, dst, trap)
        case .signExtendData(let form, let src, let dst):
            try MachineSpecs.require(form, means: .signExtendAccumulator, in: "sign extension of rax")
            guard let size = form.row.singleSize else { throw MachineSpecError.notModelled("\(form) without a size") }
            MachineSpecs.signExtendData(&state, size, src, dst)
        case .shiftR(let form, let size, let src, let count, let dst):
            let operation = try MachineSpecs.operation(of: form, in: "shift", \.shift)
            MachineSpecs.shift(&state, operation, size, src, count, dst)
        case .unary(let form, let size, let src, let dst):
            let operation = try MachineSpecs.operation(of: form, in: "unary", \.unary)
            try MachineSpecs.unary(&state, operation, size, sourceSize: form.row.sourceSize ?? size, .reg(src), dst,
                                   keeping: src)
        case .unaryRmR(let form, let size, let src, let dst):
            let operation = try MachineSpecs.operation(of: form, in: "unary", \.unary)
            try MachineSpecs.unary(&state, operation, size, sourceSize: form.row.sourceSize ?? size, src, dst,
                                   keeping: nil)
        case .setcc(let cc, let dst):
            try MachineSpecs.require(.set, means: .setOnCondition, in: "setcc")
            state.write(dst, state.holds(cc).asBit(width: 8), .size8)
        case .cmove(let size, let cc, let consequent, let alternative, let dst):
            try MachineSpecs.require(.cmov, means: .moveOnCondition, in: "cmove")
            let taken = try state.operand(consequent, size)
            let kept = state.read(alternative, size)
            state.write(dst, state.holds(cc).select(taken, kept), size, keeping: alternative)
        case .movRR(let size, let src, let dst):
            try MachineSpecs.require(.mov, means: .move, in: "register move")
            state.write(dst, state.read(src, size), size)
        case .movImm(let size, let imm, let dst):
            try MachineSpecs.require(form ?? .mov, means: .move, in: "constant")
            state.write(dst, state.liftImmediate64(imm).low(size.bits), size)
        case .lea(let size, let address, let dst):
            try MachineSpecs.require(.lea, means: .loadAddress, in: "lea")
            state.write(dst, try state.address(address).low(size.bits), size)
        case .load(let size, let src, let dst):
            try MachineSpecs.require(.mov, means: .move, in: "load")
            state.write(dst, try state.load(src, bytes: size.bytes), size)
        case .store(let size, let src, let dst):
            try MachineSpecs.require(.mov, means: .move, in: "store")
            try state.store(state.read(src, size), bytes: size.bytes, to: dst)
        case .storeImm(let size, let imm, let dst):
            try MachineSpecs.require(.mov, means: .move, in: "immediate store")
            let value = state.liftImmediate32(imm).signExtended(to: 64).low(size.bits)
            try state.store(value, bytes: size.bytes, to: dst)
        case .jmp(let target):
            try MachineSpecs.require(.jmp, means: .jump, in: "jump")
            state.branch(when: state.context.boolean(true), to: target)
        case .jcc(let cc, let target):
            try MachineSpecs.require(.jcc, means: .jumpOnCondition, in: "conditional jump")
            state.branch(when: state.holds(cc), to: target)
        case .ud2(let trap):
            try MachineSpecs.require(.ud2, means: .trap, in: "trap")
            state.trap(when: state.context.boolean(true), trap)
        case .trapIf(let cc, let trap):
            try MachineSpecs.require(.ud2, means: .trap, in: "conditional trap")
            state.trap(when: state.holds(cc), trap)
        case .ret(let returns, _):
            try MachineSpecs.require(.ret, means: .return, in: "return")
            for use in returns {
                guard let gpr = Gpr(use.reg) else { throw MachineSpecError.notModelled("ret of a float register") }
                state.returned.append((use.preg, state.read(gpr)))
            }
            state.branch(when: state.context.boolean(true), to: MachineSpecs.returnLabel)
        case .loadSymbol:
            throw MachineSpecError.notModelled("loadSymbol (a relocated symbol address)")
        case .push, .pop, .callKnown, .callUnknown:
            throw MachineSpecs.unmodelled(form ?? .call, in: "stack or call")
        case .jmpIndirect:
            throw MachineSpecError.notModelled("jmpIndirect (a jump table)")
        case .returnCallKnown, .returnCallUnknown:
            throw MachineSpecError.notModelled("tail calls")
        case .xmmLoad(let form, _, _), .xmmStore(let form, _, _), .gprToXmm(let form, _, _, _),
             .xmmToGpr(let form, _, _, _), .xmmRmR(let form, _, _, _), .xmmUnaryRmR(let form, _, _),
             .xmmUnaryRmRImm(let form, _, _, _), .xmmCompare(let form, _, _), .xmmCompareMask(let form, _, _, _, _),
             .xmmVexTernary(let form, _, _, _, _), .exchange(let form, _, _, _, _), .fence(let form):
            throw MachineSpecs.unmodelled(form, in: "xmm or atomic")
        case .xmmMove:
            throw MachineSpecs.unmodelled(.movaps, in: "xmm move")
        case .xmmCmove:
            throw MachineSpecError.notModelled("xmmCmove (xmm registers, tier 2)")
        case .lockCmpxchg, .lockCmpxchg16b:
            throw MachineSpecs.unmodelled(form ?? .cmpxchg, in: "compare-exchange")
        case .atomicRmwLoop, .atomicRmwLoop128:
            throw MachineSpecError.notModelled("atomic read-modify-write loops (tier 2)")
        }
    }

    /// The forms with semantics (`egret verify --list`).
    public static var modelledForms: [FormID] { FormID.allCases.filter(MachineSpecs.isModelled) }
}
