extension OpcodeTable {
    static func addVector(_ b: inout RowBuilder) {
        let binary: [OperandType] = [T, T]
        let i8x16 = IRType(lane: .i8, laneCountLog2: 4)
        let i16x8 = IRType(lane: .i16, laneCountLog2: 3)
        let f32x4 = IRType(lane: .f32, laneCountLog2: 2)
        let f64x2 = IRType(lane: .f64, laneCountLog2: 1)
        let onlyI8x16 = TypeSet(integerWidths: TypeSet.widths(8, 8), includesScalars: false, vectorLanesLog2: 4 ... 4)
        b.add(.vconst, .unaryConst, .vector, typevar: nil, [], [T], tier: 3, "A vector constant.")
        b.add(.splat, .unary, .vector, typevar: nil, [.laneOf], [T], tier: 3, "Copy a scalar into every lane.")
        b.add(.scalar_to_vector, .unary, .vector, typevar: nil, [.laneOf], [T], tier: 3,
              "A scalar in lane 0, other lanes zero.")
        b.add(.insertlane, .ternaryImm8, .vector, typevar: 0, [T, .laneOf], [T], tier: 3,
              "Replace one lane.")
        b.add(.extractlane, .binaryImm8, .vector, typevar: 0, [T], [.laneOf], tier: 3, "Read one lane.")
        b.add(.shuffle, .shuffle, .vector16Lanes, typevar: 0, binary, [T], tier: 3,
              "Pick 16 bytes from the 32 bytes of two vectors by an immediate mask.")
        b.add(.swizzle, .binary, onlyI8x16, typevar: 0, binary, [T], tier: 3,
              "Pick bytes of x by the byte indices in y; out-of-range indices give 0.")
        b.add(.x86_pshufb, .binary, onlyI8x16, typevar: 0, binary, [T], tier: 3, "x86 pshufb.")
        b.add(.vany_true, .unary, .vector, typevar: 0, [T], [flag], tier: 3, "1 if any lane is non-zero.")
        b.add(.vall_true, .unary, .vector, typevar: 0, [T], [flag], tier: 3, "1 if every lane is non-zero.")
        b.add(.vhigh_bits, .unary, .narrowInt, typevar: nil, [.free(.vector)], [T], tier: 3,
              "Gather the high bit of every lane into a scalar.")
        b.add(.blendv, .ternary, .any, typevar: 1, [T, T, T], [T], tier: 3,
              "x86 blendv: lanes of x where the lane of c has its high bit set, else of y.")
        b.add(.avg_round, .binary, .intVector, typevar: 0, binary, [T], [.isCommutative], tier: 3,
              "Unsigned rounding average of lanes.")
        b.add(.uadd_sat, .binary, .intVector, typevar: 0, binary, [T], [.isCommutative], tier: 3,
              "Unsigned saturating addition.")
        b.add(.sadd_sat, .binary, .intVector, typevar: 0, binary, [T], [.isCommutative], tier: 3,
              "Signed saturating addition.")
        b.add(.usub_sat, .binary, .intVector, typevar: 0, binary, [T], tier: 3, "Unsigned saturating subtraction.")
        b.add(.ssub_sat, .binary, .intVector, typevar: 0, binary, [T], tier: 3, "Signed saturating subtraction.")
        b.add(.sqmul_round_sat, .binary, .int16Or32Vector, typevar: 0, binary, [T], tier: 3,
              "Fixed-point Q15/Q31 multiplication, rounded and saturated.")
        b.add(.x86_pmulhrsw, .binary, .int16Or32Vector, typevar: 0, binary, [T], tier: 3, "x86 pmulhrsw.")
        b.add(.x86_pmaddubsw, .binary, nil, typevar: nil, [.fixed(i8x16), .fixed(i8x16)], [.fixed(i16x8)], tier: 3,
              "x86 pmaddubsw.")
        b.add(.iadd_pairwise, .binary, .widenableVector, typevar: 0, binary, [T], tier: 3,
              "Add adjacent lane pairs of the concatenation of x and y.")
        b.add(.snarrow, .binary, .narrowableVector, typevar: 0, binary, [.splitLanes], tier: 3,
              "Narrow lanes of x then y with signed saturation.")
        b.add(.unarrow, .binary, .narrowableVector, typevar: 0, binary, [.splitLanes], tier: 3,
              "Narrow signed lanes of x then y with unsigned saturation.")
        b.add(.uunarrow, .binary, .narrowableVector, typevar: 0, binary, [.splitLanes], tier: 3,
              "Narrow unsigned lanes of x then y with unsigned saturation.")
        b.add(.swiden_low, .unary, .widenableVector, typevar: 0, [T], [.mergeLanes], tier: 3,
              "Sign-extend the low half of the lanes.")
        b.add(.swiden_high, .unary, .widenableVector, typevar: 0, [T], [.mergeLanes], tier: 3,
              "Sign-extend the high half of the lanes.")
        b.add(.uwiden_low, .unary, .widenableVector, typevar: 0, [T], [.mergeLanes], tier: 3,
              "Zero-extend the low half of the lanes.")
        b.add(.uwiden_high, .unary, .widenableVector, typevar: 0, [T], [.mergeLanes], tier: 3,
              "Zero-extend the high half of the lanes.")
        b.add(.fvdemote, .unary, nil, typevar: nil, [.fixed(f64x2)], [.fixed(f32x4)], tier: 3,
              "Demote two f64 lanes into the low f32 lanes; high lanes zero.")
        b.add(.fvpromote_low, .unary, nil, typevar: nil, [.fixed(f32x4)], [.fixed(f64x2)], tier: 3,
              "Promote the two low f32 lanes to f64.")
        b.add(.extract_vector, .binaryImm8, .vector, typevar: 0, [T], [.dynamicToVector], tier: 4,
              "A fixed-width part of a dynamic vector.")
    }
}
