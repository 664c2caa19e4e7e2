import EgretIR

/// The one switch over `Opcode` that gives every opcode its meaning in the interpreter:
/// each opcode maps to a micro-operation (by type), or is reported as unsupported. New
/// opcodes fail to compile here until they are handled.
extension FunctionDecoder {
    mutating func decodeInstruction(_ inst: Inst) throws(Failure) {
        let opcode = function.insts[inst.position].opcode
        switch opcode {
        // Integer arithmetic.
        case .iadd: try integerBinary(inst, .iadd, .iaddWide)
        case .isub: try integerBinary(inst, .isub, .isubWide)
        case .imul: try integerBinary(inst, .imul, .imulWide)
        case .umulhi: try integerBinary(inst, .umulhi, .umulhiWide)
        case .smulhi: try integerBinary(inst, .smulhi, .smulhiWide)
        case .udiv: try integerBinary(inst, .udiv, .udivWide)
        case .sdiv: try integerBinary(inst, .sdiv, .sdivWide)
        case .urem: try integerBinary(inst, .urem, .uremWide)
        case .srem: try integerBinary(inst, .srem, .sremWide)
        case .smin: try integerBinary(inst, .smin, .sminWide)
        case .umin: try integerBinary(inst, .umin, .uminWide)
        case .smax: try integerBinary(inst, .smax, .smaxWide)
        case .umax: try integerBinary(inst, .umax, .umaxWide)
        case .ineg: try integerUnary(inst, .ineg, .inegWide)
        case .iabs: try integerUnary(inst, .iabs, .iabsWide)
        case .icmp: try integerCompare(inst)
        case .uadd_overflow: try overflowPair(inst, .uaddOverflow, .uaddOverflowWide)
        case .sadd_overflow: try overflowPair(inst, .saddOverflow, .saddOverflowWide)
        case .usub_overflow: try overflowPair(inst, .usubOverflow, .usubOverflowWide)
        case .ssub_overflow: try overflowPair(inst, .ssubOverflow, .ssubOverflowWide)
        // The table allows umul/smul_overflow up to i64 only, so they have no wide form.
        case .umul_overflow: try overflowPair(inst, .umulOverflow, nil)
        case .smul_overflow: try overflowPair(inst, .smulOverflow, nil)
        case .uadd_overflow_cin: try carryChain(inst, .uaddOverflowCin, .uaddOverflowCinWide)
        case .sadd_overflow_cin: try carryChain(inst, .saddOverflowCin, .saddOverflowCinWide)
        case .usub_overflow_bin: try carryChain(inst, .usubOverflowBin, .usubOverflowBinWide)
        case .ssub_overflow_bin: try carryChain(inst, .ssubOverflowBin, .ssubOverflowBinWide)
        case .uadd_overflow_trap: try addWithOverflowTrap(inst)
        case .iconcat: try concatenate(inst)
        case .isplit: try split(inst)

        // Bits.
        case .band: try wholeRegister(inst, .band)
        case .bor: try wholeRegister(inst, .bor)
        case .bxor: try wholeRegister(inst, .bxor)
        case .bitselect: try wholeRegister(inst, .bitselect)
        case .select, .select_spectre_guard: try wholeRegister(inst, .select)
        case .bnot: try integerUnary(inst, .bnot, .bnotWide)
        case .ishl: try integerBinary(inst, .ishl, .ishlWide)
        case .ushr: try integerBinary(inst, .ushr, .ushrWide)
        case .sshr: try integerBinary(inst, .sshr, .sshrWide)
        case .rotl: try integerBinary(inst, .rotl, .rotlWide)
        case .rotr: try integerBinary(inst, .rotr, .rotrWide)
        case .bitrev: try integerUnary(inst, .bitrev, .bitrevWide)
        case .bswap: try integerUnary(inst, .bswap, .bswapWide)
        case .clz: try integerUnary(inst, .clz, .clzWide)
        case .ctz: try integerUnary(inst, .ctz, .ctzWide)
        case .cls: try integerUnary(inst, .cls, .clsWide)
        case .popcnt: try integerUnary(inst, .popcnt, .popcntWide)
        case .bmask: try booleanMask(inst)

        // Constants and conversions between integer types.
        case .iconst, .f32const, .f64const: try constant(inst)
        case .bitcast: try bitcast(inst)
        case .uextend: try extend(inst, signed: false)
        case .sextend: try extend(inst, signed: true)
        case .ireduce: try reduce(inst)

        // Floats.
        case .fadd: try float(inst, .fadd)
        case .fsub: try float(inst, .fsub)
        case .fmul: try float(inst, .fmul)
        case .fdiv: try float(inst, .fdiv)
        case .sqrt: try float(inst, .sqrt)
        case .fma: try float(inst, .fma)
        case .fneg: try float(inst, .fneg)
        case .fabs: try float(inst, .fabs)
        case .fcopysign: try float(inst, .fcopysign)
        case .fmin: try float(inst, .fmin)
        case .fmax: try float(inst, .fmax)
        case .ceil: try float(inst, .ceil)
        case .floor: try float(inst, .floor)
        case .trunc: try float(inst, .trunc)
        case .nearest: try float(inst, .nearest)
        case .fcmp: try floatCompare(inst)
        case .fpromote: try conversion(inst, .fpromote)
        case .fdemote: try conversion(inst, .fdemote)
        case .fcvt_to_sint: try conversion(inst, .fcvtToSint)
        case .fcvt_to_uint: try conversion(inst, .fcvtToUint)
        case .fcvt_to_sint_sat: try conversion(inst, .fcvtToSintSat)
        case .fcvt_to_uint_sat: try conversion(inst, .fcvtToUintSat)
        case .fcvt_from_sint: try conversion(inst, .fcvtFromSint)
        case .fcvt_from_uint: try conversion(inst, .fcvtFromUint)

        // Memory.
        case .load, .uload8, .sload8, .uload16, .sload16, .uload32, .sload32: try load(inst)
        case .store, .istore8, .istore16, .istore32: try store(inst)
        case .stack_addr: try stackAddress(inst)
        case .atomic_load: try load(inst)
        case .atomic_store: try store(inst)
        case .atomic_rmw: try atomicReadModifyWrite(inst)
        case .atomic_cas: try atomicCompareAndSwap(inst)
        // A single-threaded interpreter has nothing to order; a sequence point only
        // constrains optimisations.
        case .fence, .nop, .sequence_point: _ = try prepare(inst)

        // Control flow and calls.
        case .jump: try jump(inst)
        case .brif: try branchIf(inst)
        case .br_table: try branchTable(inst)
        case .return: try returnInstruction(inst)
        case .trap: try trap(inst)
        case .trapz: try conditionalTrap(inst, .trapz)
        case .trapnz: try conditionalTrap(inst, .trapnz)
        case .call: try call(inst, tail: false)
        case .return_call: try call(inst, tail: true)
        case .call_indirect: try callIndirect(inst, tail: false)
        case .return_call_indirect: try callIndirect(inst, tail: true)
        case .func_addr: try functionAddress(inst)

        // Not modelled (yet).
        case .f16const: throw .unsupported("type f16")
        case .f128const: throw .unsupported("type f128")
        case .vconst, .splat, .scalar_to_vector, .insertlane, .extractlane, .shuffle, .swizzle, .x86_pshufb,
             .vany_true, .vall_true, .vhigh_bits, .blendv, .avg_round, .uadd_sat, .sadd_sat, .usub_sat, .ssub_sat,
             .sqmul_round_sat, .x86_pmulhrsw, .x86_pmaddubsw, .iadd_pairwise, .snarrow, .unarrow, .uunarrow,
             .swiden_low, .swiden_high, .uwiden_low, .uwiden_high, .fvdemote, .fvpromote_low, .extract_vector,
             .x86_cvtt2dq, .uload8x8, .sload8x8, .uload16x4, .sload16x4, .uload32x2, .sload32x2:
            throw .unsupported("opcode \(opcode.name) (SIMD)")
        case .try_call, .try_call_indirect, .get_exception_handler_address:
            throw .unsupported("opcode \(opcode.name) (exceptions)")
        case .dynamic_stack_addr, .debugtrap, .stack_switch, .get_pinned_reg, .set_pinned_reg,
             .get_frame_pointer, .get_stack_pointer, .get_return_address, .symbol_value, .tls_value:
            throw .unsupported("opcode \(opcode.name)")
        }
    }

