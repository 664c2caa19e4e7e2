/// The `.eh_frame` section of an object: one CIE and one FDE per function, in the
/// form the System V x86-64 ABI and the LSB describe (DWARF call frame information
/// with the `zR` augmentation).
///
///     CIE   version 1, "zR", code alignment 1, data alignment -8, return address
///           r16, FDE pointers pc-relative sdata4 (objects) or absolute 8-byte (the
///           JIT, whose code may lie more than 2 GiB from the table); initially
///           CFA = rsp + 8 and the return address at CFA - 8
///     FDE   pc_begin (objects: a PC32 relocation to the function), pc_range, then
///           the rows of `UnwindRecord`s: the prologue, each change at the offset
///           just after the instruction that made it
///
/// The prologue is described in either order (`PrologueOrder`), and each `ret` epilogue between DW_CFA_remember_state
/// and DW_CFA_restore_state: after `pop rbp` the CFA is rsp + 8. So is each tail
/// call's: restored registers lose their rules, the return address lives in rax
/// (DW_CFA_register) until it is stored below the moved arguments
/// (DW_CFA_offset_extended_sf), and once rbp is reloaded the CFA is rsp-based,
/// below rsp for a moment when the arguments shrink (DW_CFA_def_cfa_offset_sf).
struct EHFrame {
    /// The section's bytes.
    private(set) var bytes: [UInt8] = []
    /// PC-relative 32-bit fields to fill with a function's address: at `offset` in
    /// this section, the function starting at `textOffset` in `.text`.
    private(set) var relocations: [(offset: Int, textOffset: Int)] = []
    /// Where each FDE starts in `bytes` (its length field), in the order added: what
    /// an unwinder that registers one FDE at a time (LLVM's libunwind) is given.
    private(set) var fdeOffsets: [Int] = []

    private static let cieOffset = 0

    /// How FDEs hold their function's address.
    enum PointerEncoding {
        /// 4 bytes, relative to the field (DW_EH_PE_pcrel | DW_EH_PE_sdata4), filled
        /// by the linker: `relocations`.
        case pcRelative
        /// 8 bytes, the address itself (DW_EH_PE_absptr); pc_range 8 bytes too.
        case absolute
    }

    let encoding: PointerEncoding

    init(encoding: PointerEncoding = .pcRelative) {
        self.encoding = encoding
        appendCIE()
    }

    private mutating func appendCIE() {
        var body: [UInt8] = []
        body.append32(0)                      // CIE id
        body.append(1)                        // version
        body.append(contentsOf: Array("zR".utf8) + [0])
        body.appendULEB(1)                    // code alignment factor
        body.appendSLEB(-8)                   // data alignment factor
        body.appendULEB(DWARFRegister.returnAddress)
        body.appendULEB(1)                    // augmentation data: one byte,
        body.append(encoding == .pcRelative ? 0x1B : 0x00)
        body.append(CFA.defCFA)
        body.appendULEB(DWARFRegister.rsp)
        body.appendULEB(8)
        body.append(CFA.offset | UInt8(DWARFRegister.returnAddress))
        body.appendULEB(1)                    // at CFA - 8
        appendEntry(body)
    }

    /// Adds the FDE of a function at `textOffset` in `.text` (for `.absolute`: at that
    /// address), `length` bytes long.
    mutating func addFunction(textOffset: Int, length: Int, unwind: [UnwindRecord]) {
        let start = bytes.count
        fdeOffsets.append(start)
        var body: [UInt8] = []
        // CIE pointer: from this field (just after the length) back to the CIE.
        body.append32(UInt32(start + 4 - EHFrame.cieOffset))
        switch encoding {
        case .pcRelative:
            relocations.append((offset: start + 8, textOffset: textOffset))
            body.append32(0)                  // pc_begin, relocated
            body.append32(UInt32(length))     // pc_range
        case .absolute:
            body.append64(UInt64(textOffset))
            body.append64(UInt64(length))
        }
        body.appendULEB(0)                    // no augmentation data
        var location = 0
        var cfa = CFARule()
        var remembered: [CFARule] = []
        for record in unwind {
            advance(&body, from: &location, to: record.codeOffset)
            EHFrame.appendRule(record, cfa: &cfa, remembered: &remembered, to: &body)
        }
        appendEntry(body)
    }

    /// The section with a zero terminator, as libgcc's `__register_frame` takes it.
    var terminated: [UInt8] { bytes + [0, 0, 0, 0] }

    /// Appends a length-prefixed entry, padded with `DW_CFA_nop` to 8 bytes.
    private mutating func appendEntry(_ body: [UInt8]) {
        var padded = body
        while (padded.count + 4) % 8 != 0 { padded.append(CFA.nop) }
        bytes.append32(UInt32(padded.count))
        bytes.append(contentsOf: padded)
    }

