extension OpcodeTable {
    static func addIntegerArithmetic(_ b: inout RowBuilder) {
        let binary: [OperandType] = [T, T]
        let commutative: OpcodeProperties = [.isCommutative]
        let divides: OpcodeProperties = [.canTrap]
        b.add(.iconst, .unaryImm, .narrowInt, typevar: nil, [], [T], tier: 1,
              "An integer constant (i8 … i64; build i128 with iconcat or an extend).")
        b.add(.iadd, .binary, .int, typevar: 0, binary, [T], commutative, tier: 1, "Wrapping addition.")
        b.add(.isub, .binary, .int, typevar: 0, binary, [T], tier: 1, "Wrapping subtraction.")
        b.add(.ineg, .unary, .int, typevar: 0, [T], [T], tier: 1, "Wrapping negation.")
        b.add(.iabs, .unary, .int, typevar: 0, [T], [T], tier: 1, "Absolute value; the minimum maps to itself.")
        b.add(.imul, .binary, .int, typevar: 0, binary, [T], commutative, tier: 1, "Wrapping multiplication.")
        b.add(.umulhi, .binary, .int, typevar: 0, binary, [T], commutative, tier: 1,
              "High half of the unsigned double-width product.")
        b.add(.smulhi, .binary, .int, typevar: 0, binary, [T], commutative, tier: 1,
              "High half of the signed double-width product.")
        b.add(.udiv, .binary, .intScalar, typevar: 0, binary, [T], divides, tier: 1,
              "Unsigned division; traps int_divz on a zero divisor.")
        b.add(.sdiv, .binary, .intScalar, typevar: 0, binary, [T], divides, tier: 1,
              "Signed division rounding toward zero; traps int_divz on zero and int_ovf on MIN / -1.")
        b.add(.urem, .binary, .intScalar, typevar: 0, binary, [T], divides, tier: 1,
              "Unsigned remainder; traps int_divz on a zero divisor.")
        b.add(.srem, .binary, .intScalar, typevar: 0, binary, [T], divides, tier: 1,
              "Signed remainder with the dividend's sign; traps int_divz on zero; MIN % -1 is 0.")
        b.add(.smin, .binary, .int, typevar: 0, binary, [T], commutative, tier: 1, "Signed minimum.")
        b.add(.umin, .binary, .int, typevar: 0, binary, [T], commutative, tier: 1, "Unsigned minimum.")
        b.add(.smax, .binary, .int, typevar: 0, binary, [T], commutative, tier: 1, "Signed maximum.")
        b.add(.umax, .binary, .int, typevar: 0, binary, [T], commutative, tier: 1, "Unsigned maximum.")
        b.add(.icmp, .intCompare, .int, typevar: 0, binary, [.asTruthy], tier: 1,
              "Compare integers: 1 (all ones in vector lanes) if the condition holds, else 0.")
        b.add(.uadd_overflow, .binary, .intScalar, typevar: 0, binary, [T, flag], commutative, tier: 1,
              "Wrapping addition and whether it overflowed unsigned.")
        b.add(.sadd_overflow, .binary, .intScalar, typevar: 0, binary, [T, flag], commutative, tier: 1,
              "Wrapping addition and whether it overflowed signed.")
        b.add(.usub_overflow, .binary, .intScalar, typevar: 0, binary, [T, flag], tier: 1,
              "Wrapping subtraction and whether it borrowed.")
        b.add(.ssub_overflow, .binary, .intScalar, typevar: 0, binary, [T, flag], tier: 1,
              "Wrapping subtraction and whether it overflowed signed.")
        b.add(.umul_overflow, .binary, .narrowInt, typevar: 0, binary, [T, flag], commutative, tier: 1,
              "Wrapping multiplication and whether it overflowed unsigned.")
        b.add(.smul_overflow, .binary, .narrowInt, typevar: 0, binary, [T, flag], commutative, tier: 1,
              "Wrapping multiplication and whether it overflowed signed.")
        b.add(.uadd_overflow_cin, .ternary, .intScalar, typevar: 0, [T, T, flag], [T, flag], tier: 1,
              "Addition with a carry in (non-zero i8); result and unsigned carry out.")
        b.add(.sadd_overflow_cin, .ternary, .intScalar, typevar: 0, [T, T, flag], [T, flag], tier: 1,
              "Addition with a carry in (non-zero i8); result and signed overflow.")
        b.add(.usub_overflow_bin, .ternary, .intScalar, typevar: 0, [T, T, flag], [T, flag], tier: 1,
              "Subtraction with a borrow in (non-zero i8); result and unsigned borrow out.")
        b.add(.ssub_overflow_bin, .ternary, .intScalar, typevar: 0, [T, T, flag], [T, flag], tier: 1,
              "Subtraction with a borrow in (non-zero i8); result and signed overflow.")
        b.add(.uadd_overflow_trap, .intAddTrap, .int32Or64, typevar: 0, binary, [T], [.canTrap], tier: 1,
              "Unsigned addition that traps with the given code on overflow.")
        b.add(.iconcat, .binary, .narrowInt, typevar: 0, binary, [.doubleWidth], tier: 2,
              "Concatenate two integers into one twice as wide: (lo, hi).")
        b.add(.isplit, .unary, .wideInt, typevar: 0, [T], [.halfWidth, .halfWidth], tier: 2,
              "Split an integer into its low and high halves.")
    }

