/// `X64Inst` as the machine-independent layers see it: the register allocator's moves,
/// spills and reloads. Integer registers move with `movq` and spill as 8 bytes; xmm
/// registers hold scalar f32/f64 values only (vectors are not lowered), so they move
/// with `movaps` and spill their low 8 bytes with `movsd` into the same 8-byte slots.
extension X64Inst: MachineInstruction {
    public static func registerMove(from source: PReg, to destination: PReg) -> X64Inst {
        precondition(source.regClass == destination.regClass, "register move between classes: \(source) to \(destination)")
        switch source.regClass {
        case .int:
            return .movRR(size: .size64, src: Gpr(source), dst: Writable(Gpr(destination)))
        case .float:
            return .xmmMove(src: Xmm(source), dst: Writable(Xmm(destination)))
        }
    }

    public static func spill(_ register: PReg, to slot: UInt32) -> X64Inst {
        let place = Amode(.frame(.spillSlot(slot), displacement: 0))
        switch register.regClass {
        case .int: return .store(size: .size64, src: Gpr(register), dst: place)
        case .float: return .xmmStore(.movsd, src: Xmm(register), dst: place)
        }
    }

    public static func reload(_ register: PReg, from slot: UInt32) -> X64Inst {
        let place = Amode(.frame(.spillSlot(slot), displacement: 0))
        switch register.regClass {
        case .int: return .load(size: .size64, src: place, dst: Writable(Gpr(register)))
        case .float: return .xmmLoad(.movsd, src: place, dst: Writable(Xmm(register)))
        }
    }

    public var copiedRegisters: (source: Reg, destination: Reg)? {
        if case .movRR(.size64, let source, let destination) = self {
            return (source.reg, destination.reg.reg)
        }
        if case .xmmMove(let source, let destination) = self {
            return (source.reg, destination.reg.reg)
        }
        return nil
    }
}
