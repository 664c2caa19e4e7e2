import EgretIR
import Testing
@testable import EgretCodegen

/// Hand-built VCode through the real register allocator, checker, frame layout and
/// emission, run in the JIT: the allocated code computes what the VCode says, under
/// spills, fixed registers and calls that clobber every caller-saved register.
struct AllocatedExecutionTests {
    static let callerSaved = PRegSet([.rax, .rcx, .rdx, .rsi, .rdi, .r8, .r9, .r10, .r11])
    static let calleeSaved: [PReg] = [.rbx, .r12, .r13, .r14, .r15]

    /// Allocates, checks, lays out the frame and emits.
    static func compile(_ vcode: VCode<X64Inst>) throws -> FinishedCode {
        let allocation = try RegisterAllocator.allocate(vcode, environment: testEnvironment)
        try RegAllocChecker.check(vcode, allocation)
        let saved = calleeSaved.filter { allocation.writtenRegisters.contains($0) }
        let frame = try X64Frame(stackSlots: [], spillSlotCount: allocation.spillSlotCount,
                                 outgoingArgumentsSize: 0, savedRegisters: saved)
        return try X64Emitter.emit(vcode, allocation: allocation, frame: frame).code
    }

    /// A function taking (i64, i64) in rdi, rsi.
    static func twoArguments() -> (VCodeBuilder, Gpr, Gpr) {
        var b = VCodeBuilder()
        let x = b.gpr(), y = b.gpr()
        b.vcode.entryArguments = [FixedDef(Writable(x.reg), in: .rdi), FixedDef(Writable(y.reg), in: .rsi)]
        return (b, x, y)
    }

    func run(_ code: FinishedCode, extra: [(String, [IRType], [IRType], FinishedCode)] = [],
             _ x: Int64, _ y: Int64) throws -> CallResult {
        let fixture = try JITFixture([("f", [.i64, .i64], [.i64], code),
                                      try JITFixture.trampoline("t", [.i64, .i64], [.i64])] + extra)
        return try fixture.call("f", through: "t", [i64(x), i64(y)])
    }

    @Test func oneHundredTwentyLiveValuesSpillAndStillAddUp() throws {
        var (b, x, y) = Self.twoArguments()
        // v_k = x * k + y for k in 1…120, all live until the end, then summed.
        var values: [Gpr] = []
        for k in 1 ... 120 {
            let scaled = b.gpr(), value = b.gpr()
            b.emit(.aluRmImmR(.imulImm, size: .size64, src: .reg(x), imm: Int32(k), dst: Writable(scaled)))
            b.emit(.aluRmiR(.add, size: .size64, src1: scaled, src2: .reg(y), dst: Writable(value)))
            values.append(value)
        }
        var sum = values[0]
        for value in values.dropFirst() { sum = b.add(sum, value) }
        b.ret(sum)
        b.endBlock(successors: [])
        let result = try run(try Self.compile(b.vcode), 3, 1000)
        let expected = (1 ... 120).reduce(Int64(0)) { $0 + 3 * Int64($1) + 1000 }
        #expect(result == .returned([i64(expected)]))
    }

    /// With every register holding a value live across it, a reload of a spilled value
    /// borrows a register: the holder is saved to a slot before the instruction and
    /// restored after it, rather than spilled for good (which would cost another pass).
    @Test func temporariesBorrowRegistersUnderFullPressure() throws {
        var (b, x, y) = Self.twoArguments()
        // 30 long-lived values, then each added into a running sum whose operands
        // are reloaded while the long-lived ones fill every register.
        var values: [Gpr] = []
        for k in 1 ... 30 {
            let value = b.gpr()
            b.emit(.aluRmImmR(.imulImm, size: .size64, src: .reg(x), imm: Int32(k), dst: Writable(value)))
            values.append(value)
        }
        var sum = y
        for value in values { sum = b.add(sum, value) }
        for value in values.reversed() { sum = b.add(sum, value) }
        b.ret(sum)
        b.endBlock(successors: [])
        let allocation = try RegisterAllocator.allocate(b.vcode, environment: testEnvironment)
        try RegAllocChecker.check(b.vcode, allocation)
        let saves = allocation.edits.filter { edit in
            guard case .register(let preg) = edit.source, case .spillSlot(let slot) = edit.destination,
                  edit.position % 2 == 0 else { return false }
            return allocation.edits.contains {
                $0.position == edit.position + 1 && $0.source == .spillSlot(slot) && $0.destination == .register(preg)
            }
        }
        #expect(!saves.isEmpty)
        let expected = 1000 + 2 * (1 ... 30).reduce(Int64(0)) { $0 + 3 * Int64($1) }
        #expect(try run(try Self.compile(b.vcode), 3, 1000) == .returned([i64(expected)]))
    }

