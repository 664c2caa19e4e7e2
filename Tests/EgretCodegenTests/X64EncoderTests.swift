import Testing
import EgretIR
@testable import EgretCodegen

/// The encoder table: every instruction form at every operand size it supports, with
/// the AT&T text it prints as. The table is data (X64EncoderTable+*.swift); these
/// tests check it three ways:
///   1. Egret prints each instruction as the table says;
///   2. llvm-mc, given that text, produces Egret's bytes and prints the same text;
///   3. capstone, given Egret's bytes, decodes the same instruction, every byte used;
/// and that the table covers every form × size × operand kind.
enum X64EncoderTable {
    static var all: [EncoderCase] { arithmetic + multiplyShift + moves + control + floats + atomics }
}

struct X64EncoderTests {
    @Test func printsTheTableText() {
        for entry in X64EncoderTable.all {
            #expect(entry.inst.description == entry.text, sourceLocation: entry.sourceLocation)
        }
    }

    @Test func bytesMatchLLVMMCAndCapstone() throws {
        let table = X64EncoderTable.all
        let failures = try checkAgainstIndependentTools(table.map { ($0.inst, $0.text) })
        for failure in failures {
            let location = failure.index < table.count ? table[failure.index].sourceLocation : #_sourceLocation
            Issue.record(Comment(rawValue: failure.message), sourceLocation: location)
        }
    }

    @Test func tableCoversEveryFormSizeAndOperandKind() {
        let covered = Set(X64EncoderTable.all.flatMap { coverageKeys($0.inst) })
        for form in X64Inst.Form.allCases {
            for key in expectedCoverageKeys(form) {
                let present = covered.contains(key)
                #expect(present, "the encoder table has no `\(key)`")
            }
        }
    }

    @Test func tableUsesEveryRegisterAtEverySize() {
        let text = X64EncoderTable.all.map(\.text).joined(separator: " ") + " "
        for preg in Gpr.all.compactMap(\.reg.physical) {
            for size in OperandSize.allCases {
                let name = "%" + X64Registers.name(preg, size: size)
                let used = [",", " ", ")", ";"].contains { text.contains(name + $0) }
                #expect(used, "no table entry uses \(name)")
            }
        }
    }

    @Test func tableUsesEveryXmmRegister() {
        let text = X64EncoderTable.floats.map(\.text).joined(separator: " ") + " "
        for index in 0 ..< 16 {
            let name = "%xmm\(index)"
            let used = [",", " ", ";"].contains { text.contains(name + $0) }
            #expect(used, "no float table entry uses \(name)")
        }
    }

    /// The awkward addressing shapes, each present at least once.
    @Test func tableCoversAwkwardAddressing() {
        let addresses = X64EncoderTable.all.compactMap { $0.inst.memoryOperand?.address }
        func has(_ predicate: (Address) -> Bool) -> Bool { addresses.contains(where: predicate) }
        func base(_ address: Address) -> Gpr? {
            switch address {
            case .base(let base, _), .baseIndex(let base, _, _, _): return base
            case .ripRelative, .frame: return nil
            }
        }
        func displacement(_ address: Address) -> Int32? {
            switch address {
            case .base(_, let displacement), .baseIndex(_, _, _, let displacement): return displacement
            case .ripRelative, .frame: return nil
            }
        }
        func index(_ address: Address) -> Gpr? {
            if case .baseIndex(_, let index, _, _) = address { return index }
            return nil
        }
        for needed in [Gpr.rsp, .r12, .rbp, .r13] {
            #expect(has { base($0) == needed && displacement($0) == 0 }, "no (\(needed)) base without displacement")
            #expect(has { base($0) == needed && index($0) == nil }, "no \(needed) base without index")
        }
        #expect(has { index($0) == .r12 }, "no r12 index")
        #expect(has { index($0) == .r13 }, "no r13 index")
        #expect(has { base($0) == .rsp && index($0) != nil }, "no rsp base with an index")
        for scale in Scale.allCases {
            #expect(has { if case .baseIndex(_, _, scale, _) = $0 { return true } else { return false } })
        }
        for value: Int32 in [127, 128, -128, -129, .max, .min] {
            #expect(has { displacement($0) == value }, "no displacement \(value)")
        }
        #expect(has { if case .ripRelative = $0 { return true } else { return false } })
    }
}

