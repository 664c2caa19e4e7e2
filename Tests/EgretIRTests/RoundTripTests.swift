import Foundation
import EgretTestSupport
import Testing
@testable import EgretIR

/// parse → print → parse gives a structurally identical module, and printing is
/// stable: print(parse(print(x))) == print(x).
struct RoundTripTests {
    @Test func projectFiletestsRoundTrip() throws {
        let files = PackagePaths.projectFiletests()
        #expect(!files.isEmpty, "no .clif files under \(PackagePaths.filetests)")
        for file in files {
            guard let text = ParserTestSupport.read(file) else {
                Issue.record("cannot read \(file)")
                continue
            }
            let module: Module
            do {
                module = try CLIFParser.parse(text, fileName: file)
            } catch {
                Issue.record("\(error)")
                continue
            }
            if let problem = ParserTestSupport.roundTripProblem(module) {
                Issue.record("\(file): \(problem)")
            }
        }
    }

    @Test(arguments: RoundTripSamples.all)
    func inlineSamplesRoundTrip(sample: String) throws {
        let module = try CLIFParser.parse(sample)
        #expect(ParserTestSupport.roundTripProblem(module) == nil,
                "\(ParserTestSupport.roundTripProblem(module) ?? "")")
    }

    /// Cranelift's own run tests (a local export, CraneliftFiletests). Files that
    /// Egret reports as unsupported are counted, not failed; every file that parses
    /// must round-trip.
    @Test(.enabled(if: CraneliftFiletests.isAvailable, Comment(rawValue: CraneliftFiletests.unavailableReason)))
    func craneliftRuntestsRoundTrip() throws {
        let files = CraneliftFiletests.runtests()
        #expect(files.count > 300, "\(files.count) run tests in the export")
        var parsed = 0, unsupported = 0, errors: [String] = []
        for file in files {
            guard let text = ParserTestSupport.read(file) else { continue }
            do {
                let module = try CLIFParser.parse(text, fileName: file)
                parsed += 1
                if let problem = ParserTestSupport.roundTripProblem(module) {
                    Issue.record("\(file): \(problem)")
                }
            } catch let diagnostic as Diagnostic where diagnostic.isUnsupported {
                unsupported += 1
            } catch {
                errors.append("\(error)")
            }
        }
        print("RoundTripTests: Cranelift run tests: \(files.count) files, \(parsed) parsed and round-tripped, "
            + "\(unsupported) unsupported, \(errors.count) parse errors")
        #expect(errors.isEmpty, "\(errors.prefix(10).joined(separator: "\n"))")
    }
}

