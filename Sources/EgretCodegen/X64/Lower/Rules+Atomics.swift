import EgretIR

/// Atomics: atomic_load atomic_store atomic_rmw atomic_cas fence, on i8–i64 (and, at the
/// end of this file, i128).
///
/// x86-64 is TSO: every aligned load and store is atomic, loads are not reordered with
/// loads nor stores with stores, and a locked instruction (or `xchg` with memory) is a
/// full barrier. So, as in Cranelift:
///
///     atomic_load            mov (a plain load; a seq-cst load needs no fence on TSO)
///     atomic_store           xchg (the implicit lock orders it before later loads)
///     atomic_rmw xchg        xchg
///     atomic_rmw add / sub   lock xadd (sub: of the negated operand)
///     atomic_rmw and or xor nand umin umax smin smax
///                            atomicRmwLoop: load, compute, lock cmpxchg, retry
///     atomic_cas             lock cmpxchg (expected and old value in rax)
///     fence                  mfence
///
/// Every access comes in one rule per address shape of `Rules+Memory.swift`
/// (stack slot, base+constant, base+index, register) and carries the trap code of
/// its memory flags (`heap_oob` unless given, none for `notrap`), like a load.
///
/// **Big-endian accesses** (the `big` flag; the interpreter reads and writes the
/// memory's bytes in reverse order) on i16–i64: operands are byte-swapped before the
/// access and the old value after it. Bitwise operations and xchg commute with the
/// swap, so they work on swapped operands unchanged; add, sub and min/max must see
/// the memory value in its big-endian reading and run in the loop with
/// `byteSwapped`, which swaps the loaded value before the operation and the result
/// back before the cmpxchg. An i8 access has one byte: no swap at all.
///
/// Narrow results: `lock xadd`, `xchg` and `lock cmpxchg` write only the low bits of
/// the old value's register and the loop leaves it zero-extended; either way the bits
/// above the width are unspecified, as the narrow-value invariant allows.
extension X64LoweringRules {
    static var atomics: [LoweringRule] {
        var rules: [LoweringRule] = []
        rules += loads(name: "atomic_load", opcode: .atomic_load, types: .integers)
        rules += atomicStores()
        for operation in AtomicRmwOp.allCases { rules += atomicReadModifyWrites(operation) }
        rules += compareAndSwaps()
        rules.append(LoweringRule(name: "fence", opcode: .fence, types: [], priority: 0,
                                  priorityReason: "the only rule: mfence orders loads and stores both ways",
                                  pattern: []) { b in
            b.emit(.fence(.mfence))
        })
        return rules
    }

    /// Whether an access of `type` with the instruction's flags must swap bytes.
    static func swapsBytes(_ b: any LoweringBuilder, _ type: IRType) -> Bool {
        b.memoryFlags.endianness == .big && type.bits > 8
    }

    /// `value` with its low `type.bits / 8` bytes reversed, in a new register (the
    /// register itself when no swap is needed).
    static func swappedIfBig(_ b: any LoweringBuilder, _ value: Gpr, _ type: IRType) -> Gpr {
        guard swapsBytes(b, type) else { return value }
        let swapped = b.newGpr()
        emitByteSwap(b, bytes: type.bits / 8, source: value, into: swapped)
        return swapped.reg
    }

    /// Where an instruction's old value goes: straight into result 0, or, when it must
    /// be swapped, into a temporary that `finishOldValue` swaps into result 0.
    static func oldValueRegister(_ b: any LoweringBuilder, _ type: IRType) -> Writable<Gpr> {
        swapsBytes(b, type) ? b.newGpr() : b.result(0)
    }

    static func finishOldValue(_ b: any LoweringBuilder, _ type: IRType, _ old: Writable<Gpr>) {
        guard swapsBytes(b, type) else { return }
        emitByteSwap(b, bytes: type.bits / 8, source: old.reg, into: b.result(0))
    }

    /// `atomic_store value, address`: `xchg` of the (swapped) value with memory; the
    /// old value it returns is dropped.
    static func atomicStores() -> [LoweringRule] {
        addressShapes.map { address in
            LoweringRule(name: "atomic_store" + address.suffix, opcode: .atomic_store, types: .integers,
                         priority: address.priority, priorityReason: address.reason,
                         pattern: [.register, address.shape]) { b in
                let size = OperandSize(exactly: b.type)
                let value = swappedIfBig(b, b.gpr(0), b.type)
                b.emit(.exchange(.xchg, size: size, operand: value, mem: b.amode(1), dst: b.newGpr()))
            }
        }
    }

