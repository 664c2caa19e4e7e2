/// Deliberate miscompilations for the differential fuzzer's self-test (test-only).
///
/// `egret fuzz` must find each of these with a short campaign and reduce it to a small
/// case; with none planted the same campaign is clean. The hook is `Compiler.Options
/// .plantedBug` (nil in every real use), read in three places of `Compiler.compile`
/// and nowhere else, so changes to the backend elsewhere do not disturb it.
public enum PlantedBug: String, CaseIterable, Sendable {
    /// `icmp slt` materialised with `setle`: a wrong condition code in one rule.
    case wrongConditionCode = "wrong-condition-code"
    /// `rbx` is used but not saved and restored: a wrong callee-saved register set.
    case wrongCalleeSaved = "wrong-callee-saved"
    /// Incoming stack arguments are read one slot (8 bytes) too high: an off-by-one
    /// stack offset.
    case stackOffsetOffByOne = "stack-offset-off-by-one"
    /// Integer stores lose their trap records: a store that faults (past the heap's end)
    /// is a crash of the generated code rather than `heap_oob` — a broken trap table.
    case storeWithoutTrapRecord = "store-without-trap-record"

    /// Rewrites the lowered code for `wrongConditionCode` and `storeWithoutTrapRecord`.
    func plant(in vcode: inout VCode<X64Inst>) {
        for index in vcode.insts.indices {
            switch (self, vcode.insts[index]) {
            case (.wrongConditionCode, .setcc(cc: .l, let dst)):
                vcode.insts[index] = .setcc(cc: .le, dst: dst)
            case (.storeWithoutTrapRecord, .store), (.storeWithoutTrapRecord, .storeImm):
                vcode.insts[index] = vcode.insts[index].mapMemoryOperand { Amode($0.address, trap: nil) }
            default:
                break
            }
        }
    }

    /// The callee-saved registers the prologue saves, for `wrongCalleeSaved`.
    func saved(_ registers: [PReg]) -> [PReg] {
        self == .wrongCalleeSaved ? registers.filter { $0 != .rbx } : registers
    }

    /// Bytes added to every incoming stack argument's offset.
    var incomingArgumentBias: Int32 { self == .stackOffsetOffByOne ? 8 : 0 }
}
