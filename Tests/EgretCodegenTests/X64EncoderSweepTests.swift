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
        let instructions = EncoderSweep.all
        #expect(instructions.count > 5000)
        let failures = try checkAgainstIndependentTools(instructions.map { ($0, $0.description) })
        for failure in failures.prefix(50) {
            Issue.record(Comment(rawValue: failure.message))
        }
        #expect(failures.count == 0, "\(failures.count) of \(instructions.count) sweep instructions disagree")
    }

    /// The sweep reaches every row of the form table: a new row of an existing
    /// format is swept without a change here.
    @Test func sweepCoversEveryRow() {
        let used = Set(EncoderSweep.all.flatMap { $0.formsUsed.map(\.form) })
        for form in FormID.allCases {
            #expect(used.contains(form), "the sweep never encodes \(form)")
        }
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

/// Generated instructions: for each format, every row of it over registers, addresses
/// and immediates (a switch over formats with no default: a new format needs a sweep;
/// a new row of a format is swept as its siblings are), and the dedicated shapes.
enum EncoderSweep {
    static let registers = Gpr.all
    static let sizes = OperandSize.allCases

    static let all: [X64Inst] = X64Format.allCases.flatMap { format in
        forms(of: format).enumerated().flatMap { index, form in instructions(format, form, first: index == 0) }
    } + dedicatedInstructions + floatDedicatedInstructions + atomicDedicatedInstructions

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

    /// The sweep of one row of a format; `first`: the format's first row, which gets
    /// every register pair where the others get a rotating sample.
    static func instructions(_ format: X64Format, _ form: FormID, first: Bool) -> [X64Inst] {
        var result: [X64Inst] = []
        let supported = form.row.sizes.list
        switch format {
        case .aluRmiR:
            let hasImmediate = form.row.encoding.mi != nil
            for (sizeIndex, size) in supported.enumerated() {
                for (src, dst) in pairs(all: first && sizeIndex < 4) { result.append(alu(form, size, .reg(src), dst)) }
                if hasImmediate {
                    for dst in registers {
                        for imm in immediates[size] ?? [] { result.append(alu(form, size, .imm(imm), dst)) }
                    }
                }
                for (index, amode) in sampledAddresses(11, offset: Int(form.rawValue)).enumerated() {
                    result.append(alu(form, size, .mem(amode), registers[index % 16]))
                }
            }
        case .cmpRmiR:
            for size in supported {
                for (src, dst) in pairs(all: true) { result.append(.cmpRmiR(form, size: size, src1: dst, src2: .reg(src))) }
                for dst in registers {
                    for imm in immediates[size] ?? [] { result.append(.cmpRmiR(form, size: size, src1: dst, src2: .imm(imm))) }
                }
                for (index, amode) in sampledAddresses(9, offset: Int(form.rawValue)).enumerated() {
                    result.append(.cmpRmiR(form, size: size, src1: registers[index % 16], src2: .mem(amode)))
                }
            }
        case .aluRmImmR:
            for size in supported {
                for (src, dst) in pairs(all: false) {
                    for imm in (immediates[size] ?? []) where imm <= Int32(Int16.max) || size != .size16 {
                        result.append(.aluRmImmR(form, size: size, src: .reg(src), imm: imm, dst: Writable(dst)))
                    }
                }
                for (index, amode) in sampledAddresses(13).enumerated() {
                    result.append(.aluRmImmR(form, size: size, src: .mem(amode), imm: index % 2 == 0 ? 100 : -1000,
                                             dst: Writable(registers[index % 16])))
                }
            }
        case .multiply, .divide:
            let isMultiply = format == .multiply
            for size in supported {
                let sources = registers.map(GprMem.reg) + sampledAddresses(17).map(GprMem.mem)
                for src in sources {
                    result.append(isMultiply ? multiply(form, size, src) : divide(form, size, src))
                }
            }
        case .signExtendData:
            result.append(.signExtendData(form, src: .rax,
                                          dst: Writable(Gpr(X64Inst.signExtendDataDestination(form)))))
        case .shiftR:
            for size in supported {
                for reg in registers {
                    for count: UInt8 in [1, 2, UInt8(size.bits - 1), 0] { result.append(shift(form, size, .imm(count), reg)) }
                    result.append(shift(form, size, .cl(.rcx), reg))
                }
            }
        case .unary:
            for size in supported { result += registers.map { unary(form, size, $0) } }
        case .unaryRmR:
            for size in supported {
                for (src, dst) in pairs(all: first) { result.append(bitCount(form, size, .reg(src), dst)) }
                for (index, amode) in sampledAddresses(19, offset: Int(form.rawValue)).enumerated() {
                    result.append(bitCount(form, size, .mem(amode), registers[index % 16]))
                }
            }
        case .xmmLoadStore, .gprToXmm, .xmmToGpr, .xmmRmR, .xmmUnaryRmR, .xmmUnaryRmRImm, .xmmCompare, .xmmCompareMask,
             .xmmVexTernary:
            result += floatInstructions(format, form, first: first)
        case .exchange, .fence:
            result += atomicInstructions(format, form)
        case .dedicated:
            break
        }
        return result
    }

    /// One-operand mul/imul at `size` (mul8 at 8 bits).
    static func multiply(_ form: FormID, _ size: OperandSize, _ src: GprMem) -> X64Inst {
        size == .size8
            ? .mul8(form, src1: .rax, src2: src, dst: Writable(.rax))
            : .mul(form, size: size, src1: .rax, src2: src, dstLo: Writable(.rax), dstHi: Writable(.rdx))
    }

    /// div/idiv at `size` (div8 at 8 bits).
    static func divide(_ form: FormID, _ size: OperandSize, _ divisor: GprMem) -> X64Inst {
        size == .size8
            ? .div8(form, dividend: .rax, divisor: divisor, dst: Writable(.rax), trap: .integerDivisionByZero)
            : .div(form, size: size, dividendLo: .rax, dividendHi: .rdx, divisor: divisor, quotient: Writable(.rax),
                   remainder: Writable(.rdx), trap: .integerDivisionByZero)
    }

    /// The integer shapes without a FormID.
    static var dedicatedInstructions: [X64Inst] {
        var result: [X64Inst] = []
        for cc in CC.allCases { result += registers.map { setcc(cc, $0) } }
        for size in FormID.cmov.row.sizes.list {
            for cc in CC.allCases {
                for (src, dst) in pairs(all: cc == .e) { result.append(cmove(size, cc, .reg(src), dst)) }
            }
            for (index, amode) in sampledAddresses(7).enumerated() {
                result.append(cmove(size, CC.allCases[index % 16], .mem(amode), registers[index % 16]))
            }
        }
        for size in FormID.mov.row.sizes.list {
            for (src, dst) in pairs(all: size == .size64 || size == .size32) { result.append(mov(size, src, dst)) }
        }
        let values: [Int64] = [0, 1, -1, 127, 128, Int64(Int32.max), Int64(Int32.min), Int64(UInt32.max),
                               Int64(Int32.max) + 1, Int64(Int32.min) - 1, .max, .min, 0x1234_5678_9ABC_DEF0]
        for size: OperandSize in [.size32, .size64] {
            for reg in registers {
                for value in values where size == .size64 || Int32(exactly: value) != nil || value == Int64(UInt32.max) {
                    result.append(movImm(size, value, reg))
                }
            }
        }
        for size in FormID.lea.row.sizes.list {
            for (index, amode) in addresses.enumerated() { result.append(lea(size, amode, registers[index % 16])) }
        }
        for size in FormID.mov.row.sizes.list {
            for (index, amode) in addresses.enumerated() { result.append(load(size, amode, registers[index % 16])) }
            for (index, amode) in addresses.enumerated() {
                result.append(store(size, registers[(index + 3) % 16], amode))
            }
            let values = immediates[size] ?? []
            for (index, amode) in sampledAddresses(3).enumerated() {
                result.append(store(size, values[index % values.count], amode))
            }
        }
        result += registers.map { .loadSymbol(name: symbol("sym"), dst: Writable($0)) }
        result += registers.map { .push(src: .reg($0)) }
        result += (immediates[.size32] ?? []).map { .push(src: .imm($0)) }
        result += sampledAddresses(11).map { .push(src: .mem($0)) }
        result += registers.map { .pop(dst: Writable($0)) }
        result.append(.callKnown(name: symbol("callee"), info: CallInfo()))
        result.append(.callKnown(name: symbol("callee"), info: CallInfo(calleePopSize: 16)))
        let targets = registers.map(GprMem.reg) + sampledAddresses(11).map(GprMem.mem)
        result += targets.map { .callUnknown(target: $0, info: CallInfo()) }
        result += targets.map { .jmpIndirect(target: $0) }
        result += [.ret(returns: []), .ret(returns: [], popBytes: 16), .ret(returns: [], popBytes: 0x1234)]
        result += [0, 1, 99].map { .jmp(target: label($0)) }
        result += CC.allCases.map { .jcc(cc: $0, target: label(UInt32($0.rawValue))) }
        result.append(.ud2(trap: .heapOutOfBounds))
        result += CC.allCases.map { .trapIf(cc: $0, trap: .integerOverflow) }
        result.append(.returnCallKnown(name: symbol("callee"), info: ReturnCallInfo()))
        result.append(.returnCallUnknown(target: .r11, info: ReturnCallInfo()))
        return result
    }
}
