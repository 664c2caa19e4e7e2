import Foundation
import EgretTestSupport
import Testing
@testable import EgretIR

/// Well-formed functions of every shape verify clean: the verifier must not reject what
/// Cranelift accepts. Includes every project filetest.
struct VerifierValidFunctionTests {
    @Test func countingLoop() {
        VerifierText.expectValid("""
            function %loop(i64) -> i64 {
            block0(v0: i64):
                v1 = iconst.i64 0
                v2 = iconst.i64 1
                jump block1(v1, v1)
            block1(v3: i64, v4: i64):
                v5 = iadd v4, v3
                v9 = iadd v3, v2
                v10 = icmp ult v9, v0
                brif v10, block1(v9, v5), block2(v5)
            block2(v11: i64):
                return v11
            }
            """)
    }

    @Test func diamondUsingEntryValuesAtTheJoin() {
        VerifierText.expectValid("""
            function %diamond(i32) -> i32 {
            block0(v0: i32):
                brif v0, block1, block2
            block1:
                v1 = iconst.i32 1
                jump block3(v1)
            block2:
                v2 = iconst.i32 2
                jump block3(v2)
            block3(v3: i32):
                v4 = iadd v3, v0
                return v4
            }
            """)
    }

    @Test func branchTable() {
        VerifierText.expectValid("""
            function %table(i32) -> i32 {
            block0(v0: i32):
                br_table v0, block3, [block1, block2, block1]
            block1:
                jump block3
            block2:
                v1 = iconst.i32 7
                return v1
            block3:
                return v0
            }
            """)
    }

    @Test func directIndirectAndTailCalls() {
        VerifierText.expectValid("""
            function %calls(i64, i64) -> i64 tail {
                sig0 = (i64) -> i64 tail
                fn0 = %g(i64) -> i64 tail
            block0(v0: i64, v1: i64):
                v2 = call fn0(v0)
                v3 = call_indirect sig0, v1(v2)
                v4 = func_addr.i64 fn0
                return_call fn0(v3)
            }
            """)
    }

    @Test func callsWithSeveralResultsAndExtensions() {
        VerifierText.expectValid("""
            function %multi(i8 sext, i64) -> i16 uext, i64 {
                fn0 = %pair(i8 sext) -> i16 uext, i64
            block0(v0: i8, v1: i64):
                v2, v3 = call fn0(v0)
                v4 = iadd v3, v1
                return v2, v4
            }
            """)
    }

    @Test func tryCallWithReturnsAndPayloads() {
        VerifierText.expectValid("""
            function %f0(i32) -> i32 {
                sig0 = (i32) -> f32 tail
                fn0 = %g(i32) -> f32 tail
            block0(v1: i32):
                v2 = f64const 0x1.0
                try_call fn0(v1), sig0, block1(ret0, v2), [ tag1: block2(exn0), default: block3(v2, exn1) ]
            block1(v3: f32, v4: f64):
                v5 = iconst.i32 1
                return v5
            block2(v6: i64):
                v7 = iconst.i32 2
                return v7
            block3(v8: f64, v9: i64):
                v10 = iconst.i32 3
                return v10
            }
            """)
    }

    @Test func vectorsMemoryAndTraps() {
        VerifierText.expectValid("""
            function %mixed(i32x4, i64) -> i32 {
                ss0 = explicit_slot 16, align = 16
            block0(v0: i32x4, v1: i64):
                v2 = extractlane v0, 3
                v3 = insertlane v0, v2, 0
                v4 = bitcast.i8x16 little v3
                v5 = shuffle v4, v4, [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 31]
                v6 = stack_addr.i64 ss0+8
                store notrap aligned v2, v6
                v7 = uload16.i64 v6
                v8 = udiv v7, v1
                trapz v8, int_divz
                v9 = vconst.i32x4 [1 2 3 4]
                v10 = iadd v9, v3
                v11 = vall_true v10
                v12 = uextend.i32 v11
                return v12
            }
            """)
    }

    @Test func everyProjectFiletestVerifies() throws {
        let root = PackagePaths.filetests
        let paths = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".clif") }.sorted() ?? []
        #expect(!paths.isEmpty, "no filetests under \(root)")
        for path in paths {
            let text = try String(contentsOfFile: root + "/" + path, encoding: .utf8)
            guard let module = try? CLIFParser.parse(text, fileName: path) else {
                continue // The parser's own tests report files that do not parse.
            }
            let problems = IRVerifier.verify(module)
            #expect(problems.isEmpty, "\(path): \(problems.map(\.description))")
        }
    }
}
