import Testing
import EgretIR
@testable import EgretCodegen

/// The encoder sweep: beyond the hand-picked table, every form over every register in
/// every operand position and every base × index register pair, with displacements
/// and immediates at each encoding boundary. There is no expected text here: Egret's
/// printed text goes to llvm-mc, whose bytes must equal Egret's and whose re-printed
/// text must equal Egret's (so the printer is checked too), and capstone must decode
/// Egret's bytes back to the same instruction.
struct X64EncoderSweepTests {
    @Test func everyRegisterAndAddressAgreesWithLLVMMCAndCapstone() throws {
        let instructions = X64Inst.Form.allCases.flatMap(EncoderSweep.instructions)
        #expect(instructions.count > 5000)
        let failures = try checkAgainstIndependentTools(instructions.map { ($0, $0.description) })
        for failure in failures.prefix(50) {
            Issue.record(Comment(rawValue: failure.message))
        }
        #expect(failures.count == 0, "\(failures.count) of \(instructions.count) sweep instructions disagree")
    }

    /// The checker itself: a wrong text or wrong bytes must be reported.
    @Test func harnessReportsMismatches() throws {
        let wrongText = try checkAgainstIndependentTools([(alu(.add, .size32, .reg(.rsi), .rdi), "subl %esi, %edi")])
        #expect(wrongText.count == 1)
        let wrongRegister = try checkAgainstIndependentTools([(alu(.add, .size64, .reg(.rsi), .r8), "addq %rsi, %rdi")])
        #expect(wrongRegister.count == 1)
        let wrongLabel = try checkAgainstIndependentTools([(.jmp(target: label(3)), "jmp .L4")])
        #expect(wrongLabel.count == 1)
        let right = try checkAgainstIndependentTools([(alu(.add, .size32, .reg(.rsi), .rdi), "addl %esi, %edi")])
        #expect(right.isEmpty)
    }
}

/// Generated instructions per form. A switch with no default: a new form needs a sweep.
enum EncoderSweep {
    static let registers = Gpr.all
    static let sizes = OperandSize.allCases

    /// Every base with displacements at each boundary, every base × index pair (rsp
    /// cannot be an index) with rotating scales and displacements, and RIP.
    static let addresses: [Amode] = {
        var result: [Amode] = []
        let displacements: [Int32] = [0, 1, -1, 127, 128, -128, -129, .max, .min]
        for base in registers {
            for displacement in displacements { result.append(m(base, displacement)) }
        }
        var rotation = 0
        let indexDisplacements: [Int32] = [0, 8, -200, 127, 4096]
        for base in registers {
            for index in registers where index != .rsp {
                let scale = Scale.allCases[rotation % 4]
                result.append(m(base, index, scale, indexDisplacements[rotation % indexDisplacements.count]))
                rotation += 1
            }
        }
        result.append(.rip(label(42)))
        return result
    }()

    /// Every `stride`-th address, starting at `offset`: a sample for forms whose
    /// addressing goes through the same code as loads.
    static func sampledAddresses(_ stride: Int, offset: Int = 0) -> [Amode] {
        Swift.stride(from: offset % stride, to: addresses.count, by: stride).map { addresses[$0] }
            + [.rip(label(7))]
    }

    static let immediates: [OperandSize: [Int32]] = [
        .size8: [0, 1, 127, -128, -1, 255],
        .size16: [0, 127, 128, -128, -129, 32767, -32768, 65535],
        .size32: [0, 127, 128, -128, -129, .max, .min],
        .size64: [0, 127, 128, -128, -129, .max, .min],
    ]

    /// Register pairs: all 256 for the first size of a form, 16 rotating pairs after.
    static func pairs(all: Bool) -> [(Gpr, Gpr)] {
        all ? registers.flatMap { a in registers.map { (a, $0) } }
            : registers.indices.map { (registers[$0], registers[($0 * 7 + 3) % 16]) }
    }

