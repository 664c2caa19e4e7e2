import Testing
import EgretIR
@testable import EgretCodegen

/// What the register allocator sees of x86-64 instructions: fixed registers of
/// mul/div/cqo/shifts, reuse constraints of two-address forms, call clobbers, and
/// rewriting virtual registers to the allocation (then encoding the result).
struct X64OperandsTests {
    private func v(_ index: UInt32) -> Gpr { Gpr(virtual: index) }

    private func operands(_ inst: X64Inst) -> OperandCollector {
        var collector = OperandCollector()
        inst.collectOperands(&collector)
        return collector
    }

    private func use(_ reg: Gpr, _ constraint: OperandConstraint = .any) -> Operand {
        Operand(reg: reg.reg, kind: .use, constraint: constraint, position: .early)
    }

    private func def(_ reg: Gpr, _ constraint: OperandConstraint = .any) -> Operand {
        Operand(reg: reg.reg, kind: .def, constraint: constraint, position: .late)
    }

    @Test func divisionReadsAndWritesRaxAndRdx() {
        let wide = X64Inst.div(.divSigned, size: .size64, dividendLo: v(1), dividendHi: v(2),
                               divisor: .reg(v(3)), quotient: Writable(v(4)), remainder: Writable(v(5)),
                               trap: .integerDivisionByZero)
        #expect(operands(wide).operands == [use(v(1), .fixed(.rax)), use(v(2), .fixed(.rdx)), use(v(3)),
                                            def(v(4), .fixed(.rax)), def(v(5), .fixed(.rdx))])
        let narrow = X64Inst.div8(.divUnsigned, dividend: v(1), divisor: .mem(m(v(2), v(3))),
                                  dst: Writable(v(4)), trap: .integerDivisionByZero)
        #expect(operands(narrow).operands == [use(v(1), .fixed(.rax)), use(v(2)), use(v(3)),
                                              def(v(4), .fixed(.rax))])
        #expect(operands(narrow).clobbers.isEmpty)
    }

    @Test func multiplyHighHalvesUseRaxAndRdx() {
        let wide = X64Inst.mul(.mulUnsigned, size: .size32, src1: v(1), src2: .reg(v(2)),
                               dstLo: Writable(v(3)), dstHi: Writable(v(4)))
        #expect(operands(wide).operands == [use(v(1), .fixed(.rax)), use(v(2)), def(v(3), .fixed(.rax)),
                                            def(v(4), .fixed(.rdx))])
        let narrow = X64Inst.mul8(.mulSigned, src1: v(1), src2: .reg(v(2)), dst: Writable(v(3)))
        #expect(operands(narrow).operands == [use(v(1), .fixed(.rax)), use(v(2)), def(v(3), .fixed(.rax))])
    }

    @Test func signExtendDataWritesRdxOrAx() {
        for size in OperandSize.allCases {
            let inst = X64Inst.signExtendData(.signExtendAccumulator(size), src: v(1), dst: Writable(v(2)))
            let destination: PReg = size == .size8 ? .rax : .rdx
            #expect(operands(inst).operands == [use(v(1), .fixed(.rax)), def(v(2), .fixed(destination))])
        }
    }

    @Test func shiftCountInClIsFixedToRcx() {
        let byCl = X64Inst.shiftR(.sar, size: .size32, src: v(1), count: .cl(v(2)), dst: Writable(v(3)))
        #expect(operands(byCl).operands == [use(v(1)), def(v(3), .reuse(0)), use(v(2), .fixed(.rcx))])
        let byImm = X64Inst.shiftR(.shl, size: .size64, src: v(1), count: .imm(3), dst: Writable(v(3)))
        #expect(operands(byImm).operands == [use(v(1)), def(v(3), .reuse(0))])
        #expect(byCl.description == "sarl %v2, %v1, %v3")
        let byOne = X64Inst.shiftR(.shl, size: .size64, src: v(1), count: .imm(1), dst: Writable(v(3)))
        #expect(byOne.description == "shlq $1, %v1, %v3")
        #expect(shift(.shl, .size64, .imm(1), .r9).description == "shlq %r9")
    }

    @Test func twoAddressFormsReuseTheirFirstSource() {
        let add = X64Inst.aluRmiR(.add, size: .size64, src1: v(1), src2: .mem(m(v(2), v(3), .eight, 8)),
                                  dst: Writable(v(4)))
        #expect(operands(add).operands == [use(v(1)), def(v(4), .reuse(0)), use(v(2)), use(v(3))])
        let select = X64Inst.cmove(size: .size32, cc: .l, consequent: .reg(v(1)), alternative: v(2),
                                   dst: Writable(v(3)))
        #expect(operands(select).operands == [use(v(2)), def(v(3), .reuse(0)), use(v(1))])
        let threeAddress = X64Inst.aluRmImmR(.imulImm, size: .size32, src: .reg(v(1)), imm: 9, dst: Writable(v(2)))
        #expect(operands(threeAddress).operands == [use(v(1)), def(v(2))])
    }

    @Test func callsReportArgumentsResultsAndClobbers() {
        let clobbers = PRegSet([PReg.rax, .rcx, .rdx, .rsi, .rdi, .r8, .r9, .r10, .r11, .xmm0])
        let info = CallInfo(uses: [FixedUse(v(1).reg, in: .rdi), FixedUse(Xmm(virtual: 2).reg, in: .xmm0)],
                            defs: [FixedDef(Writable(v(3).reg), in: .rax)], clobbers: clobbers)
        let call = X64Inst.callUnknown(target: .reg(v(4)), info: info)
        let collected = operands(call)
        #expect(collected.operands == [
            use(v(4)),
            use(v(1), .fixed(.rdi)),
            Operand(reg: Xmm(virtual: 2).reg, kind: .use, constraint: .fixed(.xmm0), position: .early),
            def(v(3), .fixed(.rax)),
        ])
        #expect(collected.clobbers == clobbers)
        #expect(operands(.ret(returns: [FixedUse(v(5).reg, in: .rax)])).operands == [use(v(5), .fixed(.rax))])
        #expect(operands(.jmp(target: label(1))).operands.isEmpty)
    }

    @Test func allocationRewritesEveryOperandInOrder() {
        let inst = X64Inst.aluRmiR(.sub, size: .size32, src1: v(1), src2: .mem(m(v(2), v(3), .four, -8)),
                                   dst: Writable(v(4)))
        #expect(inst.description == "subl -8(%v2,%v3,4), %v1, %v4")
        let allocated = inst.withAllocations([.r8, .r8, .rsp, .r13])
        #expect(allocated == alu(.sub, .size32, .mem(m(.rsp, .r13, .four, -8)), .r8))
        #expect(allocated.description == "subl -8(%rsp,%r13,4), %r8d")
        var buffer = CodeBuffer()
        allocated.encode(into: &buffer)
        #expect(buffer.bytes == [0x46, 0x2b, 0x44, 0xac, 0xf8])
    }

    @Test func mapRegistersRenamesEverything() {
        let inst = X64Inst.div(.divUnsigned, size: .size64, dividendLo: v(1), dividendHi: v(2),
                               divisor: .reg(v(3)), quotient: Writable(v(4)), remainder: Writable(v(5)),
                               trap: .integerDivisionByZero)
        #expect(inst.description == "divq %v3 # %v1, %v2 -> %v4, %v5")
        let renamed = inst.mapRegisters { Reg(VReg(($0.virtual?.index ?? 0) + 10, .int)) }
        #expect(renamed.description == "divq %v13 # %v11, %v12 -> %v14, %v15")
        #expect(div(.size64, .unsigned, .reg(.rcx)).description == "divq %rcx")
    }

    @Test func encodingAVirtualRegisterIsABug() async {
        await #expect(processExitsWith: .failure) {
            var buffer = CodeBuffer()
            X64Inst.movRR(size: .size64, src: Gpr(virtual: 1), dst: Writable(.rax)).encode(into: &buffer)
        }
        await #expect(processExitsWith: .failure) {
            var buffer = CodeBuffer()
            X64Inst.aluRmiR(.add, size: .size32, src1: .rax, src2: .reg(.rcx), dst: Writable(.rdx))
                .encode(into: &buffer)
        }
        await #expect(processExitsWith: .failure) {
            var buffer = CodeBuffer()
            X64Inst.load(size: .size64, src: .baseIndex(.rax, .rsp), dst: Writable(.rcx)).encode(into: &buffer)
        }
    }

    @Test func registerMovesAreVisibleToTheAllocator() {
        #expect(mov(.size64, .rsi, .rdi).registerMove?.src == Gpr.rsi.reg)
        #expect(mov(.size32, .rsi, .rdi).registerMove == nil)
        #expect(alu(.add, .size64, .reg(.rsi), .rdi).registerMove == nil)
    }

    @Test func propertiesNameFormsSizesAndTraps() {
        #expect(alu(.add, .size16, .imm(1), .rax).form == .add)
        #expect(alu(.add, .size16, .imm(1), .rax).operandSize == .size16)
        #expect(movzx(.bq, .reg(.rax), .rcx).operandSize == .size64)
        #expect(X64Inst.jmp(target: label(0)).operandSize == nil)
        #expect(load(.size64, m(.rax, trap: .heapOutOfBounds), .rax).trapCode == .heapOutOfBounds)
        #expect(lea(.size64, m(.rax, trap: .heapOutOfBounds), .rax).trapCode == nil)
        #expect(div(.size32, .signed, .reg(.rcx)).trapCode == .integerDivisionByZero)
        #expect(X64Form.table.count == FormID.allCases.count)
        #expect(load(.size8, m(.rax), .rcx).form == .mov && movImm(.size64, 1 << 40, .rax).form == .movabs)
    }
}
