import Foundation
import Testing
import EgretIR
@testable import EgretCodegen

/// Float values under register pressure and across conventions: spills of the float
/// class, Windows x64's callee-saved xmm6–xmm15 (saved whole, restored, recorded in
/// the unwind records), and float stack arguments.
struct FloatFrameTests {
    /// `%pressure(f64, f64) -> f64`: `count` values a_i = x + i, all live at once, then
    /// Σ a_i · (i + y): more live float values than there are xmm registers.
    static func pressureFunction(count: Int, callConv: String = "system_v") -> String {
        var lines = ["function %pressure(f64, f64) -> f64 \(callConv) {", "block0(v0: f64, v1: f64):"]
        for index in 1 ... count {
            lines.append("    v\(100 + index) = f64const 0x\(String(index, radix: 16)).0p0")
            lines.append("    v\(200 + index) = fadd v0, v\(100 + index)")
        }
        lines.append("    v300 = f64const 0x0.0p0")
        for index in 1 ... count {
            lines.append("    v\(400 + index) = fadd v\(100 + index), v1")
            lines.append("    v\(500 + index) = fmul v\(200 + index), v\(400 + index)")
            lines.append("    v\(300 + index) = fadd v\(299 + index), v\(500 + index)")
        }
        lines += ["    return v\(300 + count)", "}"]
        return lines.joined(separator: "\n") + "\n"
    }

    static func expectedPressure(count: Int, _ x: Double, _ y: Double) -> Double {
        var sum = 0.0
        for index in 1 ... count { sum += (x + Double(index)) * (Double(index) + y) }
        return sum
    }

    @Test(arguments: ["system_v", "windows_fastcall"])
    func manyLiveFloatValuesSpillAndComputeTheRightSum(callConv: String) throws {
        let text = FloatFrameTests.pressureFunction(count: 24, callConv: callConv)
        let module = try CLIFParser.parse(text, fileName: "pressure.clif")
        var options = Compiler.Options()
        options.checkAllocation = true
        options.keepVCode = true
        let compiled = try #require(try CompiledModule(module, options: options).compiled.first ?? nil)
        let allocation = try #require(compiled.allocation)
        #expect(allocation.spillSlotCount > 0, "24 live f64 values fit 16 xmm registers without spilling?")

        let loaded = try CompiledModule(module, options: options)
        for (x, y) in [(1.0, 2.0), (-3.5, 0.25), (100.0, -7.0)] {
            let result = try loaded.call(functionIndex: 0, arguments: [.f64(x), .f64(y)])
            #expect(result == .returned([.f64(FloatFrameTests.expectedPressure(count: 24, x, y))]))
        }
    }

    @Test func aWindowsFunctionSavesTheXmmRegistersItClobbersWhole() throws {
        let module = try CLIFParser.parse(FloatFrameTests.pressureFunction(count: 24, callConv: "windows_fastcall"),
                                          fileName: "pressure.clif")
        let compiled = try Compiler.compile(module.functions[0])
        let frame = compiled.emitted.frame
        #expect(frame.savedVectorRegisters == (6 ..< 16).map { PReg(.float, UInt8($0)) })
        var recorded: [PReg] = []
        for record in compiled.emitted.unwind {
            guard case .saveVectorRegister(_, let register, let offset) = record else { continue }
            recorded.append(register)
            #expect(offset % 16 == 0, "xmm save slot at rbp\(offset) is not 16-byte aligned")
        }
        #expect(recorded == frame.savedVectorRegisters)

        // A System V function saves none: xmm registers are all caller-saved there.
        let systemV = try CLIFParser.parse(FloatFrameTests.pressureFunction(count: 24), fileName: "pressure.clif")
        #expect(try Compiler.compile(systemV.functions[0]).emitted.frame.savedVectorRegisters.isEmpty)
    }

    /// A hand-written System V caller fills xmm6–xmm15 with known bits, calls the
    /// compiled Windows function (which uses every xmm register), and stores
    /// xmm6–xmm15 and the result to a buffer: the registers must come back intact.
    @Test func xmm6To15SurviveACallToAWindowsFunctionThatUsesThem() throws {
        let text = FloatFrameTests.pressureFunction(count: 24, callConv: "windows_fastcall")
        let (kept, result) = try FloatFrameTests.probe(text, entry: "pressure", 1.5, 2.0)
        for (offset, bits) in kept.enumerated() {
            #expect(bits == FloatFrameTests.marker(offset + 6), "xmm\(offset + 6) changed across the call")
        }
        #expect(result == FloatFrameTests.expectedPressure(count: 24, 1.5, 2.0))
    }

    /// A Windows function that calls a System V one loses xmm6–xmm15 to that call
    /// (they are caller-saved there) and must save them for its own caller, although
    /// it never writes them itself.
    @Test func aWindowsFunctionCallingSystemVKeepsXmm6To15ForItsCaller() throws {
        let text = FloatFrameTests.pressureFunction(count: 24) + """

            function %middle(f64, f64) -> f64 windows_fastcall {
                fn0 = %pressure(f64, f64) -> f64 system_v
            block0(v0: f64, v1: f64):
                v2 = call fn0(v0, v1)
                return v2
            }
            """
        let (kept, result) = try FloatFrameTests.probe(text, entry: "middle", -3.5, 0.25)
        for (offset, bits) in kept.enumerated() {
            #expect(bits == FloatFrameTests.marker(offset + 6), "xmm\(offset + 6) changed across the call")
        }
        #expect(result == FloatFrameTests.expectedPressure(count: 24, -3.5, 0.25))
    }

