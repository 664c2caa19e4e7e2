import EgretIR
@testable import EgretCodegen

/// Short constructors for the encoder table, with arguments in AT&T order (sources
/// first, destination last) so each row reads like its text: the form (a `FormID`)
/// first where the shape carries one. Two-address forms are built already
/// allocated: the destination is the tied source.

func m(_ base: Gpr, _ displacement: Int32 = 0, trap: TrapCode? = nil) -> Amode {
    .base(base, displacement, trap: trap)
}

func m(_ base: Gpr, _ index: Gpr, _ scale: Scale = .one, _ displacement: Int32 = 0) -> Amode {
    .baseIndex(base, index, scale, displacement)
}

func alu(_ form: FormID, _ size: OperandSize, _ src: GprMemImm, _ dst: Gpr) -> X64Inst {
    .aluRmiR(form, size: size, src1: dst, src2: src, dst: Writable(dst))
}

func cmp(_ size: OperandSize, _ src2: GprMemImm, _ src1: Gpr) -> X64Inst {
    .cmpRmiR(.cmp, size: size, src1: src1, src2: src2)
}

func test(_ size: OperandSize, _ src2: GprMemImm, _ src1: Gpr) -> X64Inst {
    .cmpRmiR(.test, size: size, src1: src1, src2: src2)
}

func imul(_ size: OperandSize, _ src: GprMem, _ dst: Gpr) -> X64Inst {
    let source: GprMemImm
    switch src {
    case .reg(let gpr): source = .reg(gpr)
    case .mem(let amode): source = .mem(amode)
    }
    return .aluRmiR(.imul, size: size, src1: dst, src2: source, dst: Writable(dst))
}

func imul(_ size: OperandSize, _ imm: Int32, _ src: GprMem, _ dst: Gpr) -> X64Inst {
    .aluRmImmR(.imulImm, size: size, src: src, imm: imm, dst: Writable(dst))
}

func mul(_ size: OperandSize, _ signedness: Signedness, _ src: GprMem) -> X64Inst {
    size == .size8
        ? .mul8(.multiplyWide(signedness), src1: .rax, src2: src, dst: Writable(.rax))
        : .mul(.multiplyWide(signedness), size: size, src1: .rax, src2: src, dstLo: Writable(.rax),
               dstHi: Writable(.rdx))
}

func div(_ size: OperandSize, _ signedness: Signedness, _ divisor: GprMem,
         trap: TrapCode = .integerDivisionByZero) -> X64Inst {
    size == .size8
        ? .div8(.divide(signedness), dividend: .rax, divisor: divisor, dst: Writable(.rax), trap: trap)
        : .div(.divide(signedness), size: size, dividendLo: .rax, dividendHi: .rdx, divisor: divisor,
               quotient: Writable(.rax), remainder: Writable(.rdx), trap: trap)
}

func signExtendData(_ size: OperandSize) -> X64Inst {
    .signExtendData(.signExtendAccumulator(size), src: .rax, dst: Writable(size == .size8 ? .rax : .rdx))
}

func shift(_ form: FormID, _ size: OperandSize, _ count: ShiftCount, _ reg: Gpr) -> X64Inst {
    .shiftR(form, size: size, src: reg, count: count, dst: Writable(reg))
}

func unary(_ form: FormID, _ size: OperandSize, _ reg: Gpr) -> X64Inst {
    .unary(form, size: size, src: reg, dst: Writable(reg))
}

func bitCount(_ form: FormID, _ size: OperandSize, _ src: GprMem, _ dst: Gpr) -> X64Inst {
    .unaryRmR(form, size: size, src: src, dst: Writable(dst))
}

func bswap(_ size: OperandSize, _ reg: Gpr) -> X64Inst {
    .unary(.bswap, size: size, src: reg, dst: Writable(reg))
}

func setcc(_ cc: CC, _ dst: Gpr) -> X64Inst {
    .setcc(cc: cc, dst: Writable(dst))
}

func cmove(_ size: OperandSize, _ cc: CC, _ src: GprMem, _ dst: Gpr) -> X64Inst {
    .cmove(size: size, cc: cc, consequent: src, alternative: dst, dst: Writable(dst))
}

func mov(_ size: OperandSize, _ src: Gpr, _ dst: Gpr) -> X64Inst {
    .movRR(size: size, src: src, dst: Writable(dst))
}

func movImm(_ size: OperandSize, _ imm: Int64, _ dst: Gpr) -> X64Inst {
    .movImm(size: size, imm: UInt64(bitPattern: imm), dst: Writable(dst))
}

func movzx(_ ext: ExtMode, _ src: GprMem, _ dst: Gpr) -> X64Inst {
    .movzx(ext, src: src, dst: Writable(dst))
}

func movsx(_ ext: ExtMode, _ src: GprMem, _ dst: Gpr) -> X64Inst {
    .movsx(ext, src: src, dst: Writable(dst))
}

func lea(_ size: OperandSize, _ address: Amode, _ dst: Gpr) -> X64Inst {
    .lea(size: size, address: address, dst: Writable(dst))
}

func load(_ size: OperandSize, _ src: Amode, _ dst: Gpr) -> X64Inst {
    .load(size: size, src: src, dst: Writable(dst))
}

func store(_ size: OperandSize, _ src: Gpr, _ dst: Amode) -> X64Inst {
    .store(size: size, src: src, dst: dst)
}

func store(_ size: OperandSize, _ imm: Int32, _ dst: Amode) -> X64Inst {
    .storeImm(size: size, imm: imm, dst: dst)
}

func label(_ index: UInt32) -> MachLabel { MachLabel(index) }

/// An ExternalName written as a test-case name (`%foo` in CLIF, `foo` in assembly).
func symbol(_ name: String) -> ExternalName { .testCase(name) }