    private func advance(_ body: inout [UInt8], from location: inout Int, to offset: Int) {
        let delta = offset - location
        guard delta > 0 else { return }
        if delta < 0x40 {
            body.append(CFA.advanceLoc | UInt8(delta))
        } else if delta <= 0xFF {
            body.append(CFA.advanceLoc1)
            body.append(UInt8(delta))
        } else if delta <= 0xFFFF {
            body.append(CFA.advanceLoc2)
            body.append(UInt8(delta & 0xFF))
            body.append(UInt8(delta >> 8))
        } else {
            body.append(CFA.advanceLoc4)
            body.append32(UInt32(delta))
        }
        location = offset
    }

    /// The rule a step sets. Until the frame pointer is set the CFA is rsp-based, and
    /// each push and allocation moves it; once set, rbp = CFA - 16, so a register
    /// saved at rbp + k is at CFA - 16 + k.
    private static func appendRule(_ record: UnwindRecord, cfa: inout CFARule, remembered: inout [CFARule],
                                   to body: inout [UInt8]) {
        let before = cfa
        cfa.apply(record)
        switch record {
        case .pushFramePointer:
            body.append(CFA.defCFAOffset)
            body.appendULEB(cfa.offset)
            body.append(CFA.offset | UInt8(DWARFRegister.rbp))
            body.appendULEB(2)                // at CFA - 16
        case .defineFramePointer:
            if before.offset == cfa.offset {
                body.append(CFA.defCFARegister)
                body.appendULEB(DWARFRegister.rbp)
            } else {
                body.append(CFA.defCFA)
                body.appendULEB(DWARFRegister.rbp)
                body.appendULEB(cfa.offset)
            }
        case .saveRegister(_, let register, let offset), .saveVectorRegister(_, let register, let offset):
            if cfa.offset != before.offset {
                body.append(CFA.defCFAOffset)
                body.appendULEB(cfa.offset)
            }
            // A factored offset (CFA - 8n); vector saves are 16-byte aligned, so
            // their offsets are multiples of 8 too.
            let factored = (16 - Int(offset)) / 8
            body.append(CFA.offsetExtended)
            body.appendULEB(DWARFRegister.number(of: register))
            body.appendULEB(factored)
        case .stackAllocation:
            if cfa.offset != before.offset {
                body.append(CFA.defCFAOffset)
                body.appendULEB(cfa.offset)
            }
        case .epilogueBegin:
            remembered.append(before)
            body.append(CFA.rememberState)
        case .popFramePointer:
            body.append(CFA.defCFA)
            body.appendULEB(DWARFRegister.rsp)
            body.appendULEB(8)
            body.append(CFA.restore | UInt8(DWARFRegister.rbp))
        case .restoredRegister(_, let register):
            body.append(CFA.restore | UInt8(DWARFRegister.number(of: register)))
        case .returnAddressInRegister(_, let register):
            body.append(CFA.register)
            body.appendULEB(DWARFRegister.returnAddress)
            body.appendULEB(DWARFRegister.number(of: register))
        case .framePointerReloaded(_, let cfaOffset):
            body.append(CFA.defCFA)
            body.appendULEB(DWARFRegister.rsp)
            body.appendULEB(Int(cfaOffset))
            body.append(CFA.restore | UInt8(DWARFRegister.rbp))
        case .stackPointerMoved(_, let cfaOffset):
            if cfaOffset >= 0 {
                body.append(CFA.defCFAOffset)
                body.appendULEB(Int(cfaOffset))
            } else {
                body.append(CFA.defCFAOffsetSF)
                body.appendSLEB(Int(cfaOffset) / -8)  // factored by the data alignment, -8
            }
        case .returnAddressSaved(_, let offsetFromCFA):
            body.append(CFA.offsetExtendedSF)
            body.appendULEB(DWARFRegister.returnAddress)
            body.appendSLEB(Int(offsetFromCFA) / -8)
        case .epilogueEnd:
            // The body's rules again. The CFA rule is restored as well as the
            // registers' (GCC's output relies on it, libgcc and both libunwinds do it),
            // and stated once more for readers that restore only the registers'
            // (llvm-dwarfdump 14 among them).
            cfa = remembered.popLast() ?? cfa
            body.append(CFA.restoreState)
            body.append(CFA.defCFA)
            body.appendULEB(DWARFRegister.rbp)
            body.appendULEB(16)
        }
    }
}

