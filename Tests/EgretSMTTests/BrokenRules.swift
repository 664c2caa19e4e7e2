@testable import EgretCodegen
import EgretIR

/// Deliberately wrong lowering rules, kept in the test target only. Each has the
/// name and shape of the real rule it breaks (so it can replace it in the backend
/// through the test-only hook) and one mistake the verifier must find.
enum BrokenRules {
    struct Fixture {
        var rule: LoweringRule
        var type: IRType
        var mistake: String
    }

    static let all: [Fixture] = [
        Fixture(rule: ishlNarrowUnmasked, type: .i8, mistake: "the i8 shift count is not masked to 3 bits"),
        Fixture(rule: sremTrapsOnMinusOne, type: .i32, mistake: "srem MIN % -1 reaches idiv and faults"),
        Fixture(rule: sdivMissingSignExtension, type: .i16, mistake: "the i16 divisor is not sign-extended"),
        Fixture(rule: icmpSignedConditionForUnsigned, type: .i32, mistake: "ult tested with the signed l condition"),
        Fixture(rule: clzLzcntUnadjusted, type: .i16, mistake: "lzcnt at 32 bits counts 16 extra zeros for i16"),
        Fixture(rule: loadDroppingOffset, type: .i32, mistake: "the address mode drops the offset"),
        Fixture(rule: iaddImmZeroExtended, type: .i64, mistake: "the 32-bit immediate is zero-extended, not sign-extended"),
        Fixture(rule: istore8WritingTwoBytes, type: .i32, mistake: "istore8 writes a byte too many"),
        Fixture(rule: returnNotExtended, type: .invalid, mistake: "a sext/uext return value is not extended"),
        Fixture(rule: loadBaseIndexDroppingIndex, type: .i64, mistake: "the base+index address drops the index"),
        Fixture(rule: sload16StackSlotZeroExtending, type: .i32, mistake: "sload16 from a stack slot zero-extends"),
        Fixture(rule: istore16BaseOffsetDroppingDisplacement, type: .i64,
                mistake: "the base+constant address of istore16 drops the constant"),
        Fixture(rule: storeImmWritingOneByte, type: .i16, mistake: "an i16 constant is stored as one byte"),
        Fixture(rule: uload16BaseIndexIgnoringByteOrder, type: .i32,
                mistake: "a big-endian uload16 does not swap its bytes"),
        Fixture(rule: brifIcmpImmediateAsByte, type: .i8,
                mistake: "a fused icmp's constant is compared as a sign-extended byte"),
        Fixture(rule: returnAreaStoresFourBytes, type: .invalid,
                mistake: "values in the return area are stored as 4 bytes whatever their width"),
    ]

    /// The memory fixtures: every address shape (register, stack slot, base+constant,
    /// base+index), loads, extending loads, stores, truncating stores and a big-endian load.
    static let memory = ["load", "istore8", "load_base_index", "sload16_stack_slot", "istore16_base_offset",
                         "store_imm", "uload16_base_index"]

    static let loadBaseIndexDroppingIndex = LoweringRule(
        name: "load_base_index", opcode: .load, types: .integers, priority: 10,
        priorityReason: "broken fixture", pattern: [.basePlusIndex]) { b in
        var address = b.amode(0)
        if case .baseIndex(let base, _, _, let displacement) = address.address {
            address.address = .base(base, displacement: displacement)
        }
        b.emit(.load(size: .size64, src: address, dst: b.result(0)))
    }

    static let sload16StackSlotZeroExtending = LoweringRule(
        name: "sload16_stack_slot", opcode: .sload16, types: .wideIntegers, priority: 30,
        priorityReason: "broken fixture", pattern: [.stackAddress]) { b in
        b.emit(.movzx(.wl, src: .mem(b.amode(0)), dst: b.result(0)))
    }

