import EgretIR

/// Bit-vector semantics of CLIF opcodes: what the IR computes, written once, next to
/// nothing else. The rule verifier compares machine code against these; a test
/// compares these against the interpreter on random and edge inputs so that the two
/// references cannot drift apart.
///
/// Conventions (the interpreter's, `NarrowInteger`): a value of type iN is an N-bit
/// vector; i8 is the Boolean result type (0 or 1). Shift and rotate counts are taken
/// modulo the width. Traps are listed in the order the IR checks them; the first
/// that holds is the one reported.
///
/// Memory: loads and stores see the effective address (base, folded displacement and
/// the instruction's offset already added by the caller) and a byte memory. Whether
/// an access faults is an uninterpreted predicate `faults(address, bytes)`, shared with
/// the machine side: a trapping access reports the memory flags' trap code, a `notrap`
/// access is assumed not to fault.
public enum IRSpecs {
    /// The tier-1 opcodes this file gives semantics to (every tier-1 opcode but the
    /// ones listed in `notModelled`).
    public static var modelled: [Opcode] { OpcodeTable.tier1.filter { isModelled($0) } }

    /// Whether `opcode` has a spec here.
    public static func isModelled(_ opcode: Opcode) -> Bool {
        guard let context = try? Z3Context() else { return false }
        let inputs = IRInputs(context: context, opcode: opcode, type: .i32, operandTypes: [], operands: [])
        do {
            return try outcome(inputs) != nil
        } catch {
            return true  // modelled: it only lacks operands here
        }
    }

    /// The outcome of one instruction on symbolic inputs; nil if `opcode` is not
    /// modelled (every opcode beyond tier 1, listed explicitly: no `default:`).
    /// Throws on inputs that do not fit the opcode (a bug in the caller).
    public static func outcome(_ inputs: IRInputs) throws -> IROutcome? {
        switch inputs.opcode {
        case .iconst: return try constant(inputs)
        case .iadd: return try binary(inputs, +)
        case .isub: return try binary(inputs, -)
        case .imul: return try binary(inputs, *)
        case .band: return try binary(inputs, &)
        case .bor: return try binary(inputs, |)
        case .bxor: return try binary(inputs, ^)
        case .bnot: return try unary(inputs, ~)
        case .ineg: return try unary(inputs) { -$0 }
        case .iabs: return try unary(inputs) { $0.signBit.select(-$0, $0) }
        case .umulhi: return try multiplyHigh(inputs, signed: false)
        case .smulhi: return try multiplyHigh(inputs, signed: true)
        case .smin: return try binary(inputs) { $0.slt($1).select($0, $1) }
        case .smax: return try binary(inputs) { $0.sgt($1).select($0, $1) }
        case .umin: return try binary(inputs) { $0.ult($1).select($0, $1) }
        case .umax: return try binary(inputs) { $0.ugt($1).select($0, $1) }
        case .bitselect: return try bitselect(inputs)
        case .bmask: return try bmask(inputs)
        case .icmp: return try icmp(inputs)
        case .select, .select_spectre_guard: return try select(inputs)
        case .uextend: return try unary(inputs) { $0.zeroExtended(to: inputs.width) }
        case .sextend: return try unary(inputs) { $0.signExtended(to: inputs.width) }
        case .ireduce: return try unary(inputs) { $0.low(inputs.width) }
        case .bitcast: return try unary(inputs) { $0 }
        case .ishl: return try shift(inputs) { $0.shl($1) }
        case .ushr: return try shift(inputs) { $0.lshr($1) }
        case .sshr: return try shift(inputs) { $0.ashr($1) }
        case .rotl: return try shift(inputs) { $0.rotateLeft($1) }
        case .rotr: return try shift(inputs) { $0.rotateRight($1) }
        case .clz: return try unary(inputs, countLeadingZeros)
        case .ctz: return try unary(inputs, countTrailingZeros)
        case .cls: return try unary(inputs, countLeadingSignBits)
        case .popcnt: return try unary(inputs, popcount)
        case .bitrev: return try unary(inputs, reverseBits)
        case .bswap: return try unary(inputs, swapBytes)
        case .uadd_overflow: return try overflowPair(inputs, .unsignedAdd, withCarry: false)
        case .sadd_overflow: return try overflowPair(inputs, .signedAdd, withCarry: false)
        case .usub_overflow: return try overflowPair(inputs, .unsignedSubtract, withCarry: false)
        case .ssub_overflow: return try overflowPair(inputs, .signedSubtract, withCarry: false)
        case .umul_overflow: return try overflowPair(inputs, .unsignedMultiply, withCarry: false)
        case .smul_overflow: return try overflowPair(inputs, .signedMultiply, withCarry: false)
        case .uadd_overflow_cin: return try overflowPair(inputs, .unsignedAdd, withCarry: true)
        case .sadd_overflow_cin: return try overflowPair(inputs, .signedAdd, withCarry: true)
        case .usub_overflow_bin: return try overflowPair(inputs, .unsignedSubtract, withCarry: true)
        case .ssub_overflow_bin: return try overflowPair(inputs, .signedSubtract, withCarry: true)
        case .stack_addr: return try stackAddress(inputs)
        case .udiv: return try divide(inputs, signed: false, remainder: false)
        case .urem: return try divide(inputs, signed: false, remainder: true)
        case .sdiv: return try divide(inputs, signed: true, remainder: false)
        case .srem: return try divide(inputs, signed: true, remainder: true)
        case .uadd_overflow_trap: return try addWithTrap(inputs)
        case .trapz: return try conditionalTrap(inputs, whenZero: true)
        case .trapnz: return try conditionalTrap(inputs, whenZero: false)
        case .trap: return unconditionalTrap(inputs)
        case .jump: return jump(inputs)
        case .brif: return try branchIf(inputs)
        case .br_table: return try branchTable(inputs)
        case .load, .uload8, .sload8, .uload16, .sload16, .uload32, .sload32: return try load(inputs)
        case .store, .istore8, .istore16, .istore32: return try store(inputs)
        case .nop, .return: return IROutcome(results: [])
        case .atomic_cas, .atomic_load, .atomic_rmw, .atomic_store, .avg_round, .blendv, .call, .call_indirect,
             .ceil, .debugtrap, .dynamic_stack_addr, .extract_vector, .extractlane, .f128const, .f16const,
             .f32const, .f64const, .fabs, .fadd, .fcmp, .fcopysign, .fcvt_from_sint, .fcvt_from_uint,
             .fcvt_to_sint, .fcvt_to_sint_sat, .fcvt_to_uint, .fcvt_to_uint_sat, .fdemote, .fdiv, .fence, .floor,
             .fma, .fmax, .fmin, .fmul, .fneg, .fpromote, .fsub, .func_addr, .fvdemote, .fvpromote_low,
             .get_exception_handler_address, .get_frame_pointer, .get_pinned_reg, .get_return_address,
             .get_stack_pointer, .iadd_pairwise, .iconcat, .insertlane, .isplit, .nearest, .return_call,
             .return_call_indirect, .sadd_sat, .scalar_to_vector, .sequence_point, .set_pinned_reg, .shuffle,
             .sload16x4, .sload32x2, .sload8x8, .snarrow, .splat, .sqmul_round_sat, .sqrt, .ssub_sat,
             .stack_switch, .swiden_high, .swiden_low, .swizzle, .symbol_value, .tls_value, .trunc, .try_call,
             .try_call_indirect, .uadd_sat, .uload16x4, .uload32x2, .uload8x8, .unarrow, .usub_sat, .uunarrow,
             .uwiden_high, .uwiden_low, .vall_true, .vany_true, .vconst, .vhigh_bits, .x86_cvtt2dq,
             .x86_pmaddubsw, .x86_pmulhrsw, .x86_pshufb:
            return nil
        }
    }
}

