/// The register operands of each x86-64 form, as the register allocator sees them.
///
/// One walk, `visitOperands`, reports every register of an instruction in a fixed
/// order and lets the visitor rewrite it; collecting operands (`collectOperands`) and
/// applying an allocation (`withAllocations`) are two visitors of that one walk, so
/// they cannot disagree about order.
///
/// Conventions (see Machine/Operands.swift for the vocabulary):
/// - A two-address form reports its tied source first (operand 0) and then its
///   destination as `reuse(0)`; other sources follow.
/// - Registers inside a memory operand (base, index) are uses.
/// - Implicit registers are fixed: rax/rdx for mul/div/cqo, rcx for shift counts,
///   the ABI's registers for call arguments/results and return values.
extension X64Inst {
    /// Reports every register operand, in order, and stores back what the visitor
    /// leaves in each.
    public mutating func visitOperands<V: OperandVisitor>(_ visitor: inout V) {
        switch self {
        case .aluRmiR(let form, let size, var src1, var src2, var dst):
            visitor.use(&src1)
            visitor.reuseDef(&dst, reusing: 0)
            visitor.use(&src2)
            self = .aluRmiR(form, size: size, src1: src1, src2: src2, dst: dst)
        case .cmpRmiR(let form, let size, var src1, var src2):
            visitor.use(&src1)
            visitor.use(&src2)
            self = .cmpRmiR(form, size: size, src1: src1, src2: src2)
        case .aluRmImmR(let form, let size, var src, let imm, var dst):
            visitor.use(&src)
            visitor.def(&dst)
            self = .aluRmImmR(form, size: size, src: src, imm: imm, dst: dst)
        case .mul(let form, let size, var src1, var src2, var dstLo, var dstHi):
            visitor.fixedUse(&src1, .rax)
            visitor.use(&src2)
            visitor.fixedDef(&dstLo, .rax)
            visitor.fixedDef(&dstHi, .rdx)
            self = .mul(form, size: size, src1: src1, src2: src2, dstLo: dstLo, dstHi: dstHi)
        case .mul8(let form, var src1, var src2, var dst):
            visitor.fixedUse(&src1, .rax)
            visitor.use(&src2)
            visitor.fixedDef(&dst, .rax)
            self = .mul8(form, src1: src1, src2: src2, dst: dst)
        case .div(let form, let size, var dividendLo, var dividendHi, var divisor, var quotient, var remainder,
                  let trap):
            visitor.fixedUse(&dividendLo, .rax)
            visitor.fixedUse(&dividendHi, .rdx)
            visitor.use(&divisor)
            visitor.fixedDef(&quotient, .rax)
            visitor.fixedDef(&remainder, .rdx)
            self = .div(form, size: size, dividendLo: dividendLo, dividendHi: dividendHi, divisor: divisor,
                        quotient: quotient, remainder: remainder, trap: trap)
        case .div8(let form, var dividend, var divisor, var dst, let trap):
            visitor.fixedUse(&dividend, .rax)
            visitor.use(&divisor)
            visitor.fixedDef(&dst, .rax)
            self = .div8(form, dividend: dividend, divisor: divisor, dst: dst, trap: trap)
        case .signExtendData(let form, var src, var dst):
            visitor.fixedUse(&src, .rax)
            visitor.fixedDef(&dst, X64Inst.signExtendDataDestination(form))
            self = .signExtendData(form, src: src, dst: dst)
        case .shiftR(let form, let size, var src, var count, var dst):
            visitor.use(&src)
            visitor.reuseDef(&dst, reusing: 0)
            if case .cl(var countReg) = count {
                visitor.fixedUse(&countReg, .rcx)
                count = .cl(countReg)
            }
            self = .shiftR(form, size: size, src: src, count: count, dst: dst)
        case .unary(let form, let size, var src, var dst):
            visitor.use(&src)
            visitor.reuseDef(&dst, reusing: 0)
            self = .unary(form, size: size, src: src, dst: dst)
        case .unaryRmR(let form, let size, var src, var dst):
            visitor.use(&src)
            visitor.def(&dst)
            self = .unaryRmR(form, size: size, src: src, dst: dst)
        case .setcc(let cc, var dst):
            visitor.def(&dst)
            self = .setcc(cc: cc, dst: dst)
        case .cmove(let size, let cc, var consequent, var alternative, var dst):
            visitor.use(&alternative)
            visitor.reuseDef(&dst, reusing: 0)
            visitor.use(&consequent)
            self = .cmove(size: size, cc: cc, consequent: consequent, alternative: alternative, dst: dst)
        case .movRR(let size, var src, var dst):
            visitor.use(&src)
            visitor.def(&dst)
            self = .movRR(size: size, src: src, dst: dst)
        case .movImm(let size, let imm, var dst):
            visitor.def(&dst)
            self = .movImm(size: size, imm: imm, dst: dst)
        case .lea(let size, var address, var dst):
            visitor.use(&address)
            visitor.def(&dst)
            self = .lea(size: size, address: address, dst: dst)
        case .load(let size, var src, var dst):
            visitor.use(&src)
            visitor.def(&dst)
            self = .load(size: size, src: src, dst: dst)
        case .store(let size, var src, var dst):
            visitor.use(&src)
            visitor.use(&dst)
            self = .store(size: size, src: src, dst: dst)
        case .storeImm(let size, let imm, var dst):
            visitor.use(&dst)
            self = .storeImm(size: size, imm: imm, dst: dst)
        case .loadSymbol(let name, var dst, let throughGOT):
            visitor.def(&dst)
            self = .loadSymbol(name: name, dst: dst, throughGOT: throughGOT)
        case .push(var src):
            visitor.use(&src)
            self = .push(src: src)
        case .pop(var dst):
            visitor.def(&dst)
            self = .pop(dst: dst)
        case .callKnown(let name, var info):
            visitor.visit(&info)
            self = .callKnown(name: name, info: info)
        case .callUnknown(var target, var info):
            visitor.use(&target)
            visitor.visit(&info)
            self = .callUnknown(target: target, info: info)
        case .ret(var returns, let popBytes):
            for index in returns.indices { visitor.fixedUse(&returns[index]) }
            self = .ret(returns: returns, popBytes: popBytes)
        case .returnCallKnown(let name, var info):
            for index in info.uses.indices { visitor.fixedUse(&info.uses[index]) }
            self = .returnCallKnown(name: name, info: info)
        case .returnCallUnknown(var target, var info):
            visitor.fixedUse(&target, .r11)
            for index in info.uses.indices { visitor.fixedUse(&info.uses[index]) }
            self = .returnCallUnknown(target: target, info: info)
        case .jmpIndirect(var target):
            visitor.use(&target)
            self = .jmpIndirect(target: target)
        case .jmp, .jcc, .ud2, .trapIf:
            break
        case .xmmLoad(let form, var src, var dst):
            visitor.use(&src)
            visitor.def(&dst)
            self = .xmmLoad(form, src: src, dst: dst)
        case .xmmStore(let form, var src, var dst):
            visitor.use(&src)
            visitor.use(&dst)
            self = .xmmStore(form, src: src, dst: dst)
        case .xmmMove(var src, var dst):
            visitor.use(&src)
            visitor.def(&dst)
            self = .xmmMove(src: src, dst: dst)
        case .gprToXmm(let form, let size, var src, var dst):
            visitor.use(&src)
            visitor.def(&dst)
            self = .gprToXmm(form, size: size, src: src, dst: dst)
        case .xmmToGpr(let form, let size, var src, var dst):
            visitor.use(&src)
            visitor.def(&dst)
            self = .xmmToGpr(form, size: size, src: src, dst: dst)
        case .xmmRmR(let form, var src1, var src2, var dst):
            visitor.use(&src1)
            visitor.reuseDef(&dst, reusing: 0)
            visitor.use(&src2)
            self = .xmmRmR(form, src1: src1, src2: src2, dst: dst)
        case .xmmUnaryRmR(let form, var src, var dst):
            visitor.use(&src)
            visitor.def(&dst)
            self = .xmmUnaryRmR(form, src: src, dst: dst)
        case .xmmUnaryRmRImm(let form, let imm, var src, var dst):
            visitor.use(&src)
            visitor.def(&dst)
            self = .xmmUnaryRmRImm(form, imm: imm, src: src, dst: dst)
        case .xmmCompare(let form, var src1, var src2):
            visitor.use(&src1)
            visitor.use(&src2)
            self = .xmmCompare(form, src1: src1, src2: src2)
        case .xmmCompareMask(let form, let predicate, var src1, var src2, var dst):
            visitor.use(&src1)
            visitor.reuseDef(&dst, reusing: 0)
            visitor.use(&src2)
            self = .xmmCompareMask(form, predicate: predicate, src1: src1, src2: src2, dst: dst)
        case .xmmVexTernary(let form, var src1, var src2, var src3, var dst):
            visitor.use(&src1)
            visitor.reuseDef(&dst, reusing: 0)
            visitor.use(&src2)
            visitor.use(&src3)
            self = .xmmVexTernary(form, src1: src1, src2: src2, src3: src3, dst: dst)
        case .xmmCmove(let cc, var consequent, var alternative, var dst):
            visitor.use(&alternative)
            visitor.reuseDef(&dst, reusing: 0)
            visitor.use(&consequent)
            self = .xmmCmove(cc: cc, consequent: consequent, alternative: alternative, dst: dst)
        case .lockCmpxchg(let size, var replacement, var expected, var mem, var dstOld):
            visitor.use(&replacement)
            visitor.fixedUse(&expected, .rax)
            visitor.use(&mem)
            visitor.fixedDef(&dstOld, .rax)
            self = .lockCmpxchg(size: size, replacement: replacement, expected: expected, mem: mem, dstOld: dstOld)
        case .exchange(let form, let size, var operand, var mem, var dst):
            visitor.use(&operand)
            visitor.reuseDef(&dst, reusing: 0)
            visitor.use(&mem)
            self = .exchange(form, size: size, operand: operand, mem: mem, dst: dst)
        case .fence:
            break
        case .atomicRmwLoop(let op, let size, let byteSwapped, var operand, var mem, var temp, var dstOld):
            // The loop reads operand and the address on every iteration, after writing
            // temp and rax: both are early defs, so neither shares a use's register.
            visitor.use(&operand)
            visitor.use(&mem)
            visitor.earlyDef(&temp)
            visitor.fixedEarlyDef(&dstOld, .rax)
            self = .atomicRmwLoop(op: op, size: size, byteSwapped: byteSwapped, operand: operand, mem: mem,
                                  temp: temp, dstOld: dstOld)
        case .lockCmpxchg16b(var replacement, var expected, var mem, var dstOld):
            visitor.fixedUse(&replacement.low, .rbx)
            visitor.fixedUse(&replacement.high, .rcx)
            visitor.fixedUse(&expected.low, .rax)
            visitor.fixedUse(&expected.high, .rdx)
            visitor.use(&mem)
            visitor.fixedDef(&dstOld.low, .rax)
            visitor.fixedDef(&dstOld.high, .rdx)
            self = .lockCmpxchg16b(replacement: replacement, expected: expected, mem: mem, dstOld: dstOld)
        case .atomicRmwLoop128(let op, let byteSwapped, var operand, var mem, var scratch, var temp, var dstOld):
            visitor.use(&operand.low)
            visitor.use(&operand.high)
            visitor.use(&mem)
            visitor.earlyDef(&scratch)
            visitor.fixedEarlyDef(&temp.low, .rbx)
            visitor.fixedEarlyDef(&temp.high, .rcx)
            visitor.fixedEarlyDef(&dstOld.low, .rax)
            visitor.fixedEarlyDef(&dstOld.high, .rdx)
            self = .atomicRmwLoop128(op: op, byteSwapped: byteSwapped, operand: operand, mem: mem, scratch: scratch,
                                     temp: temp, dstOld: dstOld)
        }
    }

