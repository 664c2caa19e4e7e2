import EgretIR

/// Scalar floating point on f32 and f64: constants, arithmetic, sqrt, fma, sign
/// operations, fmin/fmax, rounding, fpromote/fdemote, bitcast to and from integers,
/// fcmp, select on floats, band/bor/bxor/bnot/bitselect of float bits and float
/// loads and stores (conversions to and from
/// integers: Rules+FloatConversions.swift).
///
/// Values live in the low lane of an xmm register (SSE2 scalar forms; roundss needs
/// SSE4.1, fma FMA3 — Egret's x86-64 baseline has both). Constants go through a
/// general-purpose register (`mov $bits, %eax; movd %eax, %xmm0`): no constant pool.
///
/// Semantics that x86 does not give directly:
/// - fneg/fabs/fcopysign are bit operations on the sign bit (xorps/andps/andnps with a
///   mask), so NaN payloads pass through untouched, as CLIF requires.
/// - fmin/fmax: minss/maxss return their second operand when either input is NaN or
///   both are zeros. Running them both ways and OR-ing (fmin) or AND-ing (fmax) the
///   two results orders -0 below +0 and agrees elsewhere; where the inputs are
///   unordered (a `cmpunordss` mask) the result is taken from `x + y` instead, which
///   is a NaN built from the inputs' (quieted) payloads — canonical when they are.
/// - fcmp: `ucomiss` sets ZF PF CF = 111 when unordered, 001 for less, 100 for equal,
///   000 for greater. Every FloatCC is one condition code after comparing (x, y) or
///   (y, x), except `eq` (ZF and not PF) and `ne` (not ZF or PF), which test two.
extension X64LoweringRules {
    static var floats: [LoweringRule] {
        var rules: [LoweringRule] = [
            LoweringRule(name: "f32const", opcode: .f32const, types: [], priority: 0,
                         priorityReason: "the only rule: the bits through a general-purpose register",
                         pattern: []) { b in
                b.emitFloatConstant(UInt64(UInt32(truncatingIfNeeded: b.immediate)), width: .f32, into: b.xmmResult(0))
            },
            LoweringRule(name: "f64const", opcode: .f64const, types: [], priority: 0,
                         priorityReason: "the only rule: the bits through a general-purpose register",
                         pattern: []) { b in
                b.emitFloatConstant(UInt64(bitPattern: b.immediate), width: .f64, into: b.xmmResult(0))
            },
            LoweringRule(name: "sqrt", opcode: .sqrt, types: .floats, priority: 0,
                         priorityReason: "the only rule: sqrtss/sqrtsd", pattern: [.register]) { b in
                b.emit(.xmmUnaryRmR(b.floatWidth.choose(.sqrtss, .sqrtsd), src: .reg(b.xmm(0)), dst: b.xmmResult(0)))
            },
            LoweringRule(name: "fma", opcode: .fma, types: .floats, priority: 0,
                         priorityReason: "the only rule: FMA3 vfmadd213 rounds once, as fma requires",
                         pattern: [.register, .register, .register]) { b in
                b.emit(.xmmVexTernary(b.floatWidth.choose(.vfmadd213ss, .vfmadd213sd), src1: b.xmm(0),
                                      src2: b.xmm(1), src3: .reg(b.xmm(2)), dst: b.xmmResult(0)))
            },
            LoweringRule(name: "fneg", opcode: .fneg, types: .floats, priority: 0,
                         priorityReason: "the only rule: flip the sign bit with xorps", pattern: [.register]) { b in
                let mask = b.materializeFloat(b.floatWidth.signBit, width: b.floatWidth)
                b.emit(.xmmRmR(.xorps, src1: b.xmm(0), src2: .reg(mask), dst: b.xmmResult(0)))
            },
            LoweringRule(name: "fabs", opcode: .fabs, types: .floats, priority: 0,
                         priorityReason: "the only rule: clear the sign bit with andps", pattern: [.register]) { b in
                let mask = b.materializeFloat(b.floatWidth.signBit - 1, width: b.floatWidth)
                b.emit(.xmmRmR(.andps, src1: b.xmm(0), src2: .reg(mask), dst: b.xmmResult(0)))
            },
            LoweringRule(name: "fcopysign", opcode: .fcopysign, types: .floats, priority: 0,
                         priorityReason: "the only rule: magnitude of x, sign of y, by masks",
                         pattern: [.register, .register]) { b in
                let sign = b.materializeFloat(b.floatWidth.signBit, width: b.floatWidth)
                let magnitude = b.newXmm(), signOfY = b.newXmm()
                b.emit(.xmmRmR(.andnps, src1: sign, src2: .reg(b.xmm(0)), dst: magnitude))
                b.emit(.xmmRmR(.andps, src1: b.xmm(1), src2: .reg(sign), dst: signOfY))
                b.emit(.xmmRmR(.orps, src1: magnitude.reg, src2: .reg(signOfY.reg), dst: b.xmmResult(0)))
            },
            LoweringRule(name: "fmin", opcode: .fmin, types: .floats, priority: 0,
                         priorityReason: "the only rule: minss both ways, OR for -0 < +0, NaN from x + y",
                         pattern: [.register, .register]) { b in
                emitMinMax(b, op: (.minss, .minsd), combine: .orps)
            },
            LoweringRule(name: "fmax", opcode: .fmax, types: .floats, priority: 0,
                         priorityReason: "the only rule: maxss both ways, AND for +0 > -0, NaN from x + y",
                         pattern: [.register, .register]) { b in
                emitMinMax(b, op: (.maxss, .maxsd), combine: .andps)
            },
            LoweringRule(name: "fpromote", opcode: .fpromote, types: [.f64], priority: 0,
                         priorityReason: "the only rule: cvtss2sd", pattern: [.register]) { b in
                b.emit(.xmmUnaryRmR(.cvtss2sd, src: .reg(b.xmm(0)), dst: b.xmmResult(0)))
            },
            LoweringRule(name: "fdemote", opcode: .fdemote, types: [.f32], priority: 0,
                         priorityReason: "the only rule: cvtsd2ss (rounds to nearest even)", pattern: [.register]) { b in
                b.emit(.xmmUnaryRmR(.cvtsd2ss, src: .reg(b.xmm(0)), dst: b.xmmResult(0)))
            },
            LoweringRule(name: "bitcast_to_float", opcode: .bitcast, types: .floats, priority: 0,
                         priorityReason: "an integer's bits into an xmm register: movd/movq",
                         pattern: [.register]) { b in
                b.emit(.gprToXmm(.movdToXmm, size: b.floatWidth == .f32 ? .size32 : .size64, src: .reg(b.gpr(0)),
                                 dst: b.xmmResult(0)))
            },
            LoweringRule(name: "bitcast_float_to_float", opcode: .bitcast, types: .floats, priority: 10,
                         priorityReason: "a float operand must not be read by the integer-operand rule",
                         pattern: [.float]) { b in
                b.emit(.xmmMove(src: b.xmm(0), dst: b.xmmResult(0)))
            },
            LoweringRule(name: "bitcast_from_float", opcode: .bitcast, types: .wideIntegers, priority: 10,
                         priorityReason: "a float operand must not be read by the integer bitcast rule",
                         pattern: [.float]) { b in
                b.emit(.xmmToGpr(.movdToGpr, size: b.size, src: .reg(b.xmm(0)), dst: b.result(0)))
            },
            LoweringRule(name: "fcmp", opcode: .fcmp, types: .floats, priority: 0,
                         priorityReason: "the only rule: ucomis, then one or two setcc",
                         pattern: [.register, .register]) { b in
                let test = emitFloatCompare(b, b.floatCC)
                switch test {
                case .single(let cc):
                    b.emit(.setcc(cc: cc, dst: b.result(0)))
                case .both(let first, let second), .either(let first, let second):
                    let lhs = b.newGpr(), rhs = b.newGpr()
                    b.emit(.setcc(cc: first, dst: lhs))
                    b.emit(.setcc(cc: second, dst: rhs))
                    let op: FormID = { if case .both = test { return .and } else { return .or } }()
                    b.emit(.aluRmiR(op, size: .size32, src1: lhs.reg, src2: .reg(rhs.reg), dst: b.result(0)))
                }
            },
        ]
        let arithmetic: [(Opcode, single: FormID, double: FormID)] = [(.fadd, .addss, .addsd), (.fsub, .subss, .subsd),
                                                                      (.fmul, .mulss, .mulsd), (.fdiv, .divss, .divsd)]
        for (opcode, single, double) in arithmetic {
            rules.append(LoweringRule(name: opcode.name, opcode: opcode, types: .floats, priority: 0,
                                      priorityReason: "the only rule: the scalar SSE instruction",
                                      pattern: [.register, .register]) { b in
                b.emit(.xmmRmR(b.floatWidth.choose(single, double), src1: b.xmm(0), src2: .reg(b.xmm(1)),
                               dst: b.xmmResult(0)))
            })
        }
        let bitwise: [(Opcode, FormID)] = [(.band, .andps), (.bor, .orps), (.bxor, .xorps)]
        for (opcode, op) in bitwise {
            rules.append(LoweringRule(name: opcode.name + "_float", opcode: opcode, types: .floats, priority: 0,
                                      priorityReason: "the only rule for float bits: andps/orps/xorps",
                                      pattern: [.register, .register]) { b in
                b.emit(.xmmRmR(op, src1: b.xmm(0), src2: .reg(b.xmm(1)), dst: b.xmmResult(0)))
            })
        }
        rules.append(LoweringRule(name: "bnot_float", opcode: .bnot, types: .floats, priority: 0,
                                  priorityReason: "the only rule for float bits: xorps with all ones",
                                  pattern: [.register]) { b in
            let ones = b.materializeFloat(.max, width: b.floatWidth)
            b.emit(.xmmRmR(.xorps, src1: b.xmm(0), src2: .reg(ones), dst: b.xmmResult(0)))
        })
        rules.append(LoweringRule(name: "bitselect_float", opcode: .bitselect, types: .floats, priority: 0,
                                  priorityReason: "the only rule for float bits: (x & c) | (y & ~c)",
                                  pattern: [.register, .register, .register]) { b in
            let condition = b.xmm(0)
            let fromX = b.newXmm(), fromY = b.newXmm()
            b.emit(.xmmRmR(.andps, src1: b.xmm(1), src2: .reg(condition), dst: fromX))
            b.emit(.xmmRmR(.andnps, src1: condition, src2: .reg(b.xmm(2)), dst: fromY))
            b.emit(.xmmRmR(.orps, src1: fromX.reg, src2: .reg(fromY.reg), dst: b.xmmResult(0)))
        })
        let roundings: [(Opcode, RoundingMode)] = [(.ceil, .ceil), (.floor, .floor), (.trunc, .trunc),
                                                   (.nearest, .nearest)]
        for (opcode, mode) in roundings {
            rules.append(LoweringRule(name: opcode.name, opcode: opcode, types: .floats, priority: 0,
                                      priorityReason: "the only rule: SSE4.1 roundss/roundsd",
                                      pattern: [.register]) { b in
                b.emit(.xmmUnaryRmRImm(b.floatWidth.choose(.roundss, .roundsd), imm: mode.immediate,
                                       src: .reg(b.xmm(0)), dst: b.xmmResult(0)))
            })
        }
        rules.append(LoweringRule(name: "brif_fcmp", opcode: .brif, types: [.i8], priority: 10,
                                  priorityReason: "fusing a single-use fcmp: ucomis; jcc instead of setcc; test; jne",
                                  pattern: [.floatComparison]) { b in
            let thenLabel = b.edgeLabel(0), elseLabel = b.edgeLabel(1)
            switch emitFusedFloatCompare(b, b.floatComparison(0)) {
            case .single(let cc):
                b.emit(.jcc(cc: cc, target: thenLabel))
            case .both(let first, let second):
                b.emit(.jcc(cc: second.inverse, target: elseLabel))
                b.emit(.jcc(cc: first, target: thenLabel))
            case .either(let first, let second):
                b.emit(.jcc(cc: first, target: thenLabel))
                b.emit(.jcc(cc: second, target: thenLabel))
            }
            b.emit(.jmp(target: elseLabel))
        })
        for opcode in [Opcode.select, .select_spectre_guard] {
            rules.append(LoweringRule(name: opcode.name + "_fcmp_float", opcode: opcode, types: .floats, priority: 10,
                                      priorityReason: "fusing a single-use fcmp saves its setcc and the test",
                                      pattern: [.floatComparison, .register, .register]) { b in
                let whenTrue = b.xmm(1), whenFalse = b.xmm(2)
                let select = { (cc: CC, consequent: Xmm, alternative: Xmm, dst: Writable<Xmm>) in
                    b.emit(.xmmCmove(cc: cc, consequent: consequent, alternative: alternative, dst: dst))
                }
                emitFusedSelect(b, whenTrue: whenTrue, whenFalse: whenFalse, into: b.xmmResult(0),
                                newRegister: { b.newXmm() }, select: select)
            })
            rules.append(LoweringRule(name: opcode.name + "_fcmp", opcode: opcode, types: .integers, priority: 10,
                                      priorityReason: "fusing a single-use fcmp saves its setcc and the test",
                                      pattern: [.floatComparison, .register, .register]) { b in
                let whenTrue = b.gpr(1), whenFalse = b.gpr(2)
                let size = b.aluSize
                let select = { (cc: CC, consequent: Gpr, alternative: Gpr, dst: Writable<Gpr>) in
                    b.emit(.cmove(size: size, cc: cc, consequent: .reg(consequent), alternative: alternative, dst: dst))
                }
                emitFusedSelect(b, whenTrue: whenTrue, whenFalse: whenFalse, into: b.result(0),
                                newRegister: { b.newGpr() }, select: select)
            })
        }
        for opcode in [Opcode.select, .select_spectre_guard] {
            rules.append(LoweringRule(name: opcode.name + "_float", opcode: opcode, types: .floats, priority: 0,
                                      priorityReason: "the only rule for float values: test, then a jump over a copy",
                                      pattern: [.register, .register, .register]) { b in
                let whenTrue = b.xmm(1), whenFalse = b.xmm(2)
                b.emitTestNonZero(0)
                b.emit(.xmmCmove(cc: .ne, consequent: whenTrue, alternative: whenFalse, dst: b.xmmResult(0)))
            })
            rules.append(LoweringRule(name: opcode.name + "_float_i128_condition", opcode: opcode, types: .floats,
                                      priority: 0,
                                      priorityReason: "the only rule for float values on an i128 condition: "
                                          + "or its halves, then a jump over a copy",
                                      pattern: [.pair, .register, .register]) { b in
                let whenTrue = b.xmm(1), whenFalse = b.xmm(2)
                emitTestCondition(b, operand: 0)
                b.emit(.xmmCmove(cc: .ne, consequent: whenTrue, alternative: whenFalse, dst: b.xmmResult(0)))
            })
        }
        rules += floatMemory
        return rules
    }