    /// Compiles every function of `text` into one JIT module with a hand-written System V
    /// probe that sets xmm6–xmm15 to `marker(i)`, calls `entry` (Windows x64, f64 × 2 →
    /// f64) with `x` and `y`, and returns what xmm6–xmm15 hold afterwards and the result.
    static func probe(_ text: String, entry: String, _ x: Double, _ y: Double) throws -> ([UInt64], Double) {
        let module = try CLIFParser.parse(text, fileName: "probe.clif")
        var options = Compiler.Options()
        options.checkAllocation = true
        let jit = JITModule()
        for function in module.functions {
            let compiled = try Compiler.compile(function, options: options)
            _ = try jit.define(function.name, signature: compiled.signature, code: compiled.code)
        }
        let rbx = Gpr.rbx, rax = Gpr.rax, rsp = Gpr.rsp
        var code: [X64Inst] = [.push(src: .reg(.rbp)), .movRR(size: .size64, src: rsp, dst: Writable(.rbp)),
                               .push(src: .reg(rbx)), .push(src: .reg(.r12)),
                               .movRR(size: .size64, src: .rdi, dst: Writable(rbx))]
        for index in 6 ..< 16 {
            code.append(.movImm(size: .size64, imm: marker(index), dst: Writable(rax)))
            code.append(.gprToXmm(.movdToXmm, size: .size64, src: .reg(rax), dst: Writable(Xmm.all[index])))
        }
        // Arguments (Windows: xmm0, xmm1), then 32 bytes of shadow space.
        for (register, value) in [(0, x), (1, y)] {
            code.append(.movImm(size: .size64, imm: value.bitPattern, dst: Writable(rax)))
            code.append(.gprToXmm(.movdToXmm, size: .size64, src: .reg(rax), dst: Writable(Xmm.all[register])))
        }
        code.append(.aluRmiR(.sub, size: .size64, src1: rsp, src2: .imm(32), dst: Writable(rsp)))
        code.append(.callKnown(name: .testCase(entry), info: CallInfo()))
        code.append(.aluRmiR(.add, size: .size64, src1: rsp, src2: .imm(32), dst: Writable(rsp)))
        for index in 6 ..< 16 {
            code.append(.xmmStore(.movsd, src: Xmm.all[index], dst: .base(rbx, Int32(8 * (index - 6)))))
        }
        code.append(.xmmStore(.movsd, src: Xmm.all[0], dst: .base(rbx, 80)))
        code += [.pop(dst: Writable(.r12)), .pop(dst: Writable(rbx)), .pop(dst: Writable(.rbp)), .ret(returns: [])]
        _ = try jit.define(.testCase("probe"), signature: JITPrograms.signature([.i64], []),
                           code: try JITPrograms.assemble(code))
        _ = try jit.define(.testCase("t"), signature: JITModule.trampolineSignature,
                           code: try JITPrograms.assemble(JITPrograms.trampoline(params: [.i64], returns: [])))
        try jit.finalize()

        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 88, alignment: 16)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: 88)
        let address = Int64(Int(bitPattern: buffer))
        let outcome = try jit.call(.testCase("probe"), through: .testCase("t"), arguments: [.int(address, .i64)])
        #expect(outcome == .returned([]))
        let kept = (6 ..< 16).map { buffer.load(fromByteOffset: 8 * ($0 - 6), as: UInt64.self) }
        return (kept, buffer.load(fromByteOffset: 80, as: Double.self))
    }

    /// Distinct bits for xmm`index`.
    static func marker(_ index: Int) -> UInt64 { 0x5A5A_0000_0000_0000 | UInt64(index) * 0x0101_0101 }

    @Test(arguments: ["system_v", "windows_fastcall"])
    func floatStackArgumentsArriveOnBothConventions(callConv: String) throws {
        // Twelve floats and two integers: past xmm7 (System V) and past the fourth
        // argument position (Windows), so several go to the stack, interleaved.
        var params: [String] = []
        var body: [String] = []
        var accumulator = "v100"
        body.append("    v100 = f64const 0x0.0p0")
        for index in 0 ..< 14 {
            let type = index == 3 || index == 9 ? "i64" : (index % 2 == 0 ? "f64" : "f32")
            params.append(type)
            var value = "v\(index)"
            if type == "i64" {
                body.append("    v\(200 + index) = fcvt_from_sint.f64 v\(index)")
                value = "v\(200 + index)"
            } else if type == "f32" {
                body.append("    v\(200 + index) = fpromote.f64 v\(index)")
                value = "v\(200 + index)"
            }
            body.append("    v\(300 + index) = f64const 0x\(String(index + 1, radix: 16)).0p0")
            body.append("    v\(400 + index) = fmul \(value), v\(300 + index)")
            body.append("    v\(500 + index) = fadd \(accumulator), v\(400 + index)")
            accumulator = "v\(500 + index)"
        }
        let header = params.enumerated().map { "v\($0.offset): \($0.element)" }.joined(separator: ", ")
        let text = "function %weighted(\(params.joined(separator: ", "))) -> f64 \(callConv) {\n"
            + "block0(\(header)):\n" + body.joined(separator: "\n") + "\n    return \(accumulator)\n}\n"
        let module = try CLIFParser.parse(text, fileName: "stack-arguments.clif")
        var options = Compiler.Options()
        options.checkAllocation = true
        let loaded = try CompiledModule(module, options: options)
        var arguments: [DataValue] = []
        var expected = 0.0
        for (index, type) in params.enumerated() {
            let value = Double(index) * 1.25 - 4
            switch type {
            case "i64": arguments.append(.int(Int64(index) - 5, .i64)); expected += Double(index - 5) * Double(index + 1)
            case "f32": arguments.append(.f32(Float(value))); expected += value * Double(index + 1)
            default: arguments.append(.f64(value)); expected += value * Double(index + 1)
            }
        }
        #expect(try loaded.call(functionIndex: 0, arguments: arguments) == .returned([.f64(expected)]))
    }
}
