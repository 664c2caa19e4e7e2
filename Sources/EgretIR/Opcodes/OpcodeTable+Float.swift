extension OpcodeTable {
    static func addFloat(_ b: inout RowBuilder) {
        let binary: [OperandType] = [T, T]
        b.add(.f16const, .unaryIeee16, nil, typevar: nil, [], [.fixed(.f16)], tier: 4, "An f16 constant.")
        b.add(.f32const, .unaryIeee32, nil, typevar: nil, [], [.fixed(.f32)], tier: 2, "An f32 constant.")
        b.add(.f64const, .unaryIeee64, nil, typevar: nil, [], [.fixed(.f64)], tier: 2, "An f64 constant.")
        b.add(.f128const, .unaryConst, nil, typevar: nil, [], [.fixed(.f128)], tier: 4, "An f128 constant.")
        b.add(.fcmp, .floatCompare, .float, typevar: 0, binary, [.asTruthy], tier: 2,
              "Compare floats: 1 (all ones in vector lanes) if the condition holds, else 0.")
        b.add(.fadd, .binary, .float, typevar: 0, binary, [T], tier: 2, "IEEE 754 addition.")
        b.add(.fsub, .binary, .float, typevar: 0, binary, [T], tier: 2, "IEEE 754 subtraction.")
        b.add(.fmul, .binary, .float, typevar: 0, binary, [T], tier: 2, "IEEE 754 multiplication.")
        b.add(.fdiv, .binary, .float, typevar: 0, binary, [T], tier: 2, "IEEE 754 division.")
        b.add(.sqrt, .unary, .float, typevar: 0, [T], [T], tier: 2, "IEEE 754 square root.")
        b.add(.fma, .ternary, .float, typevar: 0, [T, T, T], [T], tier: 2, "Fused multiply-add x * y + z.")
        b.add(.fneg, .unary, .float, typevar: 0, [T], [T], tier: 2, "Flip the sign bit.")
        b.add(.fabs, .unary, .float, typevar: 0, [T], [T], tier: 2, "Clear the sign bit.")
        b.add(.fcopysign, .binary, .float, typevar: 0, binary, [T], tier: 2,
              "x with the sign bit of y.")
        b.add(.fmin, .binary, .float, typevar: 0, binary, [T], tier: 2,
              "Minimum; NaN if either is NaN; -0 is less than +0.")
        b.add(.fmax, .binary, .float, typevar: 0, binary, [T], tier: 2,
              "Maximum; NaN if either is NaN; +0 is greater than -0.")
        b.add(.ceil, .unary, .float, typevar: 0, [T], [T], tier: 2, "Round toward +∞.")
        b.add(.floor, .unary, .float, typevar: 0, [T], [T], tier: 2, "Round toward -∞.")
        b.add(.trunc, .unary, .float, typevar: 0, [T], [T], tier: 2, "Round toward zero.")
        b.add(.nearest, .unary, .float, typevar: 0, [T], [T], tier: 2, "Round to nearest, ties to even.")
    }
}
