import Testing
import EgretIR
@testable import EgretCodegen

/// The encoder sweep of the scalar float forms: every xmm register pair (every xmm ×
/// general-purpose pair for the moves and conversions between the classes), both
/// widths, and a sample of the sweep's addresses.
extension EncoderSweep {
    static let xmms = Xmm.all

    /// All 256 xmm pairs.
    static var xmmPairs: [(Xmm, Xmm)] { xmms.flatMap { a in xmms.map { (a, $0) } } }

    static func floatInstructions(_ form: X64Inst.Form) -> [X64Inst] {
        var result: [X64Inst] = []
        let widths = FloatWidth.allCases
        let intSizes: [OperandSize] = [.size32, .size64]
        switch form {
        case .xmmLoad, .xmmStore:
            for width in XmmWidth.allCases {
                for (index, amode) in sampledAddresses(5, offset: 1).enumerated() {
                    let xmm = xmms[index % 16]
                    result.append(form == .xmmLoad ? .xmmLoad(width: width, src: amode, dst: Writable(xmm))
                                                   : .xmmStore(width: width, src: xmm, dst: amode))
                }
            }
        case .xmmMove:
            result += xmmPairs.map { .xmmMove(src: $0.0, dst: Writable($0.1)) }
        case .gprToXmm, .xmmToGpr:
            for size in intSizes {
                for gpr in registers {
                    for xmm in xmms {
                        result.append(form == .gprToXmm ? .gprToXmm(size: size, src: gpr, dst: Writable(xmm))
                                                        : .xmmToGpr(size: size, src: xmm, dst: Writable(gpr)))
                    }
                }
            }
        case .xmmArith:
            for width in widths {
                for op in FloatArithOp.allCases {
                    for (src, dst) in xmmPairs where op == .add || src.reg.raw % 5 == 0 {
                        result.append(arith(op, width, .reg(src), Int(dst.reg.raw & 15)))
                    }
                    for (index, amode) in sampledAddresses(23, offset: 2).enumerated() {
                        result.append(arith(op, width, .mem(amode), index % 16))
                    }
                }
            }
        case .xmmSqrt, .floatConvert, .xmmCompare:
            for width in widths {
                let sources: [(XmmMem, Xmm)] = xmmPairs.map { (.reg($0.0), $0.1) }
                    + sampledAddresses(23, offset: 3).enumerated().map { (.mem($0.element), xmms[$0.offset % 16]) }
                for (src, xmm) in sources {
                    if form == .xmmSqrt {
                        result.append(.xmmSqrt(width: width, src: src, dst: Writable(xmm)))
                    } else if form == .floatConvert {
                        result.append(.floatConvert(from: width, src: src, dst: Writable(xmm)))
                    } else {
                        result.append(.xmmCompare(width: width, src1: xmm, src2: src))
                    }
                }
            }
        case .xmmLogic:
            for op in FloatLogicOp.allCases {
                for (src, dst) in xmmPairs { result.append(logic(op, .reg(src), Int(dst.reg.raw & 15))) }
                for (index, amode) in sampledAddresses(29).enumerated() { result.append(logic(op, .mem(amode), index % 16)) }
            }
        case .xmmCompareMask:
            for width in widths {
                for (src, dst) in xmmPairs {
                    result.append(compareMask(.unordered, width, .reg(src), Int(dst.reg.raw & 15)))
                }
                for (index, amode) in sampledAddresses(29).enumerated() {
                    result.append(compareMask(.unordered, width, .mem(amode), index % 16))
                }
            }
        case .intToFloat, .floatToInt:
            for width in widths {
                for size in intSizes {
                    for gpr in registers {
                        for xmm in xmms {
                            result.append(form == .intToFloat
                                ? .intToFloat(intSize: size, width: width, src: .reg(gpr), dst: Writable(xmm))
                                : .floatToInt(width: width, intSize: size, src: .reg(xmm), dst: Writable(gpr)))
                        }
                    }
                    for (index, amode) in sampledAddresses(31).enumerated() {
                        result.append(form == .intToFloat
                            ? .intToFloat(intSize: size, width: width, src: .mem(amode), dst: Writable(xmms[index % 16]))
                            : .floatToInt(width: width, intSize: size, src: .mem(amode),
                                          dst: Writable(registers[index % 16])))
                    }
                }
            }
        case .xmmRound:
            for width in widths {
                for (index, (src, dst)) in xmmPairs.enumerated() {
                    let mode = RoundingMode.allCases[index % 4]
                    result.append(.xmmRound(width: width, mode: mode, src: .reg(src), dst: Writable(dst)))
                }
                for (index, amode) in sampledAddresses(31).enumerated() {
                    result.append(.xmmRound(width: width, mode: RoundingMode.allCases[index % 4], src: .mem(amode),
                                            dst: Writable(xmms[index % 16])))
                }
            }
        case .fma:
            for width in widths {
                for (index, (a, b)) in xmmPairs.enumerated() {
                    result.append(fma(width, .reg(xmms[(index * 7) % 16]), b, Int(a.reg.raw & 15)))
                }
                for (index, amode) in sampledAddresses(17).enumerated() {
                    result.append(fma(width, .mem(amode), xmms[(index + 3) % 16], index % 16))
                }
            }
        case .xmmCmove:
            for cc in CC.allCases {
                for (src, dst) in xmmPairs where cc == .ne || src.reg.raw % 4 == 0 {
                    result.append(xmmCmove(cc, src, Int(dst.reg.raw & 15)))
                }
            }
        case .aluRmiR, .cmpRmiR, .imul, .imulImm, .mul, .mul8, .div, .div8, .signExtendData, .shiftR, .unary,
             .bitCount, .bswap, .setcc, .cmove, .movRR, .movImm, .movzx, .movsx, .lea, .load, .store, .storeImm,
             .loadSymbol, .push, .pop, .callKnown, .callUnknown, .ret, .jmp, .jcc, .jmpIndirect, .ud2, .trapIf,
             .returnCallKnown, .returnCallUnknown, .lockCmpxchg, .xchg, .lockXadd, .mfence, .atomicRmwLoop,
             .lockCmpxchg16b, .atomicRmwLoop128:
            break
        }
        return result
    }
}
