import EgretCodegen

/// Deliberate miscompilations for the differential fuzzer's self-test.
///
/// `egret fuzz --plant-bug NAME` (a test-only option) must find each of these with a
/// short campaign and reduce it to a small case; with none planted the same campaign
/// is clean (CampaignTests). Each bug reaches the compiler as CompilerHooks, so the
/// backend itself knows nothing of them and changes elsewhere in it do not disturb them.
public enum PlantedBug: String, CaseIterable, Sendable {
    /// `icmp slt` materialised with `setle`: a wrong condition code in one rule.
    case wrongConditionCode = "wrong-condition-code"
    /// `rbx` is used but not saved and restored: a wrong callee-saved register set.
    case wrongCalleeSaved = "wrong-callee-saved"
    /// Incoming stack arguments are read one slot (8 bytes) too high: an off-by-one
    /// stack offset.
    case stackOffsetOffByOne = "stack-offset-off-by-one"
    /// Integer stores lose their trap records: a store that faults (past the heap's end)
    /// is a crash of the generated code rather than `heap_oob`, a broken trap table.
    case storeWithoutTrapRecord = "store-without-trap-record"

    /// The hooks that plant the bug.
    public var hooks: CompilerHooks {
        var hooks = CompilerHooks()
        switch self {
        case .wrongConditionCode:
            hooks.afterLower = { lowered in
                for index in lowered.vcode.insts.indices {
                    if case .setcc(cc: .l, let dst) = lowered.vcode.insts[index] {
                        lowered.vcode.insts[index] = .setcc(cc: .le, dst: dst)
                    }
                }
            }
        case .storeWithoutTrapRecord:
            hooks.afterLower = { lowered in
                for index in lowered.vcode.insts.indices where Self.isIntegerStore(lowered.vcode.insts[index]) {
                    lowered.vcode.insts[index] = lowered.vcode.insts[index].mapMemoryOperand {
                        Amode($0.address, trap: nil)
                    }
                }
            }
        case .wrongCalleeSaved:
            hooks.frame = { choices in choices.savedRegisters.removeAll { $0 == .rbx } }
        case .stackOffsetOffByOne:
            hooks.frame = { choices in choices.incomingArgumentBias = 8 }
        }
        return hooks
    }

    /// Whether `instruction` is an integer store (of a register or an immediate).
    static func isIntegerStore(_ instruction: X64Inst) -> Bool {
        if case .store = instruction { return true }
        if case .storeImm = instruction { return true }
        return false
    }
}