/// Where the CFA is, step by step through a function's unwind records: rsp + 8 at
/// entry, rsp + 8 more for each push and rsp + n more for each allocation until the
/// frame pointer is set, rbp + 16 from then on, rsp + 8 after an epilogue's `pop rbp`.
/// (`epilogueEnd` returns to the state before the epilogue, which the caller keeps.)
struct CFARule: Hashable {
    var isFramePointer = false
    var offset = 8

    mutating func apply(_ record: UnwindRecord) {
        switch record {
        case .pushFramePointer:
            offset = 16
        case .defineFramePointer:
            isFramePointer = true
            offset = 16
        case .saveRegister(_, _, let saveOffset):
            // A push: the register lands at CFA - 16 + saveOffset, where rsp is now.
            if !isFramePointer { offset = 16 - Int(saveOffset) }
        case .stackAllocation(_, let size):
            if !isFramePointer { offset += Int(size) }
        case .saveVectorRegister, .epilogueBegin, .epilogueEnd, .restoredRegister, .returnAddressInRegister,
             .returnAddressSaved:
            break
        case .popFramePointer:
            isFramePointer = false
            offset = 8
        case .framePointerReloaded(_, let cfaOffset), .stackPointerMoved(_, let cfaOffset):
            isFramePointer = false
            offset = Int(cfaOffset)
        }
    }
}

/// DWARF call frame instructions (DWARF 5 §6.4.2).
enum CFA {
    static let nop: UInt8 = 0x00
    static let advanceLoc: UInt8 = 0x40
    static let offset: UInt8 = 0x80
    static let advanceLoc1: UInt8 = 0x02
    static let advanceLoc2: UInt8 = 0x03
    static let advanceLoc4: UInt8 = 0x04
    static let offsetExtended: UInt8 = 0x05
    static let restore: UInt8 = 0xC0
    static let rememberState: UInt8 = 0x0A
    static let restoreState: UInt8 = 0x0B
    static let defCFA: UInt8 = 0x0C
    static let defCFARegister: UInt8 = 0x0D
    static let defCFAOffset: UInt8 = 0x0E
    static let register: UInt8 = 0x09
    static let offsetExtendedSF: UInt8 = 0x11
    static let defCFAOffsetSF: UInt8 = 0x13
}

/// DWARF register numbers of x86-64 (System V ABI, figure 3.36).
enum DWARFRegister {
    static let rbp = 6
    static let rsp = 7
    static let returnAddress = 16

    /// rax rdx rcx rbx rsi rdi rbp rsp r8–r15 are 0–15 (not the hardware order); xmm n
    /// is 17 + n.
    static func number(of register: PReg) -> Int {
        let encoding = Int(register.hardwareEncoding)
        switch register.regClass {
        case .float: return 17 + encoding
        case .int:
            let low: [Int] = [0, 2, 1, 3, 7, 6, 4, 5]  // rax rcx rdx rbx rsp rbp rsi rdi
            return encoding < 8 ? low[encoding] : encoding
        }
    }
}

extension UnwindRecord {
    var codeOffset: Int {
        switch self {
        case .pushFramePointer(let offset), .defineFramePointer(let offset): return offset
        case .saveRegister(let offset, _, _), .stackAllocation(let offset, _),
             .saveVectorRegister(let offset, _, _): return offset
        case .epilogueBegin(let offset), .popFramePointer(let offset), .epilogueEnd(let offset): return offset
        case .restoredRegister(let offset, _), .returnAddressInRegister(let offset, _),
             .framePointerReloaded(let offset, _), .stackPointerMoved(let offset, _),
             .returnAddressSaved(let offset, _): return offset
        }
    }
}

extension Array where Element == UInt8 {
    mutating func append16(_ value: UInt16) {
        append(UInt8(value & 0xFF))
        append(UInt8(value >> 8))
    }

    mutating func append32(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { append(UInt8((value >> UInt32(shift)) & 0xFF)) }
    }

    mutating func append64(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { append(UInt8((value >> UInt64(shift)) & 0xFF)) }
    }

    mutating func appendULEB(_ value: Int) {
        var rest = UInt(value)
        repeat {
            var byte = UInt8(rest & 0x7F)
            rest >>= 7
            if rest != 0 { byte |= 0x80 }
            append(byte)
        } while rest != 0
    }

    mutating func appendSLEB(_ value: Int) {
        var rest = value
        while true {
            let byte = UInt8(rest & 0x7F)
            rest >>= 7
            let done = (rest == 0 && byte & 0x40 == 0) || (rest == -1 && byte & 0x40 != 0)
            append(done ? byte : byte | 0x80)
            if done { return }
        }
    }

    /// Overwrites 4 little-endian bytes at `offset`.
    mutating func put32(_ value: UInt32, at offset: Int) {
        for index in 0 ..< 4 { self[offset + index] = UInt8((value >> UInt32(8 * index)) & 0xFF) }
    }
}