// MARK: Coverage keys

/// What one instruction exercises: `form op size`, `form operand-kind size`, ….
/// A switch with no default: a new form does not compile until it says what it covers.
func coverageKeys(_ inst: X64Inst) -> [String] {
    switch inst {
    case .aluRmiR(let op, let size, _, let src2, _):
        return ["aluRmiR \(op) \(size)", "aluRmiR \(kind(src2)) \(size)"]
    case .cmpRmiR(let op, let size, _, let src2):
        return ["cmpRmiR \(op) \(kind(src2)) \(size)"]
    case .imul(let size, _, let src2, _):
        return ["imul \(kind(src2)) \(size)"]
    case .imulImm(let size, let src, let imm, _):
        return ["imulImm \(kind(src)) \(size)", "imulImm \(fitsInInt8(imm) ? "imm8" : "imm32") \(size)"]
    case .mul(let size, let signedness, _, let src2, _, _):
        return ["mul \(signedness) \(kind(src2)) \(size)"]
    case .mul8(let signedness, _, let src2, _):
        return ["mul8 \(signedness) \(kind(src2)) size8"]
    case .div(let size, let signedness, _, _, let divisor, _, _, _):
        return ["div \(signedness) \(kind(divisor)) \(size)"]
    case .div8(let signedness, _, let divisor, _, _):
        return ["div8 \(signedness) \(kind(divisor)) size8"]
    case .signExtendData(let size, _, _):
        return ["signExtendData \(size)"]
    case .shiftR(let shiftKind, let size, _, let count, _):
        let countKind: String
        switch count {
        case .imm(1): countKind = "by1"
        case .imm: countKind = "imm"
        case .cl: countKind = "cl"
        }
        return ["shiftR \(shiftKind) \(size)", "shiftR \(countKind) \(size)"]
    case .unary(let op, let size, _, _):
        return ["unary \(op) \(size)"]
    case .bitCount(let op, let size, let src, _):
        return ["bitCount \(op) \(size)", "bitCount \(kind(src)) \(size)"]
    case .bswap(let size, _, _):
        return ["bswap \(size)"]
    case .setcc(let cc, _):
        return ["setcc \(cc) size8"]
    case .cmove(let size, let cc, let consequent, _, _):
        return ["cmove \(cc)", "cmove \(kind(consequent)) \(size)"]
    case .movRR(let size, _, _):
        return ["movRR \(size)"]
    case .movImm(let size, let imm, _):
        let fitsImm32 = Int32(exactly: Int64(bitPattern: imm)) != nil
        return ["movImm \(size == .size64 && !fitsImm32 ? "movabs" : "imm32") \(size)"]
    case .movzx(let ext, let src, _):
        return ["movzx \(ext) \(kind(src))"]
    case .movsx(let ext, let src, _):
        return ["movsx \(ext) \(kind(src))"]
    case .lea(let size, let address, _):
        return ["lea \(kind(address)) \(size)"]
    case .load(let size, let address, _):
        return ["load \(kind(address)) \(size)"]
    case .store(let size, _, let address):
        return ["store \(kind(address)) \(size)"]
    case .storeImm(let size, _, let address):
        return ["storeImm \(kind(address)) \(size)"]
    case .loadSymbol:
        return ["loadSymbol"]
    case .push(let src):
        return ["push \(kind(src))"]
    case .pop:
        return ["pop"]
    case .callKnown:
        return ["callKnown"]
    case .callUnknown(let target, _):
        return ["callUnknown \(kind(target))"]
    case .ret:
        return ["ret"]
    case .jmp:
        return ["jmp"]
    case .jcc(let cc, _):
        return ["jcc \(cc)"]
    case .jmpIndirect(let target):
        return ["jmpIndirect \(kind(target))"]
    case .ud2:
        return ["ud2"]
    case .trapIf(let cc, _):
        return ["trapIf \(cc)"]
    case .returnCallKnown:
        return ["returnCallKnown"]
    case .returnCallUnknown:
        return ["returnCallUnknown"]
    case .xmmLoad(let width, let address, _):
        return ["xmmLoad \(width) \(kind(address))"]
    case .xmmStore(let width, _, let address):
        return ["xmmStore \(width) \(kind(address))"]
    case .xmmMove:
        return ["xmmMove"]
    case .gprToXmm(let size, _, _):
        return ["gprToXmm \(size)"]
    case .xmmToGpr(let size, _, _):
        return ["xmmToGpr \(size)"]
    case .xmmArith(let op, let width, _, let src2, _):
        return ["xmmArith \(op) \(width)", "xmmArith \(kind(src2)) \(width)"]
    case .xmmSqrt(let width, let src, _):
        return ["xmmSqrt \(kind(src)) \(width)"]
    case .xmmLogic(let op, _, let src2, _):
        return ["xmmLogic \(op)", "xmmLogic \(kind(src2))"]
    case .xmmCompare(let width, _, let src2):
        return ["xmmCompare \(kind(src2)) \(width)"]
    case .xmmCompareMask(let predicate, let width, _, let src2, _):
        return ["xmmCompareMask \(predicate) \(width)", "xmmCompareMask \(kind(src2)) \(width)"]
    case .intToFloat(let size, let width, let src, _):
        return ["intToFloat \(kind(src)) \(size) \(width)"]
    case .floatToInt(let width, let size, let src, _):
        return ["floatToInt \(kind(src)) \(size) \(width)"]
    case .floatConvert(let from, let src, _):
        return ["floatConvert \(kind(src)) \(from)"]
    case .xmmRound(let width, let mode, let src, _):
        return ["xmmRound \(mode) \(width)", "xmmRound \(kind(src)) \(width)"]
    case .fma(let width, _, _, let src3, _):
        return ["fma \(kind(src3)) \(width)"]
    case .xmmCmove(let cc, _, _, _):
        return ["xmmCmove \(cc)"]
    case .lockCmpxchg(let size, _, _, let address, _):
        return ["lockCmpxchg \(kind(address)) \(size)"]
    case .xchg(let size, _, let address, _):
        return ["xchg \(kind(address)) \(size)"]
    case .lockXadd(let size, _, let address, _):
        return ["lockXadd \(kind(address)) \(size)"]
    case .mfence:
        return ["mfence"]
    case .atomicRmwLoop(let op, let size, let byteSwapped, _, let address, _, _):
        return ["atomicRmwLoop \(op)", "atomicRmwLoop \(size)", "atomicRmwLoop \(kind(address))"]
            + (byteSwapped ? ["atomicRmwLoop swapped \(size)"] : [])
    case .lockCmpxchg16b(_, _, let address, _):
        return ["lockCmpxchg16b \(kind(address))"]
    case .atomicRmwLoop128(let op, let byteSwapped, _, let address, _, _, _):
        return ["atomicRmwLoop128 \(op)", "atomicRmwLoop128 \(kind(address))"]
            + (byteSwapped ? ["atomicRmwLoop128 swapped"] : [])
    }
}

