extension OpcodeTable {
    static func addMemory(_ b: inout RowBuilder) {
        let address = OperandType.free(.address)
        let load: OpcodeProperties = [.canLoad]
        let store: OpcodeProperties = [.canStore]
        let atomic: OpcodeProperties = [.canLoad, .canStore, .otherSideEffects]
        b.add(.load, .load, .any, typevar: nil, [address], [T], load, tier: 1, access: .wholeValue, "Load a value from p + offset.")
        b.add(.store, .store, .any, typevar: 0, [T, address], [], store, tier: 1, access: .wholeValue, "Store a value at p + offset.")
        b.add(.uload8, .load, .extend8, typevar: nil, [address], [T], load, tier: 1, access: .narrow(1), "Load 8 bits and zero-extend.")
        b.add(.sload8, .load, .extend8, typevar: nil, [address], [T], load, tier: 1, access: .signExtending(1), "Load 8 bits and sign-extend.")
        b.add(.istore8, .store, .extend8, typevar: 0, [T, address], [], store, tier: 1, access: .narrow(1), "Store the low 8 bits.")
        b.add(.uload16, .load, .extend16, typevar: nil, [address], [T], load, tier: 1, access: .narrow(2),
              "Load 16 bits and zero-extend.")
        b.add(.sload16, .load, .extend16, typevar: nil, [address], [T], load, tier: 1, access: .signExtending(2),
              "Load 16 bits and sign-extend.")
        b.add(.istore16, .store, .extend16, typevar: 0, [T, address], [], store, tier: 1, access: .narrow(2), "Store the low 16 bits.")
        b.add(.uload32, .load, .extend32, typevar: nil, [address], [T], load, tier: 1, access: .narrow(4),
              "Load 32 bits and zero-extend.")
        b.add(.sload32, .load, .extend32, typevar: nil, [address], [T], load, tier: 1, access: .signExtending(4),
              "Load 32 bits and sign-extend.")
        b.add(.istore32, .store, .extend32, typevar: 0, [T, address], [], store, tier: 1, access: .narrow(4), "Store the low 32 bits.")
        b.add(.uload8x8, .load, nil, typevar: nil, [address], [.fixed(IRType(lane: .i16, laneCountLog2: 3))], load,
              tier: 3, access: .narrow(8), "Load eight 8-bit lanes and zero-extend each to 16 bits.")
        b.add(.sload8x8, .load, nil, typevar: nil, [address], [.fixed(IRType(lane: .i16, laneCountLog2: 3))], load,
              tier: 3, access: .signExtending(8), "Load eight 8-bit lanes and sign-extend each to 16 bits.")
        b.add(.uload16x4, .load, nil, typevar: nil, [address], [.fixed(IRType(lane: .i32, laneCountLog2: 2))], load,
              tier: 3, access: .narrow(8), "Load four 16-bit lanes and zero-extend each to 32 bits.")
        b.add(.sload16x4, .load, nil, typevar: nil, [address], [.fixed(IRType(lane: .i32, laneCountLog2: 2))], load,
              tier: 3, access: .signExtending(8), "Load four 16-bit lanes and sign-extend each to 32 bits.")
        b.add(.uload32x2, .load, nil, typevar: nil, [address], [.fixed(IRType(lane: .i64, laneCountLog2: 1))], load,
              tier: 3, access: .narrow(8), "Load two 32-bit lanes and zero-extend each to 64 bits.")
        b.add(.sload32x2, .load, nil, typevar: nil, [address], [.fixed(IRType(lane: .i64, laneCountLog2: 1))], load,
              tier: 3, access: .signExtending(8), "Load two 32-bit lanes and sign-extend each to 64 bits.")
        b.add(.stack_addr, .stackAddr, .address, typevar: nil, [], [T], tier: 1,
              "The address of a stack slot plus an offset.")
        b.add(.dynamic_stack_addr, .dynamicStackAddr, .address, typevar: nil, [], [T], tier: 4,
              "The address of a dynamic stack slot.")
        b.add(.atomic_load, .loadNoOffset, .atomic, typevar: nil, [address], [T], [.canLoad, .otherSideEffects],
              tier: 2, access: .wholeValue, "Sequentially consistent atomic load.")
        b.add(.atomic_store, .storeNoOffset, .atomic, typevar: 0, [T, address], [], [.canStore, .otherSideEffects],
              tier: 2, access: .wholeValue, "Sequentially consistent atomic store.")
        b.add(.atomic_rmw, .atomicRmw, .atomic, typevar: nil, [address, T], [T], atomic, tier: 2, access: .wholeValue,
              "Atomic read-modify-write; returns the old value.")
        b.add(.atomic_cas, .atomicCas, .atomic, typevar: 2, [address, T, T], [T], atomic, tier: 2, access: .wholeValue,
              "Atomic compare-and-swap; returns the old value.")
    }

    static func addConversions(_ b: inout RowBuilder) {
        b.add(.bitcast, .loadNoOffset, .any, typevar: nil, [.free(.any)], [T], tier: 1,
              "Reinterpret the bits as another type of the same width (byte order from the flags).")
        b.add(.uextend, .unary, .intScalar, typevar: nil, [.narrower(.intScalar)], [T], tier: 1,
              "Zero-extend to a wider integer.")
        b.add(.sextend, .unary, .intScalar, typevar: nil, [.narrower(.intScalar)], [T], tier: 1,
              "Sign-extend to a wider integer.")
        b.add(.ireduce, .unary, .intScalar, typevar: nil, [.wider(.intScalar)], [T], tier: 1,
              "Keep the low bits of a wider integer.")
        b.add(.fpromote, .unary, .floatScalar, typevar: nil, [.narrower(.floatScalar)], [T], tier: 2,
              "Convert to a wider float exactly.")
        b.add(.fdemote, .unary, .floatScalar, typevar: nil, [.wider(.floatScalar)], [T], tier: 2,
              "Convert to a narrower float, rounding to nearest even.")
        b.add(.fcvt_to_uint, .unary, .intScalar, typevar: nil, [.free(.floatScalar)], [T], [.canTrap], tier: 2,
              "Float to unsigned integer, rounding toward zero; traps bad_toint on NaN, int_ovf out of range.")
        b.add(.fcvt_to_sint, .unary, .intScalar, typevar: nil, [.free(.floatScalar)], [T], [.canTrap], tier: 2,
              "Float to signed integer, rounding toward zero; traps bad_toint on NaN, int_ovf out of range.")
        b.add(.fcvt_to_uint_sat, .unary, .int, typevar: nil, [.free(.float)], [T], tier: 2,
              "Float to unsigned integer, saturating; NaN gives 0.")
        b.add(.fcvt_to_sint_sat, .unary, .int, typevar: nil, [.free(.float)], [T], tier: 2,
              "Float to signed integer, saturating; NaN gives 0.")
        b.add(.fcvt_from_uint, .unary, .float, typevar: nil, [.free(.int)], [T], tier: 2,
              "Unsigned integer to float, rounding to nearest even.")
        b.add(.fcvt_from_sint, .unary, .float, typevar: nil, [.free(.int)], [T], tier: 2,
              "Signed integer to float, rounding to nearest even.")
        b.add(.x86_cvtt2dq, .unary, .int, typevar: nil, [.free(.float)], [T], tier: 3,
              "x86 cvttps2dq: float lanes to i32 lanes, 0x80000000 when out of range.")
    }
}
