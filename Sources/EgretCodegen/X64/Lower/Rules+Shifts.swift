import EgretIR

/// Shifts and rotates: ishl, ushr, sshr, rotl, rotr.
///
/// CLIF takes the count modulo the type's width; x86 masks it to 5 bits (6 at 64),
/// also for 8- and 16-bit operands. So:
/// - a constant count is masked here, at compile time, to the type's width;
/// - a count in a register needs no mask at 32 and 64 bits (hardware mask = CLIF
///   mask), but at 8 and 16 bits it is masked with `and $7` / `and $15` first;
/// - rotates need no mask at any width: x86 rotates by (count & 31) mod width, and 32
///   is a multiple of 8 and 16.
/// Left shifts only feed the low bits and run at `aluSize`; right shifts and rotates
/// run at the exact width so that the unspecified upper bits never shift in.
/// Only the count's low bits matter, so a count may be an i128 (`.lowBits`: its low
/// half). i128 values themselves are shifted by Rules+I128Shifts.swift.
extension X64LoweringRules {
    static var shifts: [LoweringRule] {
        var rules: [LoweringRule] = []
        rules += shift(name: "ishl", opcode: .ishl, kind: .shl, exactWidth: false)
        rules += shift(name: "ushr", opcode: .ushr, kind: .shr, exactWidth: true)
        rules += shift(name: "sshr", opcode: .sshr, kind: .sar, exactWidth: true)
        rules += rotate(name: "rotl", opcode: .rotl, kind: .rol)
        rules += rotate(name: "rotr", opcode: .rotr, kind: .ror)
        return rules
    }

    static func shift(name: String, opcode: Opcode, kind: FormID, exactWidth: Bool) -> [LoweringRule] {
        [
            LoweringRule(name: name + "_imm", opcode: opcode, types: .integers, priority: 10,
                         priorityReason: "a constant count is masked at compile time and needs no rcx",
                         pattern: [.register, .constant]) { b in
                let count = UInt8(truncatingIfNeeded: b.constant(1) & Int64(b.type.bits - 1))
                b.emit(.shiftR(kind, size: exactWidth ? b.size : b.aluSize, src: b.gpr(0), count: .imm(count),
                               dst: b.result(0)))
            },
            LoweringRule(name: name, opcode: opcode, types: .wideIntegers, priority: 0,
                         priorityReason: "the general case at 32/64 bits, where x86's count mask is CLIF's",
                         pattern: [.register, .lowBits]) { b in
                b.emit(.shiftR(kind, size: b.size, src: b.gpr(0), count: .cl(b.gpr(1)), dst: b.result(0)))
            },
            LoweringRule(name: name + "_narrow", opcode: opcode, types: .narrowIntegers, priority: 0,
                         priorityReason: "the general case at 8/16 bits: mask the count to the width first",
                         pattern: [.register, .lowBits]) { b in
                let count = b.newGpr()
                b.emit(.aluRmiR(.and, size: .size32, src1: b.gpr(1), src2: .imm(Int32(b.type.bits - 1)), dst: count))
                b.emit(.shiftR(kind, size: exactWidth ? b.size : b.aluSize, src: b.gpr(0), count: .cl(count.reg),
                               dst: b.result(0)))
            },
        ]
    }

    static func rotate(name: String, opcode: Opcode, kind: FormID) -> [LoweringRule] {
        [
            LoweringRule(name: name + "_imm", opcode: opcode, types: .integers, priority: 10,
                         priorityReason: "a constant count needs no rcx",
                         pattern: [.register, .constant]) { b in
                let count = UInt8(truncatingIfNeeded: b.constant(1) & Int64(b.type.bits - 1))
                b.emit(.shiftR(kind, size: b.size, src: b.gpr(0), count: .imm(count), dst: b.result(0)))
            },
            LoweringRule(name: name, opcode: opcode, types: .integers, priority: 0,
                         priorityReason: "the general case: x86 rotates by (count & 31) mod width, as CLIF wants",
                         pattern: [.register, .lowBits]) { b in
                b.emit(.shiftR(kind, size: b.size, src: b.gpr(0), count: .cl(b.gpr(1)), dst: b.result(0)))
            },
        ]
    }
}
