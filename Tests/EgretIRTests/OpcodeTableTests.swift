import EgretTestSupport
import Testing
@testable import EgretIR

/// The opcode table is the one source of truth for opcodes; these tests keep it
/// complete and self-consistent.
struct OpcodeTableTests {
    @Test func everyCraneliftOpcodeHasExactlyOneRow() {
        #expect(Opcode.allCases.count == 163)
        #expect(OpcodeTable.rows.count == Opcode.allCases.count)
        let names = OpcodeTable.rows.map(\.name)
        #expect(Set(names).count == names.count, "duplicate opcode names")
        for opcode in Opcode.allCases {
            #expect(Opcode(name: Substring(opcode.name)) == opcode)
            #expect(!opcode.info.summary.isEmpty, "\(opcode) has no summary")
        }
    }

    /// Every load and store says how wide its access is, and only they do: the
    /// interpreter, the lowering rules, the SMT specs and the generator read it there.
    @Test func everyLoadAndStoreDeclaresItsAccessWidth() {
        let memoryFormats: Set<InstructionFormat> = [.load, .store, .loadNoOffset, .storeNoOffset, .atomicRmw, .atomicCas]
        for opcode in Opcode.allCases {
            let info = opcode.info
            let accessesMemory = memoryFormats.contains(info.format) && (info.canLoad || info.canStore)
            #expect((info.access != nil) == accessesMemory, "\(opcode.name): access \(String(describing: info.access))")
        }
        #expect(Opcode.uload16.info.access?.bytes(at: .i64) == 2)
        #expect(Opcode.sload32.info.access?.signExtends == true)
        #expect(Opcode.store.info.access?.bytes(at: .i128) == 16)
        #expect(Opcode.istore8.info.access?.bytes(at: .i32) == 1)
    }

    @Test func namesMatchCraneliftsOpcodeList() throws {
        // `Tests/Data/clif-opcodes.txt` lists current Cranelift's opcodes, one per line:
        // the table must name exactly those.
        let text = try String(contentsOfFile: PackagePaths.root + "/Tests/Data/clif-opcodes.txt", encoding: .utf8)
        let listed = Set(text.split(whereSeparator: \.isNewline).map(String.init))
        #expect(listed == Set(OpcodeTable.rows.map(\.name)))
    }

    @Test func tierOneHasTheSixtyOpcodesOfTheDesignPlusTrapNopAndMemoryWidths() {
        let designTier1 = """
            band bitcast bitrev bitselect bmask bnot bor br_table brif bswap bxor cls clz ctz iabs iadd icmp
            iconst imul ineg ireduce ishl isub jump load popcnt return rotl rotr sadd_overflow sadd_overflow_cin
            sdiv select select_spectre_guard sextend smax smin smul_overflow smulhi srem sshr ssub_overflow
            ssub_overflow_bin stack_addr store trapnz trapz uadd_overflow uadd_overflow_cin uadd_overflow_trap
            udiv uextend umax umin umul_overflow umulhi urem ushr usub_overflow usub_overflow_bin
            """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        #expect(designTier1.count == 60)
        let extras = ["trap", "nop", "uload8", "sload8", "uload16", "sload16", "uload32", "sload32",
                      "istore8", "istore16", "istore32"]
        #expect(Set(OpcodeTable.tier1.map(\.name)) == Set(designTier1 + extras))
    }

