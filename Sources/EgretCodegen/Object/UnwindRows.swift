/// The rows of a function's call frame information, computed from its unwind records
/// as an unwinder would from the `.eh_frame` Egret writes (EHFrame.swift): one row at
/// the start and one at each offset where a record changes or restates a rule. The
/// text of each row is llvm-dwarfdump's (`  0x4: CFA=RBP+16: RBP=[CFA-16], RIP=[CFA-8]`),
/// so `egret compile --unwind` can be compared with it line for line.
public enum UnwindRows {
    /// The CFA as register + offset, and the registers saved at CFA + offset (by
    /// DWARF number).
    struct State {
        var cfa = CFARule()
        var saved: [Int: Int] = [DWARFRegister.returnAddress: -8]
        /// Registers whose value lives in another register (by DWARF number).
        var inRegister: [Int: Int] = [:]
    }

    public static func rows(of unwind: [UnwindRecord]) -> [String] {
        var state = State()
        var remembered: [State] = []
        var rows = [text(at: 0, state)]
        var index = 0
        while index < unwind.count {
            let offset = unwind[index].codeOffset
            while index < unwind.count && unwind[index].codeOffset == offset {
                apply(unwind[index], to: &state, remembered: &remembered)
                index += 1
            }
            if offset > 0 { rows.append(text(at: offset, state)) } else { rows[0] = text(at: 0, state) }
        }
        return rows
    }

    private static func apply(_ record: UnwindRecord, to state: inout State, remembered: inout [State]) {
        if case .epilogueBegin = record { remembered.append(state) }
        state.cfa.apply(record)
        switch record {
        case .pushFramePointer:
            state.saved[DWARFRegister.rbp] = -16
        case .saveRegister(_, let register, let offset), .saveVectorRegister(_, let register, let offset):
            state.saved[DWARFRegister.number(of: register)] = -16 + Int(offset)
        case .defineFramePointer, .stackAllocation, .epilogueBegin:
            break
        case .popFramePointer, .framePointerReloaded:
            state.saved[DWARFRegister.rbp] = nil
        case .restoredRegister(_, let register):
            state.saved[DWARFRegister.number(of: register)] = nil
        case .returnAddressInRegister(_, let register):
            state.saved[DWARFRegister.returnAddress] = nil
            state.inRegister[DWARFRegister.returnAddress] = DWARFRegister.number(of: register)
        case .returnAddressSaved(_, let offset):
            state.inRegister[DWARFRegister.returnAddress] = nil
            state.saved[DWARFRegister.returnAddress] = Int(offset)
        case .stackPointerMoved:
            break
        case .epilogueEnd:
            if let previous = remembered.popLast() { state = previous }
        }
    }

    private static func text(at offset: Int, _ state: State) -> String {
        let keys = Set(state.saved.keys).union(state.inRegister.keys).sorted()
        let registers = keys.map { key -> String in
            if let other = state.inRegister[key] { return "\(name(of: key))=\(name(of: other))" }
            let offset = state.saved[key] ?? 0
            return "\(name(of: key))=[CFA\(offset < 0 ? "" : "+")\(offset)]"
        }
        let register = state.cfa.isFramePointer ? DWARFRegister.rbp : DWARFRegister.rsp
        return "  0x\(String(offset, radix: 16)): CFA=\(name(of: register))+\(state.cfa.offset): "
            + registers.joined(separator: ", ")
    }

    /// llvm-dwarfdump's names of the x86-64 DWARF registers.
    static func name(of number: Int) -> String {
        let low = ["RAX", "RDX", "RCX", "RBX", "RSI", "RDI", "RBP", "RSP"]
        if number < 8 { return low[number] }
        if number < 16 { return "R\(number)" }
        if number == 16 { return "RIP" }
        return "XMM\(number - 17)"
    }
}