    /// Reports the instruction's operands and clobbers to `collector`.
    public func collectOperands(_ collector: inout OperandCollector) {
        var copy = self
        copy.visitOperands(&collector)
    }

    /// The instruction with operand `i` (in `collectOperands` order) replaced by
    /// `allocations[i]`. Requires one allocation per operand, each satisfying the
    /// operand's constraint.
    public func withAllocations(_ allocations: [PReg]) -> X64Inst {
        var copy = self
        var applier = AllocationApplier(allocations)
        copy.visitOperands(&applier)
        precondition(applier.next == allocations.count, "more allocations than operands")
        return copy
    }

    /// The instruction with every register passed through `transform`.
    public func mapRegisters(_ transform: @escaping (Reg) -> Reg) -> X64Inst {
        var copy = self
        var mapper = RegisterMapper(transform)
        copy.visitOperands(&mapper)
        return copy
    }

    /// `(source, destination)` if the instruction is a plain register-to-register
    /// move the allocator may coalesce (64-bit only: a 32-bit move zero-extends).
    public var registerMove: (src: Reg, dst: Writable<Reg>)? {
        if case .xmmMove(let src, let dst) = self { return (src.reg, Writable(dst.reg.reg)) }
        guard case .movRR(.size64, let src, let dst) = self else { return nil }
        return (src.reg, Writable(dst.reg.reg))
    }

