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

    @Test func tableCoversEveryShapeOperandKindAndCondition() {
        let covered = Set(X64EncoderTable.all.flatMap { coverageKeys($0.inst) })
        let expected = X64Format.allCases.flatMap(expectedFormatKeys) + expectedDedicatedShapeKeys()
        for key in expected {
            let present = covered.contains(key)
            #expect(present, "the encoder table has no `\(key)`")
        }
    }

    /// Every row of the form table, at every size it declares, is in the encoder
    /// table: a new row without an encoder-test row fails here.
    @Test func tableCoversEveryRowAtEverySize() {
        let used = Set(X64EncoderTable.all.flatMap { rowKeys($0.inst) })
        for form in FormID.allCases {
            for key in expectedRowKeys(form) {
                let present = used.contains(key)
                #expect(present, "the encoder table has no instruction of form `\(key)`")
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

/// The rows an instruction uses, each at its size: `add size32`, `movaps`.
func rowKeys(_ inst: X64Inst) -> [String] {
    inst.formsUsed.map { (form: FormID, size: OperandSize?) -> String in
        size.map { "\(form) \($0)" } ?? "\(form)"
    }
}

/// Every row at every size it declares (the row alone when its width is fixed).
func expectedRowKeys(_ form: FormID) -> [String] {
    let sizes = form.row.sizes.list
    return sizes.isEmpty ? ["\(form)"] : sizes.map { "\(form) \($0)" }
}

/// What one instruction exercises beyond its rows: `format operand-kind size` for
/// the shapes that carry a form, and each dedicated shape's own dimensions
/// (conditions, address kinds). A switch over shapes with no default: a new shape
/// does not compile until it says what it covers.
func coverageKeys(_ inst: X64Inst) -> [String] {
    switch inst {
    case .aluRmiR(_, let size, _, let src2, _):
        return ["aluRmiR \(kind(src2)) \(size)"]
    case .cmpRmiR(_, let size, _, let src2):
        return ["cmpRmiR \(kind(src2)) \(size)"]
    case .aluRmImmR(_, let size, let src, let imm, _):
        return ["aluRmImmR \(kind(src)) \(size)", "aluRmImmR \(fitsInInt8(imm) ? "imm8" : "imm32") \(size)"]
    case .mul(_, let size, _, let src2, _, _):
        return ["multiply \(kind(src2)) \(size)"]
    case .mul8(_, _, let src2, _):
        return ["multiply \(kind(src2)) size8"]
    case .div(_, let size, _, _, let divisor, _, _, _):
        return ["divide \(kind(divisor)) \(size)"]
    case .div8(_, _, let divisor, _, _):
        return ["divide \(kind(divisor)) size8"]
    case .signExtendData:
        return []
    case .shiftR(_, let size, _, let count, _):
        let countKind: String
        switch count {
        case .imm(1): countKind = "by1"
        case .imm: countKind = "imm"
        case .cl: countKind = "cl"
        }
        return ["shiftR \(countKind) \(size)"]
    case .unary:
        return []
    case .unaryRmR(_, let size, let src, _):
        return ["unaryRmR \(kind(src)) \(size)"]
    case .setcc(let cc, _):
        return ["setcc \(cc)"]
    case .cmove(let size, let cc, let consequent, _, _):
        return ["cmove \(cc)", "cmove \(kind(consequent)) \(size)"]
    case .movRR(let size, _, _):
        return ["movRR \(size)"]
    case .movImm(let size, let imm, _):
        let fitsImm32 = Int32(exactly: Int64(bitPattern: imm)) != nil
        return ["movImm \(size == .size64 && !fitsImm32 ? "movabs" : "imm32") \(size)"]
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
    case .xmmLoad(_, let address, _):
        return ["xmmLoad \(kind(address))"]
    case .xmmStore(_, _, let address):
        return ["xmmStore \(kind(address))"]
    case .xmmMove:
        return ["xmmMove"]
    case .gprToXmm(_, let size, let src, _):
        return ["gprToXmm \(kind(src)) \(size)"]
    case .xmmToGpr(_, let size, let src, _):
        return ["xmmToGpr \(kind(src)) \(size)"]
    case .xmmRmR(_, _, let src2, _):
        return ["xmmRmR \(kind(src2))"]
    case .xmmUnaryRmR(_, let src, _):
        return ["xmmUnaryRmR \(kind(src))"]
    case .xmmUnaryRmRImm(_, let imm, let src, _):
        return ["xmmUnaryRmRImm \(kind(src))", "xmmUnaryRmRImm $\(imm)"]
    case .xmmCompare(_, _, let src2):
        return ["xmmCompare \(kind(src2))"]
    case .xmmCompareMask(_, let predicate, _, let src2, _):
        return ["xmmCompareMask \(predicate)", "xmmCompareMask \(kind(src2))"]
    case .xmmVexTernary(_, _, _, let src3, _):
        return ["xmmVexTernary \(kind(src3))"]
    case .xmmCmove(let cc, _, _, _):
        return ["xmmCmove \(cc)"]
    case .lockCmpxchg(let size, _, _, let address, _):
        return ["lockCmpxchg \(kind(address)) \(size)"]
    case .exchange(_, let size, _, let address, _):
        return ["exchange \(kind(address)) \(size)"]
    case .fence:
        return []
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

/// `cross(["a"], ["b", "c"])` = ["a b", "a c"].
func cross(_ parts: [String]...) -> [String] {
    parts.reduce([""]) { prefixes, options in
        prefixes.flatMap { prefix in options.map { prefix.isEmpty ? $0 : prefix + " " + $0 } }
    }
}

let regMem = ["reg", "mem"]
let regMemImm = ["reg", "mem", "imm"]
let addressKinds = ["base", "baseIndex", "rip"]
let conditions = CC.allCases.map(\.description)

/// The rows of a format.
func forms(of format: X64Format) -> [FormID] { FormID.allCases.filter { $0.row.format == format } }

/// The operand kinds each format's shape must be seen with, by some row of the
/// format, at each size of the format. (Each row at each of its sizes is
/// `expectedRowKeys`: a new row of a format needs no more than that.)
func expectedFormatKeys(_ format: X64Format) -> [String] {
    let sizes = Set(forms(of: format).flatMap(\.row.sizes.list)).sorted { $0.bits < $1.bits }.map(\.description)
    let name = "\(format)"
    switch format {
    case .aluRmiR, .cmpRmiR:
        return cross([name], regMemImm, sizes)
    case .aluRmImmR:
        return cross([name], regMem + ["imm8", "imm32"], sizes)
    case .multiply, .divide, .unaryRmR, .gprToXmm, .xmmToGpr:
        return cross([name], regMem, sizes)
    case .signExtendData, .unary, .fence, .dedicated:
        return []
    case .shiftR:
        return cross([name], ["by1", "imm", "cl"], sizes)
    case .xmmLoadStore:
        return cross(["xmmLoad", "xmmStore"], addressKinds)
    case .xmmRmR, .xmmUnaryRmR, .xmmCompare, .xmmVexTernary:
        return cross([name], regMem)
    case .xmmUnaryRmRImm:
        return cross([name], regMem + RoundingMode.allCases.map { "$\($0.immediate)" })
    case .xmmCompareMask:
        return cross([name], regMem + FloatComparePredicate.allCases.map { "\($0)" })
    case .exchange:
        return cross([name], addressKinds, sizes)
    }
}

/// The dimensions of the shapes that carry no form.
func expectedDedicatedShapeKeys() -> [String] {
    let all = OperandSize.allCases.map(\.description)
    let wide = ["size32", "size64"]
    return cross(["setcc"], conditions)
        + cross(["cmove"], conditions) + cross(["cmove"], regMem, ["size16", "size32", "size64"])
        + cross(["movRR"], wide) + cross(["movImm imm32"], wide) + ["movImm movabs size64"]
        + cross(["lea"], addressKinds, wide) + cross(["load", "store", "storeImm"], addressKinds, all)
        + ["loadSymbol", "pop", "callKnown", "ret", "jmp", "ud2", "returnCallKnown", "returnCallUnknown", "xmmMove"]
        + cross(["push"], regMemImm) + cross(["callUnknown", "jmpIndirect"], regMem)
        + cross(["jcc", "trapIf", "xmmCmove"], conditions)
        + cross(["lockCmpxchg"], addressKinds, all)
        // The loop is made of forms covered on their own; its rows show each
        // operation, size and address kind, and the byte swaps at every size.
        + cross(["atomicRmwLoop"], AtomicLoopOp.allCases.map { "\($0)" } + all + addressKinds)
        + cross(["atomicRmwLoop swapped"], all)
        + cross(["lockCmpxchg16b"], addressKinds)
        // No rip-relative form: the loop reads the second half 8 bytes further.
        + cross(["atomicRmwLoop128"], AtomicLoopOp.allCases.map { "\($0)" } + ["base", "baseIndex", "swapped"])
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
