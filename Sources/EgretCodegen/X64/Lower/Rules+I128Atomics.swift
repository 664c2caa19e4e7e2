import EgretIR

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
/// bounds (#GP), reported with the memory flags' trap code. Big-endian i128 atomics
/// are unsupported (named in the error): no test or producer needs them yet.
extension X64LoweringRules {
    static var i128Atomics: [LoweringRule] {
        var rules: [LoweringRule] = []
        for address in addressShapes {
            rules.append(LoweringRule(name: "atomic_load_i128" + address.suffix, opcode: .atomic_load, types: [.i128],
                                      priority: address.priority, priorityReason: address.reason,
                                      pattern: [address.shape]) { b in
                try requireLittleEndian128(b)
                var zeros: [Gpr] = []
                for _ in 0 ..< 4 {
                    let zero = b.newGpr()
                    b.emit(.movImm(size: .size32, imm: 0, dst: zero))
                    zeros.append(zero.reg)
                }
                b.emit(.lockCmpxchg16b(replacement: GprPair(low: zeros[0], high: zeros[1]),
                                       expected: GprPair(low: zeros[2], high: zeros[3]), mem: b.amode(0),
                                       dstOld: b.resultPair(0)))
            })
            rules.append(LoweringRule(name: "atomic_store_i128" + address.suffix, opcode: .atomic_store,
                                      types: [.i128], priority: address.priority, priorityReason: address.reason,
                                      pattern: [.register, address.shape]) { b in
                try requireLittleEndian128(b)
                let mem = try loopAddress(b.amode(1))
                b.emit(.atomicRmwLoop128(op: .xchg, operand: b.gprPair(0), mem: mem, scratch: b.newGpr(),
                                         temp: newPair(b), dstOld: newPair(b)))
            })
            rules.append(LoweringRule(name: "atomic_cas_i128" + address.suffix, opcode: .atomic_cas, types: [.i128],
                                      priority: address.priority, priorityReason: address.reason,
                                      pattern: [address.shape, .register, .register]) { b in
                try requireLittleEndian128(b)
                b.emit(.lockCmpxchg16b(replacement: b.gprPair(2), expected: b.gprPair(1), mem: b.amode(0),
                                       dstOld: b.resultPair(0)))
            })
            for operation in AtomicRmwOp.allCases {
                rules.append(LoweringRule(name: "atomic_rmw_i128_\(operation)" + address.suffix, opcode: .atomic_rmw,
                                          types: [.i128], priority: address.priority, priorityReason: address.reason,
                                          pattern: [address.shape, .register],
                                          guards: [.atomicOperation(operation)]) { b in
                    try requireLittleEndian128(b)
                    let mem = try loopAddress(b.amode(0))
                    b.emit(.atomicRmwLoop128(op: loopOperation(operation), operand: b.gprPair(1), mem: mem,
                                             scratch: b.newGpr(), temp: newPair(b), dstOld: b.resultPair(0)))
                })
            }
        }
        return rules
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

    static func requireLittleEndian128(_ b: any LoweringBuilder) throws {
        guard b.memoryFlags.endianness != .big else {
            throw CodegenError.unsupported("big-endian i128 \(b.opcode.name)")
        }
    }

    /// The loop reads both halves of the address: it must have a second half.
    static func loopAddress(_ amode: Amode) throws -> Amode {
        _ = try halves(of: amode)
        return amode
    }
}
