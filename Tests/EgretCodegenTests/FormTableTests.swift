import EgretIR
import Testing
@testable import EgretCodegen

/// The form table is consistent with itself and with the CPU features it declares;
/// the compiler refuses to emit a form whose features are not enabled. (That every
/// row is encoded, at every size, by the encoder tests is in X64EncoderTests.)
struct FormTableTests {
    @Test func everyFormHasExactlyOneRowInItsPlace() {
        #expect(X64Form.table.count == FormID.allCases.count)
        for (index, row) in X64Form.table.enumerated() {
            #expect(Int(row.id.rawValue) == index, "row \(index) is \(row.id)")
        }
    }

    @Test func everyRowHasAMnemonicAReasonAndAnEncoding() {
        for row in X64Form.table {
            #expect(!row.mnemonic.isEmpty, "\(row.id) has no mnemonic")
            #expect(row.reason.count > 10, "\(row.id) gives no reason")
            #expect(!row.encoding.opcodes.isEmpty, "\(row.id) has no encoding")
        }
    }

    /// The Op/En a format's shape asks of its rows (X64Inst+Encode.swift).
    @Test func everyRowHasTheEncodingsItsFormatNeeds() {
        for row in X64Form.table {
            let encoding = row.encoding
            let needs: Bool
            switch row.format {
            case .aluRmiR:
                needs = encoding.rm != nil
            case .cmpRmiR:
                needs = encoding.mr != nil || encoding.rm != nil
            case .aluRmImmR:
                needs = encoding.rm?.immediate == .bySize
            case .multiply, .divide:
                needs = encoding.m?.digit != nil
            case .signExtendData:
                needs = encoding.zo != nil && row.singleSize != nil
            case .shiftR:
                needs = encoding.m1 != nil && encoding.mi?.immediate == .byte && encoding.mc != nil
            case .unary:
                needs = encoding.m?.digit != nil || encoding.o != nil
            case .unaryRmR, .xmmRmR, .xmmUnaryRmR, .xmmCompare, .gprToXmm:
                needs = encoding.rm?.immediate == ImmediateWidth.none
            case .xmmUnaryRmRImm, .xmmCompareMask:
                needs = encoding.rm?.immediate == .byte
            case .xmmLoadStore:
                needs = encoding.rm != nil && encoding.mr != nil
            case .xmmToGpr:
                needs = encoding.rm != nil || encoding.mr != nil
            case .xmmVexTernary:
                needs = encoding.rvm != nil && encoding.vex != nil
            case .exchange:
                needs = encoding.mr != nil
            case .fence:
                needs = encoding.zo != nil
            case .dedicated:
                needs = true
            }
            #expect(needs, "\(row.id) lacks an encoding its format \(row.format) needs")
        }
    }

    /// Forms without a ModRM operand cannot fault on memory.
    @Test func onlyFormsWithAnRmOperandTrapOnMemory() {
        for row in X64Form.table where row.traps == .onMemoryFault || row.traps == .onDivideError {
            let e = row.encoding
            let hasRm = [e.rm, e.mr, e.mi, e.mi8, e.m, e.m1, e.mc, e.rmi8, e.rvm].contains { $0 != nil }
            #expect(hasRm, "\(row.id) traps on memory but has no r/m operand")
        }
    }

