import EgretIR

/// Memory: load, store, the extending loads (uload8 … sload32), the truncating stores
/// (istore8 … istore32) and stack_addr.
///
/// Every load and store comes in one rule per address shape, best first:
///
///     _stack_slot   stack_addr ssN+k        → .frame(.stackSlot(N), k + offset)
///     _base_offset  iadd.i64 base, iconst k → k+offset(base)
///     _base_index   iadd.i64 base, index    → offset(base,index)
///     (plain)       any address register    → offset(addr)
///
/// The memory operand carries the trap code of the instruction's flags (`heap_oob`
/// unless given; none for `notrap`), so a faulting access reports the CLIF code.
/// Loads of i8/i16 zero-extend into a 32-bit register (movzbl/movzwl) rather than
/// writing a partial register. Stores of a constant use the immediate form.
/// Big-endian accesses (the `big` memory flag) swap the bytes after a load and before
/// a store: x86 is little-endian.
extension X64LoweringRules {
    /// Address shapes of loads and stores, with their rule-name suffix, priority and
    /// the reason for it.
    static let addressShapes: [(suffix: String, shape: OperandShape, priority: Int, reason: String)] = [
        ("", .register, 0, "the general case: the address in a register plus the offset"),
        ("_stack_slot", .stackAddress, 30, "a stack_addr folds into a frame address: no lea, no register"),
        ("_base_offset", .basePlusConstant, 20, "iadd(base, iconst) folds into the displacement: no add"),
        ("_base_index", .basePlusIndex, 10, "iadd(base, index) folds into a base+index address: no add"),
    ]

    static var memory: [LoweringRule] {
        var rules: [LoweringRule] = []
        rules += loads(name: "load", opcode: .load, types: .integers)
        rules += loads(name: "uload8", opcode: .uload8, types: .i16AndWider)
        rules += loads(name: "sload8", opcode: .sload8, types: .i16AndWider)
        rules += loads(name: "uload16", opcode: .uload16, types: .wideIntegers)
        rules += loads(name: "sload16", opcode: .sload16, types: .wideIntegers)
        rules += loads(name: "uload32", opcode: .uload32, types: [.i64])
        rules += loads(name: "sload32", opcode: .sload32, types: [.i64])
        rules += stores(name: "store", opcode: .store, types: .integers)
        rules += stores(name: "istore8", opcode: .istore8, types: .i16AndWider)
        rules += stores(name: "istore16", opcode: .istore16, types: .wideIntegers)
        rules += stores(name: "istore32", opcode: .istore32, types: [.i64])
        rules.append(LoweringRule(name: "stack_addr", opcode: .stack_addr, types: .wideIntegers, priority: 0,
                                  priorityReason: "the only rule: lea of the slot's frame address",
                                  pattern: []) { b in
            b.emit(.lea(size: b.size, address: Amode(.frame(.stackSlot(b.stackSlot), displacement: b.offset)),
                        dst: b.result(0)))
        })
        return rules
    }

    static func loads(name: String, opcode: Opcode, types: [IRType]) -> [LoweringRule] {
        addressShapes.map { address in
            LoweringRule(name: name + address.suffix, opcode: opcode, types: types, priority: address.priority,
                         priorityReason: address.reason, pattern: [address.shape]) { b in
                guard b.memoryFlags.endianness == .big, let width = accessBytes(opcode, type: b.type), width > 1 else {
                    b.emit(loadInstruction(opcode, type: b.type, from: b.amode(0), into: b.result(0)))
                    return
                }
                // Load the bytes zero-extended, swap them, then extend as the opcode asks.
                let raw = b.newGpr()
                b.emit(loadInstruction(width == 2 ? .uload16 : width == 4 ? .uload32 : .load,
                                       type: .i64, from: b.amode(0), into: raw))
                let swapped = width == 2 || opcode == .sload16 || opcode == .sload32 ? b.newGpr() : b.result(0)
                emitByteSwap(b, bytes: width, source: raw.reg, into: swapped)
                switch opcode {
                case .sload16: b.emit(.movsx(b.type == .i64 ? .wq : .wl, src: .reg(swapped.reg), dst: b.result(0)))
                case .sload32: b.emit(.movsx(.lq, src: .reg(swapped.reg), dst: b.result(0)))
                default:
                    // A swapped 16-bit value has zeros above bit 15 only in its low 32
                    // bits' upper half after a zero-extending move.
                    if width == 2 { b.emit(.movzx(.wl, src: .reg(swapped.reg), dst: b.result(0))) }
                }
            }
        }
    }

