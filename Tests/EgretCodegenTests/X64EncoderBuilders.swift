import EgretIR
@testable import EgretCodegen

/// Short constructors for the encoder table, with arguments in AT&T order (sources
/// first, destination last) so each row reads like its text. Two-address forms are
/// built already allocated: the destination is the tied source.

func m(_ base: Gpr, _ displacement: Int32 = 0, trap: TrapCode? = nil) -> Amode {
    .base(base, displacement, trap: trap)
}

func m(_ base: Gpr, _ index: Gpr, _ scale: Scale = .one, _ displacement: Int32 = 0) -> Amode {
    .baseIndex(base, index, scale, displacement)
}

func alu(_ op: AluOp, _ size: OperandSize, _ src: GprMemImm, _ dst: Gpr) -> X64Inst {
    .aluRmiR(op: op, size: size, src1: dst, src2: src, dst: Writable(dst))
}

func cmp(_ size: OperandSize, _ src2: GprMemImm, _ src1: Gpr) -> X64Inst {
    .cmpRmiR(op: .cmp, size: size, src1: src1, src2: src2)
}

func test(_ size: OperandSize, _ src2: GprMemImm, _ src1: Gpr) -> X64Inst {
    .cmpRmiR(op: .test, size: size, src1: src1, src2: src2)
}

func imul(_ size: OperandSize, _ src: GprMem, _ dst: Gpr) -> X64Inst {
    .imul(size: size, src1: dst, src2: src, dst: Writable(dst))
}

func imul(_ size: OperandSize, _ imm: Int32, _ src: GprMem, _ dst: Gpr) -> X64Inst {
    .imulImm(size: size, src: src, imm: imm, dst: Writable(dst))
}

func mul(_ size: OperandSize, _ signedness: Signedness, _ src: GprMem) -> X64Inst {
    size == .size8
        ? .mul8(signedness: signedness, src1: .rax, src2: src, dst: Writable(.rax))
        : .mul(size: size, signedness: signedness, src1: .rax, src2: src, dstLo: Writable(.rax),
               dstHi: Writable(.rdx))
}

func div(_ size: OperandSize, _ signedness: Signedness, _ divisor: GprMem,
         trap: TrapCode = .integerDivisionByZero) -> X64Inst {
    size == .size8
        ? .div8(signedness: signedness, dividend: .rax, divisor: divisor, dst: Writable(.rax), trap: trap)
        : .div(size: size, signedness: signedness, dividendLo: .rax, dividendHi: .rdx, divisor: divisor,
               quotient: Writable(.rax), remainder: Writable(.rdx), trap: trap)
}

func signExtendData(_ size: OperandSize) -> X64Inst {
    .signExtendData(size: size, src: .rax, dst: Writable(size == .size8 ? .rax : .rdx))
}

func shift(_ kind: ShiftKind, _ size: OperandSize, _ count: ShiftCount, _ reg: Gpr) -> X64Inst {
    .shiftR(kind: kind, size: size, src: reg, count: count, dst: Writable(reg))
}

func unary(_ op: UnaryOp, _ size: OperandSize, _ reg: Gpr) -> X64Inst {
    .unary(op: op, size: size, src: reg, dst: Writable(reg))
}

func bitCount(_ op: BitCountOp, _ size: OperandSize, _ src: GprMem, _ dst: Gpr) -> X64Inst {
    .bitCount(op: op, size: size, src: src, dst: Writable(dst))
}

func bswap(_ size: OperandSize, _ reg: Gpr) -> X64Inst {
    .bswap(size: size, src: reg, dst: Writable(reg))
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
    .movzx(ext: ext, src: src, dst: Writable(dst))
}

func movsx(_ ext: ExtMode, _ src: GprMem, _ dst: Gpr) -> X64Inst {
    .movsx(ext: ext, src: src, dst: Writable(dst))
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
