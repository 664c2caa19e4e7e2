import Testing
import EgretIR
@testable import EgretCodegen

/// The encoder sweep of the xmm formats: every xmm register pair (every xmm ×
/// general-purpose pair for the moves and conversions between the classes), each row
/// of each format, and a sample of the sweep's addresses.
extension EncoderSweep {
    static let xmms = Xmm.all

    /// All 256 xmm pairs.
    static var xmmPairs: [(Xmm, Xmm)] { xmms.flatMap { a in xmms.map { (a, $0) } } }

    static func floatInstructions(_ format: X64Format, _ form: FormID, first: Bool) -> [X64Inst] {
        var result: [X64Inst] = []
        let sizes = form.row.sizes.list
        switch format {
        case .xmmLoadStore:
            for (index, amode) in sampledAddresses(5, offset: 1).enumerated() {
                let xmm = xmms[index % 16]
                result.append(.xmmLoad(form, src: amode, dst: Writable(xmm)))
                result.append(.xmmStore(form, src: xmm, dst: amode))
            }
        case .gprToXmm:
            // A 64-bit bit move from memory has a shorter encoding llvm-mc prefers
            // (movq m64, F3 0F 7E), which lowering does not need: movd/movq move
            // registers only.
            let readsMemory = form.row.semantics != .moveToVector
            for size in sizes {
                for gpr in registers {
                    for xmm in xmms { result.append(.gprToXmm(form, size: size, src: .reg(gpr), dst: Writable(xmm))) }
                }
                for (index, amode) in sampledAddresses(31).enumerated() where readsMemory {
                    result.append(.gprToXmm(form, size: size, src: .mem(amode), dst: Writable(xmms[index % 16])))
                }
            }
        case .xmmToGpr:
            // A form encoded MR (movd) reads a register only.
            let readsMemory = form.row.encoding.rm != nil
            for size in sizes {
                for gpr in registers {
                    for xmm in xmms { result.append(.xmmToGpr(form, size: size, src: .reg(xmm), dst: Writable(gpr))) }
                }
                for (index, amode) in sampledAddresses(31).enumerated() where readsMemory {
                    result.append(.xmmToGpr(form, size: size, src: .mem(amode), dst: Writable(registers[index % 16])))
                }
            }
        case .xmmRmR:
            for (src, dst) in xmmPairs where first || src.reg.raw % 5 == 0 {
                result.append(arith(form, .reg(src), Int(dst.reg.raw & 15)))
            }
            for (index, amode) in sampledAddresses(23, offset: 2).enumerated() {
                result.append(arith(form, .mem(amode), index % 16))
            }
        case .xmmUnaryRmR, .xmmCompare:
            let sources: [(XmmMem, Xmm)] = xmmPairs.map { (.reg($0.0), $0.1) }
                + sampledAddresses(23, offset: 3).enumerated().map { (.mem($0.element), xmms[$0.offset % 16]) }
            for (src, xmm) in sources {
                result.append(format == .xmmCompare ? .xmmCompare(form, src1: xmm, src2: src)
                                                    : .xmmUnaryRmR(form, src: src, dst: Writable(xmm)))
            }
        case .xmmUnaryRmRImm:
            let modes = RoundingMode.allCases.map(\.immediate)
            for (index, (src, dst)) in xmmPairs.enumerated() {
                result.append(.xmmUnaryRmRImm(form, imm: modes[index % 4], src: .reg(src), dst: Writable(dst)))
            }
            for (index, amode) in sampledAddresses(31).enumerated() {
                result.append(.xmmUnaryRmRImm(form, imm: modes[index % 4], src: .mem(amode),
                                              dst: Writable(xmms[index % 16])))
            }
        case .xmmCompareMask:
            for (src, dst) in xmmPairs {
                result.append(compareMask(form, .unordered, .reg(src), Int(dst.reg.raw & 15)))
            }
            for (index, amode) in sampledAddresses(29).enumerated() {
                result.append(compareMask(form, .unordered, .mem(amode), index % 16))
            }
        case .xmmVexTernary:
            for (index, (a, b)) in xmmPairs.enumerated() {
                result.append(fma(form, .reg(xmms[(index * 7) % 16]), b, Int(a.reg.raw & 15)))
            }
            for (index, amode) in sampledAddresses(17).enumerated() {
                result.append(fma(form, .mem(amode), xmms[(index + 3) % 16], index % 16))
            }
        case .aluRmiR, .cmpRmiR, .aluRmImmR, .multiply, .divide, .signExtendData, .shiftR, .unary, .unaryRmR,
             .exchange, .fence, .dedicated:
            break
        }
        return result
    }

    /// The xmm shapes without a FormID.
    static var floatDedicatedInstructions: [X64Inst] {
        var result: [X64Inst] = xmmPairs.map { .xmmMove(src: $0.0, dst: Writable($0.1)) }
        for cc in CC.allCases {
            for (src, dst) in xmmPairs where cc == .ne || src.reg.raw % 4 == 0 {
                result.append(xmmCmove(cc, src, Int(dst.reg.raw & 15)))
            }
        }
        return result
    }
}