    /// Where cbtw/cwtd/cltd/cqto write: ax for cbtw (the row at size 8), rdx for the
    /// others.
    static func signExtendDataDestination(_ form: FormID) -> PReg {
        form.sizes.single == .size8 ? .rax : .rdx
    }
}

extension OperandVisitor {
    /// The base and index registers of an address are uses.
    @inlinable public mutating func use(_ amode: inout Amode) {
        switch amode.address {
        case .base(var base, let displacement):
            use(&base)
            amode.address = .base(base, displacement: displacement)
        case .baseIndex(var base, var index, let scale, let displacement):
            use(&base)
            use(&index)
            amode.address = .baseIndex(base, index: index, scale: scale, displacement: displacement)
        case .ripRelative, .frame:
            break
        }
    }

    @inlinable public mutating func use(_ operand: inout GprMem) {
        switch operand {
        case .reg(var gpr):
            use(&gpr)
            operand = .reg(gpr)
        case .mem(var amode):
            use(&amode)
            operand = .mem(amode)
        }
    }

    @inlinable public mutating func use(_ operand: inout GprMemImm) {
        switch operand {
        case .reg(var gpr):
            use(&gpr)
            operand = .reg(gpr)
        case .mem(var amode):
            use(&amode)
            operand = .mem(amode)
        case .imm:
            break
        }
    }