    @Test(arguments: Opcode.allCases)
    func rowAgreesWithItsFormat(_ opcode: Opcode) {
        let info = opcode.info
        let valueOperands: Int? = {
            switch info.format {
            case .unaryImm, .unaryIeee16, .unaryIeee32, .unaryIeee64, .unaryConst, .unaryGlobalValue, .nullAry,
                 .jump, .funcAddr, .stackAddr, .dynamicStackAddr, .trap, .exceptionHandlerAddress:
                return 0
            case .unary, .binaryImm8, .brif, .branchTable, .load, .loadNoOffset, .condTrap:
                return 1
            case .binary, .ternaryImm8, .shuffle, .intCompare, .floatCompare, .atomicRmw, .store, .storeNoOffset,
                 .intAddTrap:
                return 2
            case .ternary, .atomicCas:
                return 3
            case .multiAry, .call, .tryCall:
                return 0
            case .callIndirect, .tryCallIndirect:
                return 1
            }
        }()
        #expect(info.operands.count == valueOperands, "\(opcode): operands do not match format \(info.format)")
        if let typevar = info.typevarOperand {
            #expect(info.isPolymorphic)
            #expect(typevar < info.operands.count)
            #expect(info.operands[typevar] == .controlling)
        }
        if info.isBranch { #expect(info.isTerminator) }
        if info.properties.contains(.isReturn) { #expect(info.isTerminator) }
    }

    @Test func controllingTypeSetsContainTheExpectedTypes() {
        #expect(Opcode.iadd.info.controllingTypes?.contains(.i128) == true)
        #expect(Opcode.iadd.info.controllingTypes?.contains(IRType(lane: .i32, laneCountLog2: 2)) == true)
        #expect(Opcode.iadd.info.controllingTypes?.contains(.f32) == false)
        #expect(Opcode.iconst.info.controllingTypes?.contains(.i128) == false)
        #expect(Opcode.bswap.info.controllingTypes?.contains(.i8) == false)
        #expect(Opcode.uadd_overflow_trap.info.controllingTypes?.contains(.i16) == false)
        #expect(Opcode.fadd.info.controllingTypes?.contains(.f64) == true)
        #expect(Opcode.load.info.requiresTypeSuffix)
        #expect(!Opcode.store.info.requiresTypeSuffix)
    }

    @Test func derivedTypesResolve() {
        #expect(OperandType.asTruthy.resolve(controlling: .i64) == .i8)
        #expect(OperandType.asTruthy.resolve(controlling: IRType(lane: .f32, laneCountLog2: 2))
                == IRType(lane: .i32, laneCountLog2: 2))
        #expect(OperandType.halfWidth.resolve(controlling: .i128) == .i64)
        #expect(OperandType.doubleWidth.resolve(controlling: .i64) == .i128)
        #expect(OperandType.splitLanes.resolve(controlling: IRType(lane: .i32, laneCountLog2: 2))
                == IRType(lane: .i16, laneCountLog2: 3))
        #expect(OperandType.mergeLanes.resolve(controlling: IRType(lane: .i8, laneCountLog2: 4))
                == IRType(lane: .i16, laneCountLog2: 3))
        #expect(OperandType.narrower(.intScalar).accepts(.i8, controlling: .i32))
        #expect(!OperandType.narrower(.intScalar).accepts(.i32, controlling: .i32))
        #expect(OperandType.wider(.intScalar).accepts(.i128, controlling: .i64))
    }
}

struct IRTypeTests {
    @Test(arguments: ["i8", "i16", "i32", "i64", "i128", "f16", "f32", "f64", "f128",
                      "i8x16", "i16x8", "i32x4", "i64x2", "f32x4", "f64x2", "i8x8", "i32x2", "i32x4xN"])
    func namesRoundTrip(_ name: String) throws {
        let type = try #require(IRType(name: Substring(name)))
        #expect(type.description == name)
    }

    @Test(arguments: ["i7", "i", "x4", "i32x3", "i32x1", "f8", "i32x4x", "i32x", "i8x512", ""])
    func rejectsNonTypes(_ name: String) {
        #expect(IRType(name: Substring(name)) == nil)
    }

    @Test func widths() {
        #expect(IRType.i128.bits == 128)
        #expect(IRType(lane: .i16, laneCountLog2: 3).bits == 128)
        #expect(IRType(lane: .f64, laneCountLog2: 1).laneType == .f64)
        #expect(IRType.f32.asInteger == .i32)
    }
}
