import EgretIR
import Testing
@testable import EgretCodegen

/// Random VCode with every kind of constraint, allocated and checked: the checker
/// must accept every allocation the allocator makes.
struct RegAllocRandomTests {
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    /// A program of `blockCount` blocks. Globals are defined in the entry block (so
    /// they reach every use) and redefined anywhere; locals live within one block.
    static func program(seed: UInt64, blockCount: Int, globals: Int, instructionsPerBlock: Int) -> VCode<X64Inst> {
        var random = Random(state: seed)
        var b = VCodeBuilder()
        let arguments = [b.gpr(), b.gpr()]
        b.vcode.entryArguments = [FixedDef(Writable(arguments[0].reg), in: .rdi),
                                  FixedDef(Writable(arguments[1].reg), in: .rsi)]
        var globalRegs: [Gpr] = []
        for index in 0 ..< globals {
            let reg = b.gpr()
            b.emit(.movRR(size: .size64, src: arguments[index % 2], dst: Writable(reg)))
            globalRegs.append(reg)
        }
        for block in 0 ..< blockCount {
            var locals: [Gpr] = globalRegs
            func pick() -> Gpr { locals[random.below(locals.count)] }
            for _ in 0 ..< instructionsPerBlock {
                switch random.below(9) {
                case 0:
                    locals.append(b.constant(Int32(random.below(100))))
                case 1, 2:
                    let dst = b.gpr()
                    b.emit(.aluRmiR([.add, .sub, .xor, .and][random.below(4)], size: .size64, src1: pick(),
                                    src2: random.below(3) == 0 ? .imm(7) : .reg(pick()), dst: Writable(dst)))
                    locals.append(dst)
                case 3:
                    let dst = b.gpr()
                    b.emit(.shiftR(.shl, size: .size64, src: pick(), count: .cl(pick()), dst: Writable(dst)))
                    locals.append(dst)
                case 4:
                    let quotient = b.gpr(), remainder = b.gpr()
                    b.emit(.div(.divUnsigned, size: .size64, dividendLo: pick(), dividendHi: pick(),
                                divisor: .reg(pick()), quotient: Writable(quotient), remainder: Writable(remainder),
                                trap: .integerDivisionByZero))
                    locals += [quotient, remainder]
                case 5:
                    let result = b.gpr()
                    b.emit(.callKnown(name: .testCase("callee"), info: CallInfo(
                        uses: [FixedUse(pick().reg, in: .rdi), FixedUse(pick().reg, in: .rsi)],
                        defs: [FixedDef(Writable(result.reg), in: .rax)],
                        clobbers: PRegSet([.rax, .rcx, .rdx, .rsi, .rdi, .r8, .r9, .r10, .r11]))))
                    locals.append(result)
                case 6:
                    // Redefine a global (a block parameter after SSA deconstruction).
                    let global = globalRegs[random.below(globalRegs.count)]
                    b.emit(.movRR(size: .size64, src: pick(), dst: Writable(global)))
                case 7:
                    let dst = b.gpr()
                    b.emit(.aluRmiR(.imul, size: .size64, src1: pick(), src2: .reg(pick()), dst: Writable(dst)))
                    locals.append(dst)
                default:
                    let dst = b.gpr()
                    b.emit(.lea(size: .size64, address: .baseIndex(pick(), pick(), .four, 8), dst: Writable(dst)))
                    locals.append(dst)
                }
            }
            if block == blockCount - 1 {
                b.ret(pick())
                b.endBlock(successors: [])
            } else {
                // Forward or backward branches, and always a way forward.
                let back = random.below(block + 1)
                b.emit(.cmpRmiR(.cmp, size: .size64, src1: pick(), src2: .imm(3)))
                b.emit(.jcc(cc: .e, target: MachLabel(UInt32(back))))
                b.emit(.jmp(target: MachLabel(UInt32(block + 1))))
                b.endBlock(successors: [back, block + 1])
            }
        }
        return b.vcode
    }

    @Test(arguments: 0 ..< 40)
    func randomProgramsAllocateAndCheck(seed: Int) throws {
        let vcode = Self.program(seed: UInt64(seed), blockCount: 1 + seed % 6, globals: 3 + seed % 12,
                                 instructionsPerBlock: 10 + seed % 40)
        _ = try allocateAndCheck(vcode)
    }

    @Test func aLargeProgramUnderHighPressure() throws {
        let vcode = Self.program(seed: 99, blockCount: 12, globals: 40, instructionsPerBlock: 200)
        let allocation = try allocateAndCheck(vcode)
        #expect(allocation.spillSlotCount > 0)
    }
}