/// Every key the table must contain for `form`: its sub-operations, operand kinds
/// and `Form.supportedSizes`.
func expectedCoverageKeys(_ form: X64Inst.Form) -> [String] {
    let sizes = form.supportedSizes
    func cross(_ parts: [String]...) -> [String] {
        parts.reduce([""]) { prefixes, options in
            prefixes.flatMap { prefix in options.map { prefix.isEmpty ? $0 : prefix + " " + $0 } }
        }
    }
    let sizeNames = sizes.map(\.description)
    let regMem = ["reg", "mem"]
    let regMemImm = ["reg", "mem", "imm"]
    let addressKinds = ["base", "baseIndex", "rip"]
    let signedness = ["unsigned", "signed"]
    let conditions = CC.allCases.map(\.description)
    let widths = FloatWidth.allCases.map(\.description)
    switch form {
    case .aluRmiR:
        return cross([form.rawValue], AluOp.allCases.map { "\($0)" }, sizeNames)
            + cross([form.rawValue], regMemImm, sizeNames)
    case .cmpRmiR:
        return cross([form.rawValue], CmpOp.allCases.map { "\($0)" }, regMemImm, sizeNames)
    case .imul:
        return cross([form.rawValue], regMem, sizeNames)
    case .imulImm:
        return cross([form.rawValue], regMem + ["imm8", "imm32"], sizeNames)
    case .mul, .div, .mul8, .div8:
        return cross([form.rawValue], signedness, regMem, sizeNames)
    case .signExtendData, .bswap, .movRR:
        return cross([form.rawValue], sizeNames)
    case .shiftR:
        return cross([form.rawValue], ShiftKind.allCases.map { "\($0)" } + ["by1", "imm", "cl"], sizeNames)
    case .unary:
        return cross([form.rawValue], UnaryOp.allCases.map { "\($0)" }, sizeNames)
    case .bitCount:
        return cross([form.rawValue], BitCountOp.allCases.map { "\($0)" } + regMem, sizeNames)
    case .setcc:
        return cross([form.rawValue], conditions, sizeNames)
    case .cmove:
        return cross([form.rawValue], conditions) + cross([form.rawValue], regMem, sizeNames)
    case .movImm:
        return cross([form.rawValue], ["imm32"], sizeNames) + ["movImm movabs size64"]
    case .movzx, .movsx:
        return cross([form.rawValue], ExtMode.allCases.map { "\($0)" }, regMem)
    case .lea, .load, .store, .storeImm:
        return cross([form.rawValue], addressKinds, sizeNames)
    case .push:
        return cross([form.rawValue], regMemImm)
    case .callUnknown, .jmpIndirect:
        return cross([form.rawValue], regMem)
    case .jcc, .trapIf:
        return cross([form.rawValue], conditions)
    case .loadSymbol, .pop, .callKnown, .ret, .jmp, .ud2, .returnCallKnown, .returnCallUnknown, .xmmMove:
        return [form.rawValue]
    case .xmmLoad, .xmmStore:
        return cross([form.rawValue], XmmWidth.allCases.map { "\($0)" }, addressKinds)
    case .gprToXmm, .xmmToGpr:
        return cross([form.rawValue], sizeNames)
    case .xmmArith:
        return cross([form.rawValue], FloatArithOp.allCases.map { "\($0)" } + regMem, widths)
    case .xmmSqrt, .xmmCompare, .fma:
        return cross([form.rawValue], regMem, widths)
    case .xmmLogic:
        return cross([form.rawValue], FloatLogicOp.allCases.map { "\($0)" } + regMem)
    case .xmmCompareMask:
        return cross([form.rawValue], FloatComparePredicate.allCases.map { "\($0)" } + regMem, widths)
    case .intToFloat, .floatToInt:
        return cross([form.rawValue], regMem, sizeNames, widths)
    case .floatConvert:
        return cross([form.rawValue], regMem, widths)
    case .xmmRound:
        return cross([form.rawValue], RoundingMode.allCases.map { "\($0)" } + regMem, widths)
    case .xmmCmove:
        return cross([form.rawValue], conditions)
    case .lockCmpxchg, .xchg, .lockXadd:
        return cross([form.rawValue], addressKinds, sizeNames)
    case .mfence:
        return [form.rawValue]
    case .atomicRmwLoop:
        // The loop is made of forms covered on their own; its rows show each
        // operation, size and address kind, and the byte swaps at every size.
        return cross([form.rawValue], AtomicLoopOp.allCases.map { "\($0)" } + sizeNames + addressKinds)
            + cross([form.rawValue], ["swapped"], sizeNames)
    case .lockCmpxchg16b:
        return cross([form.rawValue], addressKinds)
    case .atomicRmwLoop128:
        // No rip-relative form: the loop reads the second half 8 bytes further.
        return cross([form.rawValue], AtomicLoopOp.allCases.map { "\($0)" } + ["base", "baseIndex", "swapped"])
    }
}

func kind(_ operand: GprMemImm) -> String {
    switch operand {
    case .reg: return "reg"
    case .mem: return "mem"
    case .imm: return "imm"
    }
}

func kind(_ operand: GprMem) -> String {
    switch operand {
    case .reg: return "reg"
    case .mem: return "mem"
    }
}

func kind(_ operand: XmmMem) -> String {
    switch operand {
    case .reg: return "reg"
    case .mem: return "mem"
    }
}

func kind(_ amode: Amode) -> String {
    switch amode.address {
    case .base: return "base"
    case .baseIndex: return "baseIndex"
    case .ripRelative: return "rip"
    case .frame: return "frame"
    }
}