    static func addBitwise(_ b: inout RowBuilder) {
        let binary: [OperandType] = [T, T]
        let shift: [OperandType] = [T, .free(.intScalar)]
        let commutative: OpcodeProperties = [.isCommutative]
        b.add(.band, .binary, .any, typevar: 0, binary, [T], commutative, tier: 1, "Bitwise and.")
        b.add(.bor, .binary, .any, typevar: 0, binary, [T], commutative, tier: 1, "Bitwise or.")
        b.add(.bxor, .binary, .any, typevar: 0, binary, [T], commutative, tier: 1, "Bitwise exclusive or.")
        b.add(.bnot, .unary, .any, typevar: 0, [T], [T], tier: 1, "Bitwise not.")
        b.add(.bitselect, .ternary, .any, typevar: 1, [T, T, T], [T], tier: 1,
              "Bits of x where c is 1, bits of y where c is 0.")
        b.add(.ishl, .binary, .int, typevar: 0, shift, [T], tier: 1,
              "Shift left; the count is taken modulo the lane width.")
        b.add(.ushr, .binary, .int, typevar: 0, shift, [T], tier: 1,
              "Logical shift right; the count is taken modulo the lane width.")
        b.add(.sshr, .binary, .int, typevar: 0, shift, [T], tier: 1,
              "Arithmetic shift right; the count is taken modulo the lane width.")
        b.add(.rotl, .binary, .int, typevar: 0, shift, [T], tier: 1,
              "Rotate left; the count is taken modulo the lane width.")
        b.add(.rotr, .binary, .int, typevar: 0, shift, [T], tier: 1,
              "Rotate right; the count is taken modulo the lane width.")
        b.add(.bitrev, .unary, .intScalar, typevar: 0, [T], [T], tier: 1, "Reverse the order of the bits.")
        b.add(.bswap, .unary, .wideInt, typevar: 0, [T], [T], tier: 1, "Reverse the order of the bytes.")
        b.add(.clz, .unary, .intScalar, typevar: 0, [T], [T], tier: 1,
              "Count leading zero bits (the width for zero).")
        b.add(.ctz, .unary, .intScalar, typevar: 0, [T], [T], tier: 1,
              "Count trailing zero bits (the width for zero).")
        b.add(.cls, .unary, .intScalar, typevar: 0, [T], [T], tier: 1,
              "Count leading bits equal to the sign bit, not counting the sign bit itself.")
        b.add(.popcnt, .unary, .int, typevar: 0, [T], [T], tier: 1, "Count the one bits.")
        b.add(.bmask, .unary, .intScalar, typevar: nil, [.free(.intScalar)], [T], tier: 1,
              "All ones if the operand is non-zero, else zero.")
        b.add(.select, .ternary, .any, typevar: 1, [.free(.intScalar), T, T], [T], tier: 1,
              "x if the condition is non-zero, else y.")
        b.add(.select_spectre_guard, .ternary, .any, typevar: 1, [.free(.intScalar), T, T], [T], tier: 1,
              "select that is never turned into a branch (a Spectre mitigation).")
    }
}
