import EgretIR
import EgretTestSupport
import Foundation
import Testing
@testable import EgretCodegen

/// C++ exceptions thrown through Egret frames of both conventions, caught by C++:
/// the real unwinders (libgcc's on Linux, reading `.eh_frame`; Windows' SEH under
/// wine, reading `.pdata`/`.xdata`) must get through every Egret frame and give the
/// catching frame back its callee-saved registers.
///
///     main → catcher (C++: try/catch, values live in callee-saved registers)
///          → win_middle (Egret, windows_fastcall: integer and float values live
///                        across its call, so it saves registers and xmm6–xmm15)
///          → cpp_between (C++, a destructor to run)
///          → sv_middle (Egret, system_v, values live across its call)
///          → cpp_thrower (C++, a destructor to run; throws when x > 0)
struct ExceptionThroughEgretTests {
    /// The Egret functions; the C++ functions they call have the platform's C
    /// convention (MinGW's g++ cannot give a `sysv_abi` function exception handling).
    static func text(windows: Bool) -> String {
        let c = windows ? "windows_fastcall" : "system_v"
        return """
        function %sv_middle(i64) -> i64 system_v {
            fn0 = %cpp_thrower(i64) -> i64 \(c)
        block0(v0: i64):
            v1 = iconst.i64 3
            v2 = imul v0, v1
            v3 = iadd v2, v0
            v4 = imul v3, v1
            v5 = iadd v4, v2
            v6 = imul v5, v1
            v7 = call fn0(v0)
            v8 = iadd v7, v2
            v9 = iadd v8, v3
            v10 = iadd v9, v4
            v11 = iadd v10, v5
            v12 = iadd v11, v6
            return v12
        }

        function %win_middle(i64, f64) -> i64 windows_fastcall {
            fn0 = %cpp_between(i64) -> i64 \(c)
        block0(v0: i64, v1: f64):
            v2 = fadd v1, v1
            v3 = fadd v2, v1
            v4 = fmul v3, v2
            v5 = fadd v4, v1
            v6 = iconst.i64 5
            v7 = imul v0, v6
            v8 = iadd v7, v0
            v9 = call fn0(v0)
            v10 = fadd v2, v3
            v11 = fadd v10, v4
            v12 = fadd v11, v5
            v13 = fcvt_to_sint.i64 v12
            v14 = iadd v9, v7
            v15 = iadd v14, v8
            v16 = iadd v15, v13
            return v16
        }
        """
    }

    /// The C++ side. `catcher` keeps five integers (and, on Windows, five doubles)
    /// live across the call and uses them after the catch: if an unwinder restored a
    /// callee-saved register wrongly, the sum it prints is wrong.
    static func driver(windows: Bool) -> String {
        let sysv = windows ? "__attribute__((sysv_abi))" : ""
        let ms = windows ? "" : "__attribute__((ms_abi))"
        // The functions Egret calls: the platform's convention.
        return """
            #include <cstdio>
            #include <stdexcept>
            static int destructors;
            struct Guard { ~Guard() { ++destructors; } };
            extern "C" \(ms) long long win_middle(long long, double);
            extern "C" long long cpp_thrower(long long x) {
                Guard guard;
                if (x > 0) throw std::runtime_error("thrown through Egret frames");
                return x;
            }
            extern "C" \(sysv) long long sv_middle(long long);
            extern "C" long long cpp_between(long long x) {
                Guard guard;
                return sv_middle(x) + 1;
            }
            __attribute__((noinline)) long long catcher(long long x, volatile long long *seed, volatile double *fseed) {
                long long a = *seed * 3, b = *seed * 5, c = *seed * 7, d = *seed * 11, e = *seed * 13;
                double f = *fseed * 3, g = *fseed * 5, h = *fseed * 7, i = *fseed * 11, j = *fseed * 13;
                long long r;
                try {
                    r = win_middle(x, 0.5);
                } catch (const std::runtime_error &) {
                    r = -1;
                }
                return r + a + b + c + d + e + (long long)(f + g + h + i + j);
            }
            int main() {
                long long inputs[] = {1, 5, 100};
                for (long long x : inputs) {
                    volatile long long seed = x;
                    volatile double fseed = (double)x;
                    destructors = 0;
                    long long r = catcher(x, &seed, &fseed);
                    std::printf("%lld %lld %d\\n", x, r, destructors);
                }
                return 0;
            }
            """
    }

    /// For each x the throw lands in the catch (r = -1), the catching frame's values
    /// are intact (39x from the integers, 39x from the doubles), and both C++
    /// destructors ran once.
    static let expected = [1, 5, 100].map { "\($0) \(78 * $0 - 1) 2" }.joined(separator: "\n") + "\n"

    static func functions(windows: Bool) throws -> [ObjectFunction] {
        let module = try CLIFParser.parse(text(windows: windows), fileName: "throw.clif")
        return try module.functions.map { ObjectFunction(try Compiler.compile($0)) }
    }

    @Test func aCppExceptionUnwindsThroughEgretFramesOnLinux() throws {
        let directory = EgretCommand.scratch("throw-elf")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let object = try ELFObject(functions: try Self.functions(windows: false), sourceFileName: "throw.clif").bytes()
        try Data(object).write(to: URL(fileURLWithPath: directory + "/egret.o"))
        try Self.driver(windows: false).write(toFile: directory + "/main.cpp", atomically: true, encoding: .utf8)
        let link = try EgretCommand.tool("g++", ["-O2", "-o", "main", "main.cpp", "egret.o"], in: directory)
        try #require(link.status == 0, "\(link)")
        let run = try EgretCommand.run(executable: directory + "/main", [], in: directory)
        #expect(run.status == 0 && run.stdout == Self.expected, "\(run)")
    }

    @Test func aCppExceptionUnwindsThroughEgretFramesOnWindows() throws {
        let directory = EgretCommand.scratch("throw-coff")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let object = try COFFObject(functions: try Self.functions(windows: true), sourceFileName: "throw.clif").bytes()
        try Data(object).write(to: URL(fileURLWithPath: directory + "/egret.obj"))
        try Self.driver(windows: true).write(toFile: directory + "/main.cpp", atomically: true, encoding: .utf8)
        let link = try EgretCommand.tool("x86_64-w64-mingw32-g++", ["-O2", "-static", "-o", "main.exe", "main.cpp",
                                                                     "egret.obj"], in: directory)
        try #require(link.status == 0, "\(link)")
        let run = try EgretCommand.wine("main.exe", in: directory)
        #expect(run.status == 0 && run.stdout.replacingOccurrences(of: "\r\n", with: "\n") == Self.expected, "\(run)")
    }
}