    /// Float loads and stores over every address shape of Rules+Memory.swift.
    static var floatMemory: [LoweringRule] {
        var rules: [LoweringRule] = []
        for address in addressShapes {
            rules.append(LoweringRule(name: "load_float" + address.suffix, opcode: .load, types: .floats,
                                      priority: address.priority, priorityReason: address.reason,
                                      pattern: [address.shape]) { b in
                guard b.memoryFlags.endianness != .big else {
                    // Load the bits into a general register, swap the bytes, move them over.
                    let size: OperandSize = b.floatWidth == .f32 ? .size32 : .size64
                    let raw = b.newGpr(), swapped = b.newGpr()
                    b.emit(.load(size: size, src: b.amode(0), dst: raw))
                    b.emit(.unary(.bswap, size: size, src: raw.reg, dst: swapped))
                    b.emit(.gprToXmm(.movdToXmm, size: size, src: .reg(swapped.reg), dst: b.xmmResult(0)))
                    return
                }
                b.emit(.xmmLoad(b.floatWidth.choose(.movss, .movsd), src: b.amode(0), dst: b.xmmResult(0)))
            })
            rules.append(LoweringRule(name: "store_float" + address.suffix, opcode: .store, types: .floats,
                                      priority: address.priority, priorityReason: address.reason,
                                      pattern: [.register, address.shape]) { b in
                guard b.memoryFlags.endianness != .big else {
                    // Move the bits to a general register, swap the bytes, store them.
                    let size: OperandSize = b.floatWidth == .f32 ? .size32 : .size64
                    let bits = b.newGpr(), swapped = b.newGpr()
                    b.emit(.xmmToGpr(.movdToGpr, size: size, src: .reg(b.xmm(0)), dst: bits))
                    b.emit(.unary(.bswap, size: size, src: bits.reg, dst: swapped))
                    b.emit(.store(size: size, src: swapped.reg, dst: b.amode(1)))
                    return
                }
                b.emit(.xmmStore(b.floatWidth.choose(.movss, .movsd), src: b.xmm(0), dst: b.amode(1)))
            })
        }
        return rules
    }