    /// `atomic_rmw op address, value` for one operation, one rule per address shape.
    static func atomicReadModifyWrites(_ operation: AtomicRmwOp) -> [LoweringRule] {
        addressShapes.map { address in
            LoweringRule(name: "atomic_rmw_\(operation)" + address.suffix, opcode: .atomic_rmw, types: .integers,
                         priority: address.priority, priorityReason: address.reason,
                         pattern: [address.shape, .register], guards: [.atomicOperation(operation)]) { b in
                emitReadModifyWrite(b, operation)
            }
        }
    }

    static func emitReadModifyWrite(_ b: any LoweringBuilder, _ operation: AtomicRmwOp) {
        let type = b.type
        let size = OperandSize(exactly: type)
        let big = swapsBytes(b, type)
        let loopOp: AtomicLoopOp
        switch operation {
        case .xchg:
            let old = oldValueRegister(b, type)
            b.emit(.exchange(.xchg, size: size, operand: swappedIfBig(b, b.gpr(1), type), mem: b.amode(0), dst: old))
            finishOldValue(b, type, old)
            return
        case .add where !big:
            b.emit(.exchange(.xadd, size: size, operand: b.gpr(1), mem: b.amode(0), dst: b.result(0)))
            return
        case .sub where !big:
            let negated = b.newGpr()
            b.emit(.unary(.neg, size: size, src: b.gpr(1), dst: negated))
            b.emit(.exchange(.xadd, size: size, operand: negated.reg, mem: b.amode(0), dst: b.result(0)))
            return
        case .add: loopOp = .add
        case .sub: loopOp = .sub
        case .and: loopOp = .and
        case .nand: loopOp = .nand
        case .or: loopOp = .or
        case .xor: loopOp = .xor
        case .umin: loopOp = .umin
        case .umax: loopOp = .umax
        case .smin: loopOp = .smin
        case .smax: loopOp = .smax
        }
        // Bitwise operations commute with a byte swap: apply the swapped operand to
        // the raw memory bytes. The others compute on the big-endian reading.
        let bitwise = loopOp == .and || loopOp == .nand || loopOp == .or || loopOp == .xor
        let operand = bitwise ? swappedIfBig(b, b.gpr(1), type) : b.gpr(1)
        let old = oldValueRegister(b, type)
        b.emit(.atomicRmwLoop(op: loopOp, size: size, byteSwapped: big && !bitwise, operand: operand,
                              mem: b.amode(0), temp: b.newGpr(), dstOld: old))
        finishOldValue(b, type, old)
    }

    /// `atomic_cas address, expected, replacement`: `lock cmpxchg`.
    static func compareAndSwaps() -> [LoweringRule] {
        addressShapes.map { address in
            LoweringRule(name: "atomic_cas" + address.suffix, opcode: .atomic_cas, types: .integers,
                         priority: address.priority, priorityReason: address.reason,
                         pattern: [address.shape, .register, .register]) { b in
                let type = b.type
                let expected = swappedIfBig(b, b.gpr(1), type)
                let replacement = swappedIfBig(b, b.gpr(2), type)
                let old = oldValueRegister(b, type)
                b.emit(.lockCmpxchg(size: OperandSize(exactly: type), replacement: replacement, expected: expected,
                                    mem: b.amode(0), dstOld: old))
                finishOldValue(b, type, old)
            }
        }
    }
}

// MARK: i128