    static func instructions(_ form: X64Inst.Form) -> [X64Inst] {
        var result: [X64Inst] = []
        let supported = form.supportedSizes
        switch form {
        case .aluRmiR:
            for (sizeIndex, size) in supported.enumerated() {
                for (opIndex, op) in AluOp.allCases.enumerated() {
                    for (src, dst) in pairs(all: opIndex == 0 && sizeIndex < 4) { result.append(alu(op, size, .reg(src), dst)) }
                    for dst in registers {
                        for imm in immediates[size] ?? [] { result.append(alu(op, size, .imm(imm), dst)) }
                    }
                    for (index, amode) in sampledAddresses(11, offset: opIndex).enumerated() {
                        result.append(alu(op, size, .mem(amode), registers[index % 16]))
                    }
                }
            }
        case .cmpRmiR:
            for size in supported {
                for (src, dst) in pairs(all: true) {
                    result.append(cmp(size, .reg(src), dst))
                    result.append(test(size, .reg(src), dst))
                }
                for dst in registers {
                    for imm in immediates[size] ?? [] {
                        result.append(cmp(size, .imm(imm), dst))
                        result.append(test(size, .imm(imm), dst))
                    }
                }
                for (index, amode) in sampledAddresses(9).enumerated() {
                    result.append(cmp(size, .mem(amode), registers[index % 16]))
                    result.append(test(size, .mem(amode), registers[(index + 5) % 16]))
                }
            }
        case .imul:
            for size in supported {
                for (src, dst) in pairs(all: true) { result.append(imul(size, .reg(src), dst)) }
                for (index, amode) in sampledAddresses(13).enumerated() {
                    result.append(imul(size, .mem(amode), registers[index % 16]))
                }
            }
        case .imulImm:
            for size in supported {
                for (src, dst) in pairs(all: false) {
                    for imm in (immediates[size] ?? []) where imm <= Int32(Int16.max) || size != .size16 {
                        result.append(imul(size, imm, .reg(src), dst))
                    }
                }
                for (index, amode) in sampledAddresses(13).enumerated() {
                    result.append(imul(size, index % 2 == 0 ? 100 : -1000, .mem(amode), registers[index % 16]))
                }
            }
        case .mul, .mul8, .div, .div8:
            let isMul = form == .mul || form == .mul8
            for size in supported {
                for signedness in [Signedness.unsigned, .signed] {
                    for src in registers {
                        result.append(isMul ? mul(size, signedness, .reg(src)) : div(size, signedness, .reg(src)))
                    }
                    for amode in sampledAddresses(17) {
                        result.append(isMul ? mul(size, signedness, .mem(amode)) : div(size, signedness, .mem(amode)))
                    }
                }
            }
        case .signExtendData:
            result += supported.map(signExtendData)
        case .shiftR:
            for size in supported {
                for kind in ShiftKind.allCases {
                    for reg in registers {
                        for count: UInt8 in [1, 2, UInt8(size.bits - 1), 0] { result.append(shift(kind, size, .imm(count), reg)) }
                        result.append(shift(kind, size, .cl(.rcx), reg))
                    }
                }
            }
        case .unary:
            for size in supported {
                for op in UnaryOp.allCases { result += registers.map { unary(op, size, $0) } }
            }
        case .bitCount:
            for size in supported {
                for op in BitCountOp.allCases {
                    for (src, dst) in pairs(all: op == .lzcnt) { result.append(bitCount(op, size, .reg(src), dst)) }
                    for (index, amode) in sampledAddresses(19).enumerated() {
                        result.append(bitCount(op, size, .mem(amode), registers[index % 16]))
                    }
                }
            }
        case .bswap:
            for size in supported { result += registers.map { bswap(size, $0) } }
        case .setcc:
            for cc in CC.allCases { result += registers.map { setcc(cc, $0) } }
        case .cmove:
            for size in supported {
                for cc in CC.allCases {
                    for (src, dst) in pairs(all: cc == .e) { result.append(cmove(size, cc, .reg(src), dst)) }
                }
                for (index, amode) in sampledAddresses(7).enumerated() {
                    result.append(cmove(size, CC.allCases[index % 16], .mem(amode), registers[index % 16]))
                }
            }
        case .movRR:
            for size in supported {
                for (src, dst) in pairs(all: true) { result.append(mov(size, src, dst)) }
            }
        case .movImm:
            let values: [Int64] = [0, 1, -1, 127, 128, Int64(Int32.max), Int64(Int32.min), Int64(UInt32.max),
                                   Int64(Int32.max) + 1, Int64(Int32.min) - 1, .max, .min, 0x1234_5678_9ABC_DEF0]
            for size in supported {
                for reg in registers {
                    for value in values where size == .size64 || Int32(exactly: value) != nil || value == Int64(UInt32.max) {
                        result.append(movImm(size, value, reg))
                    }
                }
            }
        case .movzx, .movsx:
            for ext in ExtMode.allCases {
                for (src, dst) in pairs(all: true) {
                    result.append(form == .movzx ? movzx(ext, .reg(src), dst) : movsx(ext, .reg(src), dst))
                }
                for (index, amode) in sampledAddresses(13).enumerated() {
                    let dst = registers[index % 16]
                    result.append(form == .movzx ? movzx(ext, .mem(amode), dst) : movsx(ext, .mem(amode), dst))
                }
            }
        case .lea:
            for size in supported {
                for (index, amode) in addresses.enumerated() { result.append(lea(size, amode, registers[index % 16])) }
            }
        case .load:
            for size in supported {
                for (index, amode) in addresses.enumerated() { result.append(load(size, amode, registers[index % 16])) }
            }
        case .store:
            for size in supported {
                for (index, amode) in addresses.enumerated() {
                    result.append(store(size, registers[(index + 3) % 16], amode))
                }
            }
        case .storeImm:
            for size in supported {
                let values = immediates[size] ?? []
                for (index, amode) in sampledAddresses(3).enumerated() {
                    result.append(store(size, values[index % values.count], amode))
                }
            }
        case .loadSymbol:
            result += registers.map { .loadSymbol(name: symbol("sym"), dst: Writable($0)) }
        case .push:
            result += registers.map { .push(src: .reg($0)) }
            result += (immediates[.size32] ?? []).map { .push(src: .imm($0)) }
            result += sampledAddresses(11).map { .push(src: .mem($0)) }
        case .pop:
            result += registers.map { .pop(dst: Writable($0)) }
        case .callKnown:
            result.append(.callKnown(name: symbol("callee"), info: CallInfo()))
        case .callUnknown, .jmpIndirect:
            let targets = registers.map(GprMem.reg) + sampledAddresses(11).map(GprMem.mem)
            result += targets.map {
                form == .callUnknown ? .callUnknown(target: $0, info: CallInfo()) : .jmpIndirect(target: $0)
            }
        case .ret:
            result += [.ret(returns: []), .ret(returns: [], popBytes: 16), .ret(returns: [], popBytes: 0x1234)]
        case .jmp:
            result += [0, 1, 99].map { .jmp(target: label($0)) }
        case .jcc:
            result += CC.allCases.map { .jcc(cc: $0, target: label(UInt32($0.rawValue))) }
        case .ud2:
            result.append(.ud2(trap: .heapOutOfBounds))
        case .trapIf:
            result += CC.allCases.map { .trapIf(cc: $0, trap: .integerOverflow) }
        case .returnCallKnown:
            result.append(.returnCallKnown(name: symbol("callee"), info: ReturnCallInfo()))
        case .returnCallUnknown:
            result.append(.returnCallUnknown(target: .r11, info: ReturnCallInfo()))
        case .xmmLoad, .xmmStore, .xmmMove, .gprToXmm, .xmmToGpr, .xmmArith, .xmmSqrt, .xmmLogic, .xmmCompare,
             .xmmCompareMask, .intToFloat, .floatToInt, .floatConvert, .xmmRound, .fma, .xmmCmove:
            result += floatInstructions(form)
        case .lockCmpxchg, .xchg, .lockXadd, .mfence, .atomicRmwLoop, .lockCmpxchg16b, .atomicRmwLoop128:
            result += atomicInstructions(form)
        }
        return result
    }
}
