import EgretIR
import Testing
@testable import EgretCodegen

/// Builds VCode by hand for allocator tests.
struct VCodeBuilder {
    var vcode = VCode<X64Inst>()
    var blockStart = 0

    mutating func gpr() -> Gpr {
        guard let gpr = Gpr(vcode.newVReg(.int)) else { preconditionFailure("integer vreg") }
        return gpr
    }

    mutating func emit(_ inst: X64Inst) { vcode.insts.append(inst) }

    mutating func endBlock(successors: [Int]) {
        vcode.blocks.append(VCodeBlock(instRange: blockStart ..< vcode.insts.count, successors: successors))
        blockStart = vcode.insts.count
    }

    mutating func constant(_ value: Int32) -> Gpr {
        let reg = gpr()
        emit(.movImm(size: .size64, imm: UInt64(bitPattern: Int64(value)), dst: Writable(reg)))
        return reg
    }

    mutating func add(_ a: Gpr, _ b: Gpr) -> Gpr {
        let reg = gpr()
        emit(.aluRmiR(.add, size: .size64, src1: a, src2: .reg(b), dst: Writable(reg)))
        return reg
    }

    mutating func ret(_ value: Gpr) {
        emit(.ret(returns: [FixedUse(value.reg, in: .rax)]))
    }
}

/// The x86-64 System V allocatable registers, caller-saved first.
let testEnvironment = RegisterEnvironment(
    integerRegisters: [.rax, .rcx, .rdx, .rsi, .rdi, .r8, .r9, .r10, .r11, .rbx, .r12, .r13, .r14, .r15],
    floatRegisters: [])

func allocateAndCheck(_ vcode: VCode<X64Inst>) throws -> RegAllocation {
    let allocation = try RegisterAllocator.allocate(vcode, environment: testEnvironment)
    try RegAllocChecker.check(vcode, allocation)
    return allocation
}

struct RegAllocTests {
    @Test func twoAddressAddNeedsNoCopyWhenTheSourceDies() throws {
        var b = VCodeBuilder()
        let x = b.constant(1), y = b.constant(2)
        b.ret(b.add(x, y))
        b.endBlock(successors: [])
        let allocation = try allocateAndCheck(b.vcode)
        #expect(allocation.spillSlotCount == 0)
        // Only the move into rax for the return may remain.
        #expect(allocation.edits.count <= 1)
    }

    @Test func argumentsArriveInTheirRegisters() throws {
        var b = VCodeBuilder()
        let a = b.gpr(), c = b.gpr()
        b.vcode.entryArguments = [FixedDef(Writable(a.reg), in: .rdi), FixedDef(Writable(c.reg), in: .rsi)]
        b.ret(b.add(a, c))
        b.endBlock(successors: [])
        _ = try allocateAndCheck(b.vcode)
    }

    @Test func moreLiveValuesThanRegistersAreSpilled() throws {
        var b = VCodeBuilder()
        let values = (0 ..< 120).map { b.constant(Int32($0)) }
        var sum = values[0]
        for value in values.dropFirst() { sum = b.add(sum, value) }
        // Use every value again so they are all live at once.
        for value in values { sum = b.add(sum, value) }
        b.ret(sum)
        b.endBlock(successors: [])
        let allocation = try allocateAndCheck(b.vcode)
        #expect(allocation.spillSlotCount >= 100)
    }

    @Test func divisionUsesRaxAndRdx() throws {
        var b = VCodeBuilder()
        let dividend = b.constant(100), high = b.constant(0), divisor = b.constant(7)
        let keep = b.constant(5)
        let quotient = b.gpr(), remainder = b.gpr()
        b.emit(.div(.divUnsigned, size: .size64, dividendLo: dividend, dividendHi: high,
                    divisor: .reg(divisor), quotient: Writable(quotient), remainder: Writable(remainder),
                    trap: .integerDivisionByZero))
        let sum = b.add(b.add(quotient, remainder), keep)
        b.ret(sum)
        b.endBlock(successors: [])
        let allocation = try allocateAndCheck(b.vcode)
        let divAllocations = Array(allocation.allocations(ofInstruction: 4))
        #expect(divAllocations.contains(.rax) && divAllocations.contains(.rdx))
    }

