/// `X64Inst` as the machine-independent layers see it: the register allocator's moves,
/// spills and reloads.
extension X64Inst: MachineInstruction {
    public static func registerMove(from source: PReg, to destination: PReg) -> X64Inst {
        precondition(source.regClass == .int && destination.regClass == .int,
                     "vector register moves arrive with the vector forms")
        return .movRR(size: .size64, src: Gpr(source), dst: Writable(Gpr(destination)))
    }

    public static func spill(_ register: PReg, to slot: UInt32) -> X64Inst {
        precondition(register.regClass == .int, "vector register spills arrive with the vector forms")
        return .store(size: .size64, src: Gpr(register), dst: Amode(.frame(.spillSlot(slot), displacement: 0)))
    }

    public static func reload(_ register: PReg, from slot: UInt32) -> X64Inst {
        precondition(register.regClass == .int, "vector register reloads arrive with the vector forms")
        return .load(size: .size64, src: Amode(.frame(.spillSlot(slot), displacement: 0)),
                     dst: Writable(Gpr(register)))
    }

    public var copiedRegisters: (source: Reg, destination: Reg)? {
        if case .movRR(.size64, let source, let destination) = self {
            return (source.reg, destination.reg.reg)
        }
        return nil
    }
}