    static let istore16BaseOffsetDroppingDisplacement = LoweringRule(
        name: "istore16_base_offset", opcode: .istore16, types: .wideIntegers, priority: 20,
        priorityReason: "broken fixture", pattern: [.register, .basePlusConstant]) { b in
        var address = b.amode(1)
        if case .base(let base, _) = address.address { address.address = .base(base, displacement: 0) }
        b.emit(.store(size: .size16, src: b.gpr(0), dst: address))
    }

    static let uload16BaseIndexIgnoringByteOrder = LoweringRule(
        name: "uload16_base_index", opcode: .uload16, types: .wideIntegers, priority: 10,
        priorityReason: "broken fixture", pattern: [.basePlusIndex]) { b in
        b.emit(.movzx(.wl, src: .mem(b.amode(0)), dst: b.result(0)))
    }

    static let storeImmWritingOneByte = LoweringRule(
        name: "store_imm", opcode: .store, types: .integers, priority: 5,
        priorityReason: "broken fixture", pattern: [.constant, .register], guards: [.fitsSignExtendedImm32(0)]) { b in
        b.emit(.storeImm(size: .size8, imm: Int32(Int8(truncatingIfNeeded: b.constant(0))), dst: b.amode(1)))
    }

    static let returnNotExtended = LoweringRule(
        name: "return", opcode: .return, types: [], priority: 0,
        priorityReason: "broken fixture", pattern: []) { b in
        var uses: [FixedUse] = []
        for (index, value) in b.functionSignature.returns.enumerated() {
            if case .register(let register) = value.location { uses.append(FixedUse(b.gpr(index).reg, in: register)) }
        }
        b.emit(.ret(returns: uses))
    }

    static let returnAreaStoresFourBytes = LoweringRule(
        name: "return", opcode: .return, types: [], priority: 0,
        priorityReason: "broken fixture", pattern: []) { b in
        var uses: [FixedUse] = []
        for (index, value) in b.functionSignature.returns.enumerated() {
            switch value.location {
            case .register(let register):
                uses.append(FixedUse(X64LoweringRules.producedValue(b, operand: index, value).reg, in: register))
            case .stack(let offset):
                guard let pointer = b.returnAreaPointer else { continue }
                b.emit(.store(size: .size32, src: b.gpr(index), dst: .base(pointer, offset)))
            }
        }
        b.emit(.ret(returns: uses))
    }

    static let istore8WritingTwoBytes = LoweringRule(
        name: "istore8", opcode: .istore8, types: .i16AndWider, priority: 0,
        priorityReason: "broken fixture", pattern: [.register, .register]) { b in
        b.emit(.store(size: .size16, src: b.gpr(0), dst: b.amode(1)))
    }

    static let ishlNarrowUnmasked = LoweringRule(
        name: "ishl_narrow", opcode: .ishl, types: .narrowIntegers, priority: 0,
        priorityReason: "broken fixture", pattern: [.register, .register]) { b in
        b.emit(.shiftR(.shl, size: b.aluSize, src: b.gpr(0), count: .cl(b.gpr(1)), dst: b.result(0)))
    }

    static let brifIcmpImmediateAsByte = LoweringRule(
        name: "brif_icmp", opcode: .brif, types: [.i8], priority: 10,
        priorityReason: "broken fixture", pattern: [.comparison]) { b in
        var comparison = b.comparison(0)
        if case .imm(let value) = comparison.rhs { comparison.rhs = .imm(Int32(Int8(truncatingIfNeeded: value))) }
        b.emit(comparison.compare)
        b.emit(.jcc(cc: comparison.cc, target: b.edgeLabel(0)))
        b.emit(.jmp(target: b.edgeLabel(1)))
    }