    @Test func valuesLiveAcrossACallAvoidCallerSavedRegisters() throws {
        var b = VCodeBuilder()
        let live = (0 ..< 8).map { b.constant(Int32($0)) }
        let argument = b.constant(42), result = b.gpr()
        let callerSaved = PRegSet([.rax, .rcx, .rdx, .rsi, .rdi, .r8, .r9, .r10, .r11])
        b.emit(.callKnown(name: .testCase("callee"),
                          info: CallInfo(uses: [FixedUse(argument.reg, in: .rdi)],
                                         defs: [FixedDef(Writable(result.reg), in: .rax)], clobbers: callerSaved)))
        var sum = result
        for value in live { sum = b.add(sum, value) }
        b.ret(sum)
        b.endBlock(successors: [])
        let allocation = try allocateAndCheck(b.vcode)
        // Eight values cross the call but only five callee-saved registers exist.
        #expect(allocation.spillSlotCount >= 3)
    }

    @Test func loopCarriedValuesSurviveTheBackEdge() throws {
        var b = VCodeBuilder()
        let counter = b.constant(10), total = b.constant(0), one = b.constant(1)
        b.emit(.jmp(target: MachLabel(1)))
        b.endBlock(successors: [1])
        // block 1: total += counter; counter -= 1; loop while counter != 0
        let newTotal = b.add(total, counter)
        b.emit(.movRR(size: .size64, src: newTotal, dst: Writable(total)))
        let newCounter = b.gpr()
        b.emit(.aluRmiR(.sub, size: .size64, src1: counter, src2: .reg(one), dst: Writable(newCounter)))
        b.emit(.movRR(size: .size64, src: newCounter, dst: Writable(counter)))
        b.emit(.cmpRmiR(.cmp, size: .size64, src1: counter, src2: .imm(0)))
        b.emit(.jcc(cc: .ne, target: MachLabel(1)))
        b.emit(.jmp(target: MachLabel(2)))
        b.endBlock(successors: [1, 2])
        b.ret(total)
        b.endBlock(successors: [])
        _ = try allocateAndCheck(b.vcode)
    }

    @Test func theCheckerRejectsAWrongRegister() throws {
        var b = VCodeBuilder()
        let x = b.constant(1), y = b.constant(2)
        b.ret(b.add(x, y))
        b.endBlock(successors: [])
        var allocation = try allocateAndCheck(b.vcode)
        // The add's second source (operand 2) now reads the register of its first.
        let addStart = Int(allocation.operandOffsets[2])
        allocation.operandAllocations[addStart + 2] = allocation.operandAllocations[addStart]
        let error = #expect(throws: RegAllocError.self) { try RegAllocChecker.check(b.vcode, allocation) }
        // Reported at the add, as a problem of one operand.
        #expect(error?.checkerFailure?.instruction == 2)
        #expect(error?.checkerFailure?.problem == .useReadsWrongValue)
        #expect(error?.message.hasPrefix("checker: instruction 2 (addq ") == true, "\(String(describing: error))")
    }

    @Test func theCheckerRejectsAClobberedValue() throws {
        var b = VCodeBuilder()
        let x = b.constant(1)
        b.emit(.callKnown(name: .testCase("f"), info: CallInfo(clobbers: PRegSet([.rax, .rcx, .rdx, .rsi, .rdi,
                                                                                  .r8, .r9, .r10, .r11, .rbx,
                                                                                  .r12, .r13, .r14, .r15]))))
        b.ret(x)
        b.endBlock(successors: [])
        // The allocator spills x around the call; dropping the edits breaks it.
        var allocation = try allocateAndCheck(b.vcode)
        allocation.edits.removeAll()
        allocation.entryEdits.removeAll()
        let error = #expect(throws: RegAllocError.self) { try RegAllocChecker.check(b.vcode, allocation) }
        // The return (instruction 2) reads a register the call destroyed.
        #expect(error?.checkerFailure?.instruction == 2)
        #expect(error?.checkerFailure?.problem == .useReadsWrongValue)
        #expect(error?.checkerFailure?.detail.hasSuffix("which holds an unknown value") == true)
    }
}