    /// An xmm register read anywhere in the float class.
    @inlinable public mutating func use(_ xmm: inout Xmm) {
        visitXmm(&xmm, .use, .any, .early)
    }

    /// An xmm register written anywhere in the float class.
    @inlinable public mutating func def(_ xmm: inout Writable<Xmm>) {
        var inner = xmm.reg
        visitXmm(&inner, .def, .any, .late)
        xmm = Writable(inner)
    }

    /// An xmm def that must land in the register of use operand `index`.
    @inlinable public mutating func reuseDef(_ xmm: inout Writable<Xmm>, reusing index: Int) {
        var inner = xmm.reg
        visitXmm(&inner, .def, .reuse(index), .late)
        xmm = Writable(inner)
    }

    @inlinable public mutating func use(_ operand: inout XmmMem) {
        switch operand {
        case .reg(var xmm):
            use(&xmm)
            operand = .reg(xmm)
        case .mem(var amode):
            use(&amode)
            operand = .mem(amode)
        }
    }

    @inlinable public mutating func visitXmm(_ xmm: inout Xmm, _ kind: OperandKind,
                                             _ constraint: OperandConstraint, _ position: OperandPosition) {
        var reg = xmm.reg
        visit(&reg, kind, constraint, position)
        guard let rewritten = Xmm(reg) else {
            preconditionFailure("operand visitor replaced xmm register \(xmm) by \(reg) of another class")
        }
        xmm = rewritten
    }

    /// A call's arguments (fixed uses), results (fixed defs) and clobbers.
    @inlinable public mutating func visit(_ info: inout CallInfo) {
        for index in info.uses.indices { fixedUse(&info.uses[index]) }
        for index in info.defs.indices { fixedDef(&info.defs[index]) }
        clobbers(info.clobbers)
    }
}