    /// Each row's declared features agree with its encoding: VEX forms need AVX (or a
    /// VEX-encoded extension of it), the 0F 38 and 0F 3A maps arrived with SSSE3 and
    /// SSE4.1, the F3-prefixed bit counts are separate features (without them the
    /// processor silently runs bsr/bsf), and baseline forms use neither.
    @Test func everyRowDeclaresTheFeaturesItsEncodingImplies() {
        let vexFeatures: X64Features = [.avx, .avx2, .fma, .avx512f, .avx512vl]
        for row in X64Form.table {
            let encoding = row.encoding
            let isVex = encoding.vex != nil || encoding.rvm != nil
            if isVex {
                #expect(!row.requires.isDisjoint(with: vexFeatures), "\(row.id) is VEX-encoded: it needs AVX or FMA")
                #expect(encoding.vex != nil && encoding.rvm != nil,
                        "\(row.id): VEX fields and an RVM opcode go together")
            } else {
                #expect(row.requires.isDisjoint(with: vexFeatures), "\(row.id) needs \(row.requires) without VEX")
            }
            let maps = encoding.opcodes.map(\.opcode.map)
            if !isVex && maps.contains(where: { $0 == .x0F38 || $0 == .x0F3A }) {
                #expect(!row.requires.isDisjoint(with: [.ssse3, .sse41, .sse42]),
                        "\(row.id) uses the 0F 38/0F 3A map: it needs SSSE3 or SSE4.x")
            }
            if encoding.prefix == .xF3, let rm = encoding.rm {
                let bitCount: [UInt32: X64Features] = [0x0FB8: .popcnt, 0x0FBC: .bmi1, 0x0FBD: .lzcnt]
                if let feature = bitCount[rm.bytes] {
                    #expect(row.requires.contains(feature), "\(row.id) (F3 \(rm.bytes)) needs \(feature)")
                }
            }
            if encoding.m?.bytes == 0x0FC7 && encoding.rexW == .always {
                #expect(row.requires.contains(.cmpxchg16b), "\(row.id) needs CMPXCHG16B")
            }
            if row.requires.isEmpty {
                #expect(!isVex && maps.allSatisfy { $0 == .primary || $0 == .x0F }, "\(row.id) is not baseline")
            }
        }
    }

    /// The default features are what the backend has emitted all along.
    @Test func defaultFeaturesCoverTheFormsTheLoweringEmits() {
        for form: FormID in [.roundss, .roundsd, .vfmadd213ss, .vfmadd213sd, .lzcnt, .cmpxchg16b] {
            #expect(X64Features.default.isSuperset(of: form.row.requires), "\(form) is not in the defaults")
        }
        #expect(X64Features.default.contains(.avx), "FMA implies AVX")
        #expect(X64Features.x86_64_v3.isSuperset(of: X64Form.everyRequirement), "a row needs more than x86-64-v3")
        #expect(X64Features.baseline.description == "baseline")
        #expect(X64Features([.fma, .sse41]).description == "SSE4.1, FMA")
    }

    /// An instruction names the forms its bytes come from and the features they need.
    @Test func instructionsNameTheirFormsAndFeatures() {
        let fma = X64Inst.xmmVexTernary(.vfmadd213sd, src1: Xmm.all[0], src2: Xmm.all[1], src3: .reg(Xmm.all[2]),
                                        dst: Writable(Xmm.all[0]))
        #expect(fma.requiredFeatures == [.fma])
        #expect(fma.missingFeature(.default) == nil)
        let missing = fma.missingFeature(.baseline)
        #expect(missing?.form == .vfmadd213sd && missing?.missing == [.fma])
        let loop = X64Inst.atomicRmwLoop128(op: .add, byteSwapped: false, operand: GprPair(low: .rsi, high: .rdi),
                                            mem: .base(.r8), scratch: Writable(.r9),
                                            temp: WritableGprPair(low: Writable(.rbx), high: Writable(.rcx)),
                                            dstOld: WritableGprPair(low: Writable(.rax), high: Writable(.rdx)))
        #expect(loop.form == nil && loop.requiredFeatures == [.cmpxchg16b])
        #expect(loop.missingFeature(.baseline)?.form == .cmpxchg16b)
        #expect(X64Inst.trapIf(cc: .e, trap: .integerOverflow).formsUsed.map(\.form) == [.jcc, .ud2])
    }

    static let source = """
        function %f(f64, f64, f64) -> f64 system_v {
        block0(v0: f64, v1: f64, v2: f64):
            v3 = fma v0, v1, v2
            v4 = ceil v3
            return v4
        }
        """

    static func compile(features: X64Features) throws -> CompiledFunction {
        let function = try #require(try CLIFParser.parse(source, fileName: "features.clif").functions.first)
        var options = Compiler.Options()
        options.features = features
        return try Compiler.compile(function, options: options)
    }

    @Test func theDefaultFeaturesCompileFmaAndCeil() throws {
        _ = try Self.compile(features: .default)
    }

    /// Without FMA the emitter refuses vfmadd213sd, naming the form and the feature;
    /// without SSE4.1, roundsd.
    @Test func aFormWhoseFeatureIsNotEnabledIsAnInternalError() throws {
        let withoutFma = #expect(throws: CodegenError.self) {
            try Self.compile(features: X64Features.default.subtracting([.fma, .avx]))
        }
        #expect(Self.message(withoutFma).contains("vfmadd213sd") && Self.message(withoutFma).contains("needs FMA"))
        let withoutSse41 = #expect(throws: CodegenError.self) { try Self.compile(features: [.fma, .avx]) }
        #expect(Self.message(withoutSse41).contains("roundsd") && Self.message(withoutSse41).contains("needs SSE4.1"))
    }

    static func message(_ error: CodegenError?) -> String {
        guard case .internalError(let message)? = error else {
            return "not an internal error: \(String(describing: error))"
        }
        return message
    }
}