    // MARK: Integers

    private mutating func integerBinary(_ inst: Inst, _ narrow: MicroOp, _ wide: MicroOp) throws(Failure) {
        let p = try prepare(inst)
        emit(MicroInstruction(p.bits == 128 ? wide : narrow, bits: p.bits, destination: p.result(0),
                              a: p.argument(0), b: p.argument(1)))
    }

    private mutating func integerUnary(_ inst: Inst, _ narrow: MicroOp, _ wide: MicroOp) throws(Failure) {
        let p = try prepare(inst)
        emit(MicroInstruction(p.bits == 128 ? wide : narrow, bits: p.bits, destination: p.result(0),
                              a: p.argument(0)))
    }

    private mutating func integerCompare(_ inst: Inst) throws(Failure) {
        let p = try prepare(inst)
        guard let condition = IntCC(rawValue: p.data.code) else { throw .invalid("bad integer condition code") }
        var instruction = MicroInstruction(p.bits == 128 ? .icmpWide : .icmp, bits: p.bits,
                                           destination: p.result(0), a: p.argument(0), b: p.argument(1))
        instruction.code = condition.rawValue
        emit(instruction)
    }

    /// `a, flag = op x, y`: the flag's register goes in `c`.
    private mutating func overflowPair(_ inst: Inst, _ narrow: MicroOp, _ wide: MicroOp?) throws(Failure) {
        let p = try prepare(inst)
        let op: MicroOp
        if p.bits == 128 {
            guard let wide else { throw .invalid("\(p.data.opcode) is not defined for i128") }
            op = wide
        } else {
            op = narrow
        }
        emit(MicroInstruction(op, bits: p.bits, destination: p.result(0), a: p.argument(0), b: p.argument(1),
                              c: p.result(1)))
    }