/// i128 atomics, all through `lock cmpxchg16b` (CMPXCHG16B, present on every x86-64
/// processor that runs current systems), as in Cranelift:
///
///     atomic_load     lock cmpxchg16b with expected = replacement = 0: memory that
///                     holds 0 is rewritten with 0, anything else is left alone; either
///                     way rdx:rax receive the 16 bytes
///     atomic_store    atomicRmwLoop128(xchg), the old value dropped
///     atomic_rmw      atomicRmwLoop128(op)
///     atomic_cas      lock cmpxchg16b
///
/// The access must be 16-byte aligned; a misaligned one faults like an access out of
/// bounds (#GP), reported with the memory flags' trap code. Big-endian accesses
/// reverse all 16 bytes (bswap each half, exchange the halves) exactly as the narrow
/// ones reverse theirs: operands before, the old value after, and add/sub/min/max
/// inside the loop (`byteSwapped`).
extension X64LoweringRules {
    static var i128Atomics: [LoweringRule] {
        var rules: [LoweringRule] = []
        for address in addressShapes {
            rules.append(LoweringRule(name: "atomic_load_i128" + address.suffix, opcode: .atomic_load, types: [.i128],
                                      priority: address.priority, priorityReason: address.reason,
                                      pattern: [address.shape]) { b in
                var zeros: [Gpr] = []
                for _ in 0 ..< 4 {
                    let zero = b.newGpr()
                    b.emit(.movImm(size: .size32, imm: 0, dst: zero))
                    zeros.append(zero.reg)
                }
                let old = oldPairRegisters(b)
                b.emit(.lockCmpxchg16b(replacement: GprPair(low: zeros[0], high: zeros[1]),
                                       expected: GprPair(low: zeros[2], high: zeros[3]), mem: b.amode(0), dstOld: old))
                finishOldPair(b, old)
            })
            rules.append(LoweringRule(name: "atomic_store_i128" + address.suffix, opcode: .atomic_store,
                                      types: [.i128], priority: address.priority, priorityReason: address.reason,
                                      pattern: [.register, address.shape]) { b in
                let value = swappedPairIfBig(b, b.gprPair(0))
                let mem = try loopAddress(b.amode(1))
                b.emit(.atomicRmwLoop128(op: .xchg, byteSwapped: false, operand: value, mem: mem, scratch: b.newGpr(),
                                         temp: newPair(b), dstOld: newPair(b)))
            })
            rules.append(LoweringRule(name: "atomic_cas_i128" + address.suffix, opcode: .atomic_cas, types: [.i128],
                                      priority: address.priority, priorityReason: address.reason,
                                      pattern: [address.shape, .register, .register]) { b in
                let expected = swappedPairIfBig(b, b.gprPair(1))
                let replacement = swappedPairIfBig(b, b.gprPair(2))
                let old = oldPairRegisters(b)
                b.emit(.lockCmpxchg16b(replacement: replacement, expected: expected, mem: b.amode(0), dstOld: old))
                finishOldPair(b, old)
            })
            for operation in AtomicRmwOp.allCases {
                rules.append(LoweringRule(name: "atomic_rmw_i128_\(operation)" + address.suffix, opcode: .atomic_rmw,
                                          types: [.i128], priority: address.priority, priorityReason: address.reason,
                                          pattern: [address.shape, .register],
                                          guards: [.atomicOperation(operation)]) { b in
                    try emitReadModifyWrite128(b, loopOperation(operation))
                })
            }
        }
        return rules
    }

    static func emitReadModifyWrite128(_ b: any LoweringBuilder, _ op: AtomicLoopOp) throws {
        let big = b.memoryFlags.endianness == .big
        // Bitwise operations and xchg commute with the byte reversal (see the narrow
        // rules); the others compute on the big-endian reading inside the loop.
        let commutes = op == .and || op == .nand || op == .or || op == .xor || op == .xchg
        let operand = commutes ? swappedPairIfBig(b, b.gprPair(1)) : b.gprPair(1)
        let mem = try loopAddress(b.amode(0))
        let old = oldPairRegisters(b)
        b.emit(.atomicRmwLoop128(op: op, byteSwapped: big && !commutes, operand: operand, mem: mem,
                                 scratch: b.newGpr(), temp: newPair(b), dstOld: old))
        finishOldPair(b, old)
    }

    static func loopOperation(_ operation: AtomicRmwOp) -> AtomicLoopOp {
        switch operation {
        case .add: return .add
        case .sub: return .sub
        case .and: return .and
        case .nand: return .nand
        case .or: return .or
        case .xor: return .xor
        case .xchg: return .xchg
        case .umin: return .umin
        case .umax: return .umax
        case .smin: return .smin
        case .smax: return .smax
        }
    }

    static func newPair(_ b: any LoweringBuilder) -> WritableGprPair {
        WritableGprPair(low: b.newGpr(), high: b.newGpr())
    }

    /// The 16 bytes of `value` reversed, into `into`: each half byte-swapped, the
    /// halves exchanged.
    static func emitPairByteSwap(_ b: any LoweringBuilder, _ value: GprPair, into: WritableGprPair) {
        b.emit(.unary(.bswap, size: .size64, src: value.high, dst: into.low))
        b.emit(.unary(.bswap, size: .size64, src: value.low, dst: into.high))
    }

    static func swappedPairIfBig(_ b: any LoweringBuilder, _ value: GprPair) -> GprPair {
        guard b.memoryFlags.endianness == .big else { return value }
        let swapped = newPair(b)
        emitPairByteSwap(b, value, into: swapped)
        return swapped.regs
    }

    /// Result 0, or a temporary pair `finishOldPair` reverses into it (big-endian).
    static func oldPairRegisters(_ b: any LoweringBuilder) -> WritableGprPair {
        b.memoryFlags.endianness == .big ? newPair(b) : b.resultPair(0)
    }

    static func finishOldPair(_ b: any LoweringBuilder, _ old: WritableGprPair) {
        guard b.memoryFlags.endianness == .big else { return }
        emitPairByteSwap(b, old.regs, into: b.resultPair(0))
    }

    /// The loop reads both halves of the address: it must have a second half.
    static func loopAddress(_ amode: Amode) throws -> Amode {
        _ = try halves(of: amode)
        return amode
    }
}