/// The symbolic inputs of one IR instruction.
public struct IRInputs {
    public var context: Z3Context
    public var opcode: Opcode
    /// The controlling type.
    public var type: IRType
    public var operandTypes: [IRType]
    /// One term per value operand, of its type's width; an address operand is the
    /// 64-bit effective address (offset included).
    public var operands: [BitVector]
    public var intCC: IntCC = .eq
    public var trapCode: TrapCode = .heapOutOfBounds
    public var memoryFlags = MemFlags()
    /// `iconst`'s value at the type's width.
    public var immediate: BitVector?
    /// `stack_addr`: the slot's address plus the offset, 64 bits.
    public var stackAddress: BitVector?
    /// Branches: the number of edges (`br_table`: the default, then the table).
    public var edgeCount: Int = 2
    public var memory: Memory?
    public var faults: Predicate?

    public init(context: Z3Context, opcode: Opcode, type: IRType, operandTypes: [IRType], operands: [BitVector]) {
        self.context = context
        self.opcode = opcode
        self.type = type
        self.operandTypes = operandTypes
        self.operands = operands
    }

    public var width: Int { type.bits }

    func operand(_ index: Int) throws -> BitVector {
        guard operands.indices.contains(index) else {
            throw SMTError.internalError("\(opcode.name) has no operand \(index)")
        }
        return operands[index]
    }
}

/// What an IR instruction does: its results, the traps it may raise (first holding
/// one wins), the edge it takes (branches) and the memory after it (stores).
public struct IROutcome {
    public var results: [BitVector]
    public var traps: [(condition: Boolean, code: TrapCode)] = []
    /// The index of the edge taken, 32 bits (branches only).
    public var edge: BitVector?
    public var memory: Memory?
    /// The byte addresses a store writes.
    public var writtenAddresses: [BitVector] = []

    public init(results: [BitVector]) {
        self.results = results
    }
}