    /// fmin/fmax (see the file comment): dst = unordered(x, y) ? x + y
    ///                                                : combine(op(x, y), op(y, x)).
    static func emitMinMax(_ b: any LoweringBuilder, op: (single: FormID, double: FormID), combine: FormID) {
        let width = b.floatWidth
        let x = b.xmm(0), y = b.xmm(1)
        let forward = b.newXmm(), backward = b.newXmm(), ordered = b.newXmm()
        b.emit(.xmmRmR(width.choose(op.single, op.double), src1: x, src2: .reg(y), dst: forward))
        b.emit(.xmmRmR(width.choose(op.single, op.double), src1: y, src2: .reg(x), dst: backward))
        b.emit(.xmmRmR(combine, src1: forward.reg, src2: .reg(backward.reg), dst: ordered))
        let sum = b.newXmm(), unordered = b.newXmm()
        b.emit(.xmmRmR(width.choose(.addss, .addsd), src1: x, src2: .reg(y), dst: sum))
        b.emit(.xmmCompareMask(width.choose(.cmpss, .cmpsd), predicate: .unordered, src1: x, src2: .reg(y),
                               dst: unordered))
        let orderedPart = b.newXmm(), unorderedPart = b.newXmm()
        b.emit(.xmmRmR(.andnps, src1: unordered.reg, src2: .reg(ordered.reg), dst: orderedPart))
        b.emit(.xmmRmR(.andps, src1: unordered.reg, src2: .reg(sum.reg), dst: unorderedPart))
        b.emit(.xmmRmR(.orps, src1: orderedPart.reg, src2: .reg(unorderedPart.reg), dst: b.xmmResult(0)))
    }