    static let sremTrapsOnMinusOne = LoweringRule(
        name: "srem", opcode: .srem, types: .integers, priority: 0,
        priorityReason: "broken fixture", pattern: [.register, .register]) { b in
        let size = b.aluSize
        let dividend = b.extended(0, signed: true, to: size)
        let divisor = b.extended(1, signed: true, to: size)
        let high = b.newGpr()
        b.emit(.signExtendData(.signExtendAccumulator(size), src: dividend, dst: high))
        b.emit(.div(.divSigned, size: size, dividendLo: dividend, dividendHi: high.reg, divisor: .reg(divisor),
                    quotient: b.newGpr(), remainder: b.result(0), trap: .integerDivisionByZero))
    }

    static let sdivMissingSignExtension = LoweringRule(
        name: "sdiv", opcode: .sdiv, types: .integers, priority: 0,
        priorityReason: "broken fixture", pattern: [.register, .register]) { b in
        let size = b.aluSize
        let divisorIsMinusOne = b.newGpr()
        b.emit(.cmpRmiR(.cmp, size: b.size, src1: b.gpr(1), src2: .imm(-1)))
        b.emit(.setcc(cc: .e, dst: divisorIsMinusOne))
        let dividendIsMinimum = b.newGpr()
        b.emit(.cmpRmiR(.cmp, size: b.size, src1: b.gpr(0), src2: .imm(1)))
        b.emit(.setcc(cc: .o, dst: dividendIsMinimum))
        b.emit(.aluRmiR(.and, size: .size8, src1: divisorIsMinusOne.reg, src2: .reg(dividendIsMinimum.reg),
                        dst: b.newGpr()))
        b.emit(.trapIf(cc: .ne, trap: .integerOverflow))
        let dividend = b.extended(0, signed: true, to: size)
        let high = b.newGpr()
        b.emit(.signExtendData(.signExtendAccumulator(size), src: dividend, dst: high))
        b.emit(.div(.divSigned, size: size, dividendLo: dividend, dividendHi: high.reg, divisor: .reg(b.gpr(1)),
                    quotient: b.result(0), remainder: b.newGpr(), trap: .integerDivisionByZero))
    }

    static let icmpSignedConditionForUnsigned = LoweringRule(
        name: "icmp", opcode: .icmp, types: .integers, priority: 0,
        priorityReason: "broken fixture", pattern: [.register, .register]) { b in
        b.emit(.cmpRmiR(.cmp, size: b.size, src1: b.gpr(0), src2: .reg(b.gpr(1))))
        b.emit(.setcc(cc: b.intCC == .ult ? .l : CC(b.intCC), dst: b.result(0)))
    }

    static let clzLzcntUnadjusted = LoweringRule(
        name: "clz_bsr", opcode: .clz, types: .integers, priority: 0,
        priorityReason: "broken fixture", pattern: [.register]) { b in
        let source = b.extended(0, signed: false, to: b.aluSize)
        b.emit(.unaryRmR(.lzcnt, size: b.aluSize, src: .reg(source), dst: b.result(0)))
    }

    static let loadDroppingOffset = LoweringRule(
        name: "load", opcode: .load, types: .integers, priority: 0,
        priorityReason: "broken fixture", pattern: [.register]) { b in
        let address = Amode(.base(b.gpr(0), displacement: 0), trap: b.memoryFlags.trapCode)
        if b.type.bits == 64 {
            b.emit(.load(size: .size64, src: address, dst: b.result(0)))
        } else {
            b.emit(.load(size: .size32, src: address, dst: b.result(0)))
        }
    }

    static let iaddImmZeroExtended = LoweringRule(
        name: "iadd_imm", opcode: .iadd, types: .integers, priority: 10,
        priorityReason: "broken fixture", pattern: [.register, .constant], guards: [.fitsSignExtendedImm32(1)]) { b in
        let constant = b.newGpr()
        b.emit(.movImm(size: .size32, imm: UInt64(UInt32(truncatingIfNeeded: b.constant(1))), dst: constant))
        b.emit(.aluRmiR(.add, size: b.aluSize, src1: b.gpr(0), src2: .reg(constant.reg), dst: b.result(0)))
    }
}