    static func stores(name: String, opcode: Opcode, types: [IRType]) -> [LoweringRule] {
        var rules: [LoweringRule] = []
        for address in addressShapes {
            rules.append(LoweringRule(name: name + address.suffix, opcode: opcode, types: types,
                                      priority: address.priority, priorityReason: address.reason,
                                      pattern: [.register, address.shape]) { b in
                let size = storeSize(opcode, type: b.type)
                var value = b.gpr(0)
                if b.memoryFlags.endianness == .big && size != .size8 {
                    let swapped = b.newGpr()
                    emitByteSwap(b, bytes: size.bytes, source: value, into: swapped)
                    value = swapped.reg
                }
                b.emit(.store(size: size, src: value, dst: b.amode(1)))
            })
            rules.append(LoweringRule(name: name + "_imm" + address.suffix, opcode: opcode, types: types,
                                      priority: address.priority + 5,
                                      priorityReason: address.reason + "; a constant value is stored as an immediate",
                                      pattern: [.constant, address.shape], guards: [.fitsSignExtendedImm32(0)]) { b in
                let size = storeSize(opcode, type: b.type)
                var value = b.constant(0)
                if b.memoryFlags.endianness == .big {
                    // Swap the constant's stored bytes now; a 64-bit swap may no longer
                    // fit an immediate, so go through a register.
                    switch size {
                    case .size8: break
                    case .size16: value = Int64(UInt16(truncatingIfNeeded: value).byteSwapped)
                    case .size32: value = Int64(UInt32(truncatingIfNeeded: value).byteSwapped)
                    case .size64:
                        let register = b.newGpr()
                        b.emit(.movImm(size: .size64, imm: UInt64(bitPattern: value).byteSwapped, dst: register))
                        b.emit(.store(size: .size64, src: register.reg, dst: b.amode(1)))
                        return
                    }
                }
                let imm: Int32
                switch size {
                case .size8: imm = Int32(Int8(truncatingIfNeeded: value))
                case .size16: imm = Int32(Int16(truncatingIfNeeded: value))
                case .size32, .size64: imm = Int32(truncatingIfNeeded: value)
                }
                b.emit(.storeImm(size: size, imm: imm, dst: b.amode(1)))
            })
        }
        return rules
    }

    /// The instruction that loads `opcode`'s bytes at `type`.
    static func loadInstruction(_ opcode: Opcode, type: IRType, from amode: Amode, into dst: Writable<Gpr>) -> X64Inst {
        let wide = type == .i64
        if opcode == .uload8 { return .movzx(.bl, src: .mem(amode), dst: dst) }
        if opcode == .sload8 { return .movsx(wide ? .bq : .bl, src: .mem(amode), dst: dst) }
        if opcode == .uload16 { return .movzx(.wl, src: .mem(amode), dst: dst) }
        if opcode == .sload16 { return .movsx(wide ? .wq : .wl, src: .mem(amode), dst: dst) }
        if opcode == .uload32 { return .movzx(.lq, src: .mem(amode), dst: dst) }
        if opcode == .sload32 { return .movsx(.lq, src: .mem(amode), dst: dst) }
        switch type.bits {
        case 8: return .movzx(.bl, src: .mem(amode), dst: dst)
        case 16: return .movzx(.wl, src: .mem(amode), dst: dst)
        case 32: return .load(size: .size32, src: amode, dst: dst)
        default: return .load(size: .size64, src: amode, dst: dst)
        }
    }

    /// How many bytes a store of `opcode` writes.
    static func storeSize(_ opcode: Opcode, type: IRType) -> OperandSize {
        guard let bytes = opcode.info.access?.fixedBytes else { return OperandSize(exactly: type) }
        return OperandSize(rawValue: UInt8(8 * bytes)) ?? .size64
    }

    /// Bytes a load of `opcode` reads at `type`.
    static func accessBytes(_ opcode: Opcode, type: IRType) -> Int? {
        (opcode.info.access ?? .wholeValue).bytes(at: type)
    }

    /// `into` = `source` with its low `bytes` bytes in reverse order (bits above them
    /// unspecified, as for any narrow value).
    static func emitByteSwap(_ b: any LoweringBuilder, bytes: Int, source: Gpr, into: Writable<Gpr>) {
        switch bytes {
        case 2:
            let copy = b.newGpr()
            b.emit(.movRR(size: .size32, src: source, dst: copy))
            b.emit(.shiftR(.rol, size: .size16, src: copy.reg, count: .imm(8), dst: into))
        case 4:
            b.emit(.unary(.bswap, size: .size32, src: source, dst: into))
        default:
            b.emit(.unary(.bswap, size: .size64, src: source, dst: into))
        }
    }
}