    /// How a FloatCC reads the flags of `ucomis`.
    enum FloatFlagTest {
        case single(CC)
        /// Both conditions hold.
        case both(CC, CC)
        /// Either condition holds.
        case either(CC, CC)
    }

    /// Whether `condition` compares (y, x) rather than (x, y), and the flags test.
    static func floatFlagTest(_ condition: FloatCC) -> (swapped: Bool, test: FloatFlagTest) {
        switch condition {
        case .ord: return (false, .single(.np))
        case .uno: return (false, .single(.p))
        case .eq: return (false, .both(.e, .np))
        case .ne: return (false, .either(.ne, .p))
        case .one: return (false, .single(.ne))
        case .ueq: return (false, .single(.e))
        case .gt: return (false, .single(.a))
        case .ge: return (false, .single(.ae))
        case .lt: return (true, .single(.a))
        case .le: return (true, .single(.ae))
        case .ult: return (false, .single(.b))
        case .ule: return (false, .single(.be))
        case .ugt: return (true, .single(.b))
        case .uge: return (true, .single(.be))
        }
    }

    /// Emits the `ucomis` of a fused fcmp; returns the flags test.
    static func emitFusedFloatCompare(_ b: any LoweringBuilder, _ comparison: FusedFloatComparison) -> FloatFlagTest {
        let (swapped, test) = floatFlagTest(comparison.condition)
        b.emit(swapped ? .xmmCompare(comparison.width.choose(.ucomiss, .ucomisd), src1: comparison.rhs,
                                     src2: .reg(comparison.lhs))
                       : .xmmCompare(comparison.width.choose(.ucomiss, .ucomisd), src1: comparison.lhs,
                                     src2: .reg(comparison.rhs)))
        return test
    }

