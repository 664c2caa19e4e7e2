import EgretIR
import EgretInterpreter
import EgretTestSupport
import Foundation
import Testing
@testable import EgretHarness

/// The ahead-of-time executor (`egret run --aot`): run lines through an ELF object
/// linked with a generated C driver by gcc, judged like the JIT's.
struct AheadOfTimeTests {
    static func harness(_ text: String, lineTimeout: Double = 30) throws -> ModuleHarness {
        var options = ModuleHarness.Options()
        options.aheadOfTime = true
        options.aheadOfTimeLineTimeout = lineTimeout
        return try ModuleHarness(module: try CLIFParser.parse(text, fileName: "aot.clif"), options: options)
    }

    /// Values of every kind, traps by code, the heap afterwards and a stack overflow:
    /// each line agrees with the interpreter on both conventions, through an object.
    @Test func runLinesAgreeThroughAnObjectOnBothConventions() throws {
        let harness = try Self.harness("""
            ; heap: 16
            function %wide(i64, i64) -> i128, f64 system_v {
            block0(v0: i64, v1: i64):
                v2 = iconcat v0, v1
                v3 = imul v2, v2
                v4 = fcvt_from_sint.f64 v0
                return v3, v4
            }
            ; run: %wide(3, 1) == [0x00000000000000060000000000000009, 0x1.8p1]
            function %div(i32, i32) -> i32 {
            block0(v0: i32, v1: i32):
                v2 = udiv v0, v1
                return v2
            }
            ; run: %div(7, 2) == 3
            ; run: %div(7, 0) == trap int_divz
            function %poke(i64, i8) {
            block0(v0: i64, v1: i8):
                store v1, v0+3
                v2 = load.i8 v0+64
                return
            }
            ; run: %poke(heap, 5) == trap heap_oob, heap == "00000005"
            function %deep(i64) -> i64 {
                fn0 = %deep(i64) -> i64
            block0(v0: i64):
                v1 = iconst.i64 1
                v2 = iadd v0, v1
                v3 = call fn0(v2)
                return v3
            }
            ; run: %deep(0) == trap stk_ovf
            """)
        #expect(harness.variants.map(\.name) == ["jit[declared]", "jit[exchanged]", "aot[declared]", "aot[exchanged]"])
        for directive in harness.module.runDirectives {
            let judgement = harness.judge(directive)
            guard case .agreed = judgement else {
                Issue.record("\(directive.text): \(judgement)")
                continue
            }
            // The object's outcome itself, not only the judgement.
            let index = try #require(harness.variants.firstIndex { $0.name == "aot[exchanged]" })
            let executed = try harness.run(directive, variant: index).get()
            #expect(Expectation.problem(executed, directive, executor: "aot") == nil, "\(directive.text)")
        }
    }

    /// A fault no trap record explains is a crash of that line alone: the program runs
    /// again from the next line.
    @Test func aCrashIsTheResultOfItsLineAndTheNextLinesStillRun() throws {
        let harness = try Self.harness("""
            function %jump(i64) -> i64 {
                sig0 = (i64) -> i64
            block0(v0: i64):
                v1 = call_indirect sig0, v0(v0)
                return v1
            }
            ; run: %jump(16) == 0
            function %one() -> i64 {
            block0:
                v0 = iconst.i64 1
                return v0
            }
            ; run: %one() == 1
            """)
        let aot = try #require(harness.variants.firstIndex { $0.name == "aot[declared]" })
        let lines = harness.module.runDirectives
        guard case .failure(.callFailed(let error)) = harness.run(lines[0], variant: aot) else {
            Issue.record("not a failed call: \(harness.run(lines[0], variant: aot))")
            return
        }
        #expect("\(error)".hasPrefix("crashed: SIGSEGV at 0x10"), "\(error)")
        let next = try harness.run(lines[1], variant: aot).get()
        #expect(next.outcome == .values([DataValue(type: .i64, low: 1)]))
    }

    /// A line that runs past its limit is stopped, and the next line still runs.
    @Test func aLineThatHangsTimesOutAlone() throws {
        let harness = try Self.harness("""
            function %spin(i64) -> i64 {
            block0(v0: i64):
                jump block1(v0)
            block1(v1: i64):
                v2 = iconst.i64 1
                v3 = iadd v1, v2
                jump block1(v3)
            }
            ; run: %spin(0) == 0
            function %two() -> i64 {
            block0:
                v0 = iconst.i64 2
                return v0
            }
            ; run: %two() == 2
            """, lineTimeout: 0.5)
        let aot = try #require(harness.variants.firstIndex { $0.name == "aot[declared]" })
        let lines = harness.module.runDirectives
        guard case .failure(.callFailed(let error)) = harness.run(lines[0], variant: aot) else {
            Issue.record("not a failed call: \(harness.run(lines[0], variant: aot))")
            return
        }
        #expect("\(error)".hasPrefix("timed out"), "\(error)")
        #expect(try harness.run(lines[1], variant: aot).get().outcome == .values([DataValue(type: .i64, low: 2)]))
    }

    /// A file that says `test aot` runs through an object wherever it is judged, with
    /// no option: how a fuzz case chosen for it stays one through reduction and replay.
    @Test func aFileThatSaysTestAotRunsThroughAnObject() throws {
        let module = try CLIFParser.parse("""
            test aot
            function %f(i64) -> i64 {
            block0(v0: i64):
                return v0
            }
            ; run: %f(3) == 3
            """, fileName: "marked.clif")
        #expect(module.runsAheadOfTime && module.runDirectives.count == 1)
        let harness = try ModuleHarness(module: module)
        #expect(harness.variants.map(\.name) == ["jit[declared]", "jit[exchanged]", "aot[declared]", "aot[exchanged]"])
        guard case .agreed = harness.judge(module.runDirectives[0]) else {
            Issue.record("\(harness.judge(module.runDirectives[0]))")
            return
        }
    }
}