/// Small inline functions covering every format and preamble kind, so the round-trip
/// property is checked even without the project's files.
enum RoundTripSamples {
    static let all: [String] = [
        """
        test run
        set opt_level=speed
        set enable_simd
        target x86_64 has_avx

        function %arith(i32, i64 sext) -> i32 uext, i64 {
        block0(v0: i32, v1: i64):
            v2 = iconst.i32 -1
            v3 = iconst.i8 200
            v4 = iconst.i64 0x1234_5678_9abc
            v5 = iadd v0, v2
            v6, v7 = uadd_overflow v5, v0
            v8 = icmp slt v5, v0
            v9 = select v8, v5, v0
            v10 = uextend.i64 v9
            v11 = iadd v10, v1
            return v9, v11
        }
        ; run: %arith(1, 2) == [1, 3]
        ; run: %arith(-1, 0x7fff_ffff_ffff_ffff) != [0, 0]
        """,
        """
        function %memory(i64) -> i32 {
            ss0 = explicit_slot 16, align = 8
            ss1 = explicit_slot 4

        block0(v0: i64):
            v1 = stack_addr.i64 ss0+4
            v2 = load.i32 notrap aligned v1-4
            v3 = sload8.i32 v0+0x0001_0000
            store little v2, v1+8
            istore8 v3, v0
            v4 = atomic_rmw.i32 little add v1, v2
            v5 = atomic_cas v1, v2, v4
            v6 = atomic_load.i32 v1
            atomic_store v6, v1
            v7 = bitcast.f32 little v6
            v8 = load.i32 user7 v0
            fence
            return v8
        }
        """,
        """
        function %control(i32) -> i32 {
        block0(v0: i32):
            brif v0, block1(v0), block2
        block1(v1: i32) cold:
            br_table v1, block2, [block3(v1), block2]
        block2:
            v2 = iconst.i32 7
            jump block3(v2)
        block3(v3: i32):
            trapz v3, int_divz
            v4 = uadd_overflow_trap v3, v3, user1
            trapnz v4, user250
            return v4
        }
        """,
        """
        function %floats(f32, f64) -> f64 {
        block0(v0: f32, v1: f64):
            v2 = f32const 0x1.8p3
            v3 = f64const -0x0.0
            v4 = f64const +Inf
            v5 = f64const NaN:0x1
            v6 = fadd v0, v2
            v7 = fcmp uno v1, v3
            v8 = fpromote.f64 v6
            v9 = fma v8, v4, v5
            v10 = fcvt_to_sint_sat.i32 v9
            return v9
        }
        ; run: %floats(0x1.0p0, 0x0.0) == 0x1.4p3
        """,
        """
        function %vectors(i32x4, i8x16) -> i32x4 {
            const0 = 0x00000004000000030000000200000001

        block0(v0: i32x4, v1: i8x16):
            v2 = vconst.i32x4 [1 2 3 4]
            v3 = vconst.i32x4 const0
            v4 = vconst.i8x16 0x0f0e
            v5 = shuffle v1, v1, [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15]
            v6 = extractlane v0, 3
            v7 = insertlane v0, v6, 0
            v8 = splat.i32x4 v6
            v9 = iadd v7, v8
            v10 = vall_true v9
            v11 = swiden_low v1
            return v9
        }
        ; run: %vectors([1 2 3 4], 0x000102030405060708090a0b0c0d0e0f) == [2 2 3 4]
        """,
        """
        function %calls(i64) -> i64 {
            sig0 = (i64) -> i64 tail
            sig1 = (i32, i32)
            fn0 = colocated %callee sig0
            fn1 = %other(i64) -> i64
            fn2 = u1:7 sig1

        block0(v0: i64):
            v1 = call fn0(v0)
            v2 = func_addr.i64 fn1
            v3 = call_indirect sig0, v2(v1)
            v4 = ireduce.i32 v3
            call fn2(v4, v4)
            try_call fn1(v3), sig0, block1(ret0, v0), [ tag1: block2(exn0), default: block2(exn1), context v0 ]
        block1(v5: i64, v6: i64):
            return_call fn0(v5)
        block2(v7: i64):
            try_call_indirect v2(v7), sig0, block1(ret0, v7), []
        }
        """,
        """
        function u0:3(i64 vmctx) -> i64 windows_fastcall {
            gv0 = vmctx
            gv1 = load.i64 notrap aligned readonly gv0+8
            gv2 = iadd_imm.i64 gv1, 16
            gv3 = symbol colocated tls %counter+8
            gv4 = symbol %table

        block0(v0: i64):
            v1 = symbol_value.i64 gv2
            v2 = tls_value.i64 gv3
            v3 = get_exception_handler_address.i64 block0, 0
            return v1
        }
        """,
        """
        test run
        function u0:5() -> i32 {
        block0:
            v0 = iconst.i32 1
            return v0
        }
        ; run
        ; run: u0:5() == 1
        ; print: %any_name()
        """,
        """
        function %forward(i32) -> i32 {
        block0(v0: i32):
            jump block2
        block1:
            v3 = iadd v2, v2
            return v3
        block2:
            v2 = iadd v0, v0
            jump block1
        }
        """,
    ]
}
