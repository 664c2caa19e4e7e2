import Testing
import EgretCodegen
import EgretIR
@testable import EgretSMT

/// Facts of the x86-64 machine model, each proven or refuted on symbolic registers.
struct MachineSpecTests {
    let context: Z3Context
    let solver: Z3Solver
    let x: BitVector
    let y: BitVector

    init() throws {
        context = try Z3Context()
        solver = try Z3Solver(context)
        x = context.bitVector("x", width: 64)
        y = context.bitVector("y", width: 64)
    }

    func run(_ instructions: [X64Inst]) throws -> MachineState {
        var state = MachineState(context: context, memory: context.memory("m"),
                                 faults: context.predicate("faults", domain: [64, 8]))
        state.registers[Gpr(virtual: 0).reg.raw] = x
        state.registers[Gpr(virtual: 1).reg.raw] = y
        for instruction in instructions { try instruction.execute(on: &state) }
        return state
    }

    func holds(_ claim: Boolean) throws -> Bool {
        if case .proven = try solver.prove(claim) { return true }
        return false
    }

    static let v0 = Gpr(virtual: 0), v1 = Gpr(virtual: 1), v2 = Writable(Gpr(virtual: 2))

    @Test func thirtyTwoBitWritesZeroExtendNarrowWritesKeepTheUpperBits() throws {
        var state = try run([.aluRmiR(.add, size: .size32, src1: Self.v0, src2: .reg(Self.v1), dst: Self.v2)])
        #expect(try holds(state.read(Self.v2.reg) == (x.low(32) + y.low(32)).zeroExtended(to: 64)))
        state = try run([.aluRmiR(.add, size: .size8, src1: Self.v0, src2: .reg(Self.v1), dst: Self.v2)])
        #expect(try holds(state.read(Self.v2.reg).extract(63, 8) == x.extract(63, 8)))
        #expect(try holds(state.read(Self.v2.reg).low(8) == x.low(8) + y.low(8)))
    }

    @Test func shiftCountsAreMaskedToFiveOrSixBits() throws {
        let state32 = try run([.shiftR(.shl, size: .size32, src: Self.v0, count: .imm(33), dst: Self.v2)])
        var copy = state32
        #expect(try holds(copy.read(Self.v2.reg).low(32) == x.low(32).shl(x.low(32).constant(1))))
        var state8 = try run([.shiftR(.shl, size: .size8, src: Self.v0, count: .imm(9), dst: Self.v2)])
        // An 8-bit shift by 9 is not taken modulo 8: everything is shifted out.
        #expect(try holds(state8.read(Self.v2.reg).low(8).isZero))
        var state64 = try run([.shiftR(.sar, size: .size64, src: Self.v0, count: .imm(64), dst: Self.v2)])
        #expect(try holds(state64.read(Self.v2.reg) == x))
    }

    @Test func divisionFaultsOnZeroAndOnOverflow() throws {
        let state = try run([.div(.divUnsigned, size: .size32, dividendLo: Self.v0, dividendHi: Self.v1,
                                  divisor: .reg(Self.v0), quotient: Self.v2, remainder: Writable(Gpr(virtual: 3)),
                                  trap: .integerDivisionByZero)])
        let trapped = state.trapSummary.trapped
        // A zero divisor faults; so does a quotient that needs more than 32 bits.
        #expect(try holds(x.low(32).isZero.implies(trapped)))
        #expect(try holds((y.low(32).uge(x.low(32)) && !x.low(32).isZero).implies(trapped)))
        #expect(try holds((y.low(32).isZero && !x.low(32).isZero).implies(!trapped)))
    }

    @Test func signedDivisionStatesItsObligation() throws {
        let state = try run([.div(.divSigned, size: .size64, dividendLo: Self.v0, dividendHi: Self.v1,
                                  divisor: .reg(Self.v1), quotient: Self.v2, remainder: Writable(Gpr(virtual: 3)),
                                  trap: .integerDivisionByZero)])
        #expect(state.obligations.count == 1)
        // Without cqo the obligation does not hold for arbitrary rdx.
        #expect(try !holds(context.all(state.obligations.map(\.condition))))
    }

    @Test func bitScanOfZeroIsUnconstrained() throws {
        var state = try run([.unaryRmR(.bsr, size: .size64, src: .reg(Self.v0), dst: Self.v2)])
        let result = state.read(Self.v2.reg)
        #expect(try holds(state.zero == x.isZero))
        #expect(try holds(x.isZero.implies(result == x)) == false)
        #expect(try holds((!x.isZero).implies(result.ule(result.constant(63)))))
    }

    @Test func conditionCodesReadTheFlagsOfACompare() throws {
        let compare = X64Inst.cmpRmiR(.cmp, size: .size16, src1: Self.v0, src2: .reg(Self.v1))
        let state = try run([compare])
        let a = x.low(16), b = y.low(16)
        #expect(try holds(state.holds(.b) == a.ult(b)))
        #expect(try holds(state.holds(.be) == a.ule(b)))
        #expect(try holds(state.holds(.l) == a.slt(b)))
        #expect(try holds(state.holds(.g) == a.sgt(b)))
        #expect(try holds(state.holds(.e) == (a == b)))
    }

    @Test func callsAreNotModelled() throws {
        #expect(throws: MachineSpecError.self) {
            _ = try run([.callKnown(name: .testCase("f"), info: CallInfo())])
        }
        #expect(!MachineSpecs.isModelled(.call))
        #expect(MachineSpecs.isModelled(.divUnsigned) && MachineSpecs.isModelled(.divSigned))
        #expect(X64Inst.modelledForms.contains(.mov))
    }
}