    /// `into = fcmp(operand 0) ? whenTrue : whenFalse` with one or two conditional
    /// moves after the ucomis (neither changes the flags):
    ///     both(c1, c2):   r = c2 ? T : F;  into = c1 ? r : F
    ///     either(c1, c2): r = c2 ? T : F;  into = c1 ? T : r
    static func emitFusedSelect<R: Hashable & Sendable>(_ b: any LoweringBuilder, whenTrue: R, whenFalse: R,
                                                        into destination: Writable<R>,
                                                        newRegister: () -> Writable<R>,
                                                        select: (CC, R, R, Writable<R>) -> Void) {
        switch emitFusedFloatCompare(b, b.floatComparison(0)) {
        case .single(let cc):
            select(cc, whenTrue, whenFalse, destination)
        case .both(let first, let second):
            let partial = newRegister()
            select(second, whenTrue, whenFalse, partial)
            select(first.inverse, whenFalse, partial.reg, destination)
        case .either(let first, let second):
            let partial = newRegister()
            select(second, whenTrue, whenFalse, partial)
            select(first, whenTrue, partial.reg, destination)
        }
    }

    /// Emits the `ucomis` of operands 0 and 1 for `condition`; returns the flags test.
    static func emitFloatCompare(_ b: any LoweringBuilder, _ condition: FloatCC) -> FloatFlagTest {
        let (swapped, test) = floatFlagTest(condition)
        let x = b.xmm(0), y = b.xmm(1)
        let width = FloatWidth(b.operandType(0))
        b.emit(swapped ? .xmmCompare(width.choose(.ucomiss, .ucomisd), src1: y, src2: .reg(x))
                       : .xmmCompare(width.choose(.ucomiss, .ucomisd), src1: x, src2: .reg(y)))
        return test
    }
}

extension FloatWidth {
    /// The sign bit of a scalar of this width.
    public var signBit: UInt64 { self == .f32 ? 0x8000_0000 : 0x8000_0000_0000_0000 }
}

extension LoweringBuilder {
    /// The controlling type as a float width.
    public var floatWidth: FloatWidth { FloatWidth(type) }

    /// `mov $bits, %reg; movd/movq %reg, destination`.
    public func emitFloatConstant(_ bits: UInt64, width: FloatWidth, into destination: Writable<Xmm>) {
        let integer = newGpr()
        let size: OperandSize = width == .f32 ? .size32 : .size64
        emit(.movImm(size: size, imm: width == .f32 ? bits & 0xFFFF_FFFF : bits, dst: integer))
        emit(.gprToXmm(.movdToXmm, size: size, src: .reg(integer.reg), dst: destination))
    }

    /// A fresh xmm register holding a scalar with these bits.
    public func materializeFloat(_ bits: UInt64, width: FloatWidth) -> Xmm {
        let destination = newXmm()
        emitFloatConstant(bits, width: width, into: destination)
        return destination.reg
    }
}