    /// `a, flag = op x, y, carry`: the flag's register goes in `immediate`.
    private mutating func carryChain(_ inst: Inst, _ narrow: MicroOp, _ wide: MicroOp) throws(Failure) {
        let p = try prepare(inst)
        emit(MicroInstruction(p.bits == 128 ? wide : narrow, bits: p.bits, destination: p.result(0),
                              a: p.argument(0), b: p.argument(1), c: p.argument(2),
                              immediate: UInt64(p.result(1))))
    }

    private mutating func addWithOverflowTrap(_ inst: Inst) throws(Failure) {
        let p = try prepare(inst)
        var instruction = MicroInstruction(.uaddOverflowTrap, bits: p.bits, destination: p.result(0),
                                           a: p.argument(0), b: p.argument(1))
        instruction.code = p.data.code
        emit(instruction)
    }

    private mutating func concatenate(_ inst: Inst) throws(Failure) {
        let p = try prepare(inst)
        var instruction = MicroInstruction(.concat, bits: p.bits * 2, destination: p.result(0),
                                           a: p.argument(0), b: p.argument(1))
        instruction.otherBits = UInt8(p.bits)
        emit(instruction)
    }

    private mutating func split(_ inst: Inst) throws(Failure) {
        let p = try prepare(inst)
        emit(MicroInstruction(.split, bits: p.bits / 2, destination: p.result(0), a: p.argument(0),
                              b: p.result(1)))
    }

    /// Operations on whole registers: `band`/`bor`/`bxor` (two operands) and
    /// `bitselect`/`select` (three).
    private mutating func wholeRegister(_ inst: Inst, _ op: MicroOp) throws(Failure) {
        let p = try prepare(inst)
        emit(MicroInstruction(op, bits: p.bits, destination: p.result(0), a: p.argument(0), b: p.argument(1),
                              c: p.arguments.count > 2 ? p.argument(2) : 0))
    }

    private mutating func booleanMask(_ inst: Inst) throws(Failure) {
        let p = try prepare(inst)
        emit(MicroInstruction(.bmask, bits: p.bits, destination: p.result(0), a: p.argument(0)))
    }

    private mutating func constant(_ inst: Inst) throws(Failure) {
        let p = try prepare(inst)
        let resultBits = type(p.results[0]).bits
        let mask: UInt64 = resultBits >= 64 ? .max : (1 << UInt64(resultBits)) - 1
        emit(MicroInstruction(.constant, bits: resultBits, destination: p.result(0),
                              immediate: UInt64(bitPattern: p.data.immediate) & mask))
    }

    /// `bitcast` between scalars of equal width moves the bits unchanged: the byte order
    /// flag only matters when lane counts differ, which needs vectors.
    private mutating func bitcast(_ inst: Inst) throws(Failure) {
        let p = try prepare(inst)
        let from = type(p.arguments[0]), to = type(p.results[0])
        guard from.bits == to.bits else { throw .invalid("bitcast from \(from) to \(to) changes the width") }
        emit(MicroInstruction(.copy, bits: p.bits, destination: p.result(0), a: p.argument(0)))
    }

    /// Registers hold zero-extended bits, so `uextend` is a copy.
    private mutating func extend(_ inst: Inst, signed: Bool) throws(Failure) {
        let p = try prepare(inst)
        var instruction = MicroInstruction(signed ? .signExtend : .copy, bits: p.bits, destination: p.result(0),
                                           a: p.argument(0))
        instruction.otherBits = UInt8(type(p.arguments[0]).bits)
        emit(instruction)
    }

    private mutating func reduce(_ inst: Inst) throws(Failure) {
        let p = try prepare(inst)
        emit(MicroInstruction(.truncate, bits: p.bits, destination: p.result(0), a: p.argument(0)))
    }

    // MARK: Floats

    private mutating func float(_ inst: Inst, _ op: MicroOp) throws(Failure) {
        let p = try prepare(inst)
        emit(MicroInstruction(op, bits: p.bits, destination: p.result(0), a: p.argument(0),
                              b: p.arguments.count > 1 ? p.argument(1) : 0,
                              c: p.arguments.count > 2 ? p.argument(2) : 0))
    }

    private mutating func floatCompare(_ inst: Inst) throws(Failure) {
        let p = try prepare(inst)
        guard let condition = FloatCC(rawValue: p.data.code) else { throw .invalid("bad float condition code") }
        var instruction = MicroInstruction(.fcmp, bits: p.bits, destination: p.result(0), a: p.argument(0),
                                           b: p.argument(1))
        instruction.code = condition.rawValue
        emit(instruction)
    }

    /// Conversions between types: `bits` is the result's width, `otherBits` the operand's.
    private mutating func conversion(_ inst: Inst, _ op: MicroOp) throws(Failure) {
        let p = try prepare(inst)
        var instruction = MicroInstruction(op, bits: type(p.results[0]).bits, destination: p.result(0),
                                           a: p.argument(0))
        instruction.otherBits = UInt8(type(p.arguments[0]).bits)
        emit(instruction)
    }
}