    @Test func divisionAndShiftsMeetTheirFixedRegisters() throws {
        var (b, x, y) = Self.twoArguments()
        let zero = b.constant(0), quotient = b.gpr(), remainder = b.gpr(), shifted = b.gpr()
        b.emit(.div(.divUnsigned, size: .size64, dividendLo: x, dividendHi: zero, divisor: .reg(y),
                    quotient: Writable(quotient), remainder: Writable(remainder), trap: .integerDivisionByZero))
        // (quotient << remainder) + x + y: x and y stay live across the divide.
        b.emit(.shiftR(.shl, size: .size64, src: quotient, count: .cl(remainder), dst: Writable(shifted)))
        b.ret(b.add(b.add(shifted, x), y))
        b.endBlock(successors: [])
        let code = try Self.compile(b.vcode)
        #expect(try run(code, 100, 7) == .returned([i64((14 << 2) + 100 + 7)]))
        #expect(try run(code, 100, 0) == .trapped(.integerDivisionByZero))
    }

    @Test func valuesSurviveACallThatClobbersCallerSavedRegisters() throws {
        var (b, x, y) = Self.twoArguments()
        let live = (1 ... 10).map { k -> Gpr in
            let value = b.gpr()
            b.emit(.aluRmImmR(.imulImm, size: .size64, src: .reg(x), imm: Int32(k), dst: Writable(value)))
            return value
        }
        let result = b.gpr()
        b.emit(.callKnown(name: .testCase("scramble"), info: CallInfo(
            uses: [FixedUse(y.reg, in: .rdi)], defs: [FixedDef(Writable(result.reg), in: .rax)],
            clobbers: Self.callerSaved)))
        var sum = result
        for value in live { sum = b.add(sum, value) }
        b.ret(sum)
        b.endBlock(successors: [])
        // scramble(a) overwrites every caller-saved register and returns a + 1.
        var scramble: [X64Inst] = Self.callerSaved.map { .movImm(size: .size64, imm: 0xDEAD, dst: Writable(Gpr($0))) }
        scramble.removeAll { if case .movImm(_, _, let dst) = $0 { return dst.reg == Gpr(.rdi) } else { return false } }
        scramble += [.lea(size: .size64, address: .base(Gpr(.rdi), 1), dst: Writable(Gpr(.rax))), .ret(returns: [])]
        let scrambleCode = try JITPrograms.assemble(scramble)
        let result2 = try run(try Self.compile(b.vcode), extra: [("scramble", [.i64], [.i64], scrambleCode)], 2, 40)
        #expect(result2 == .returned([i64(41 + 2 * 55)]))
    }

    @Test func aLoopCarriesItsValuesAroundTheBackEdge() throws {
        var (b, n, start) = Self.twoArguments()
        // total = start; while n != 0 { total += n; n -= 1 }
        let total = b.gpr(), counter = b.gpr(), one = b.constant(1)
        b.emit(.movRR(size: .size64, src: start, dst: Writable(total)))
        b.emit(.movRR(size: .size64, src: n, dst: Writable(counter)))
        b.emit(.cmpRmiR(.cmp, size: .size64, src1: counter, src2: .imm(0)))
        b.emit(.jcc(cc: .e, target: MachLabel(2)))
        b.emit(.jmp(target: MachLabel(1)))
        b.endBlock(successors: [2, 1])
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
        let code = try Self.compile(b.vcode)
        #expect(try run(code, 100, 5) == .returned([i64(5050 + 5)]))
        #expect(try run(code, 0, 5) == .returned([i64(5)]))
    }
}
