import EgretIR
import EgretTestSupport
import Foundation
import Testing
@testable import EgretCodegen

/// C++ exceptions thrown through Egret frames of both conventions, caught by C++:
/// the real unwinders (libgcc's on Linux, reading `.eh_frame`; Windows' SEH under
/// wine, reading `.pdata`/`.xdata`) must get through every Egret frame and give the
/// catching frame back its callee-saved registers. Before the first throw,
/// `_Unwind_Backtrace` lists the frames: each in the function it should be in, each
/// Egret frame's return address exactly the one after its call.
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
            #include <cstdint>
            #include <stdexcept>
            #include <unwind.h>
            static int destructors;
            struct Guard { ~Guard() { ++destructors; } };
            extern "C" \(ms) long long win_middle(long long, double);
            extern "C" \(sysv) long long sv_middle(long long);
            extern "C" long long cpp_between(long long);
            extern "C" long long cpp_thrower(long long);
            long long catcher(long long, volatile long long *, volatile double *);
            int main();

            /* The backtrace from here, each frame as the known function it lies in and
               its offset: the Egret frames' return addresses must be exact. */
            struct Known { const char *name; uintptr_t start; };
            static _Unwind_Reason_Code step(struct _Unwind_Context *context, void *data) {
                static const Known known[] = {
                    {"cpp_thrower", (uintptr_t)cpp_thrower}, {"sv_middle", (uintptr_t)sv_middle},
                    {"cpp_between", (uintptr_t)cpp_between}, {"win_middle", (uintptr_t)win_middle},
                    {"catcher", (uintptr_t)catcher}, {"main", (uintptr_t)main}};
                int *frames = (int *)data;
                uintptr_t ip = _Unwind_GetIP(context);
                const Known *best = 0;
                for (const Known &k : known)
                    if (k.start <= ip && (!best || k.start > best->start)) best = &k;
                if (++*frames == 1) return _URC_NO_REASON;  /* print_backtrace itself */
                if (best) std::printf(" %s+0x%llx", best->name, (unsigned long long)(ip - best->start));
                return (best && best->start == (uintptr_t)main) || *frames > 20 ? _URC_NORMAL_STOP : _URC_NO_REASON;
            }
            __attribute__((noinline)) static void print_backtrace() {
                int frames = 0;
                std::printf("trace");
                _Unwind_Backtrace(step, &frames);
                std::printf("\\n");
            }

            extern "C" long long cpp_thrower(long long x) {
                Guard guard;
                if (x == 1) print_backtrace();
                if (x > 0) throw std::runtime_error("thrown through Egret frames");
                return x;
            }
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
    static let results = [1, 5, 100].map { "\($0) \(78 * $0 - 1) 2" }.joined(separator: "\n") + "\n"

    /// The backtrace taken in cpp_thrower: each frame in the function it should be
    /// in, and each Egret frame's return address exactly after its call.
    static func expectedTrace(_ functions: [ObjectFunction], output: String) throws -> (expected: String, seen: String) {
        func returnOffset(_ caller: String, _ callee: String) throws -> String {
            let function = try #require(functions.first { $0.name == .testCase(caller) })
            let call = try #require(function.code.relocations.first { $0.target == .testCase(callee) })
            return "0x" + String(Int(call.offset) + 4, radix: 16)
        }
        let line = output.split(separator: "\n").first { $0.hasPrefix("trace") }.map(String.init) ?? ""
        // The C++ frames' offsets are g++'s business: only their order is checked.
        let seen = line.split(separator: " ").dropFirst().map { frame -> String in
            let name = frame.split(separator: "+").first.map(String.init) ?? ""
            return name == "sv_middle" || name == "win_middle" ? String(frame) : name
        }.joined(separator: " ")
        let expected = ["cpp_thrower", "sv_middle+" + (try returnOffset("sv_middle", "cpp_thrower")), "cpp_between",
                        "win_middle+" + (try returnOffset("win_middle", "cpp_between")), "catcher", "main"]
        return (expected.joined(separator: " "), seen)
    }

    static func functions(windows: Bool) throws -> [ObjectFunction] {
        let module = try CLIFParser.parse(text(windows: windows), fileName: "throw.clif")
        return try module.functions.map { ObjectFunction(try Compiler.compile($0)) }
    }

    @Test func aCppExceptionUnwindsThroughEgretFramesOnLinux() throws {
        let directory = EgretCommand.scratch("throw-elf")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let functions = try Self.functions(windows: false)
        let object = try ELFObject(functions: functions, sourceFileName: "throw.clif").bytes()
        try Data(object).write(to: URL(fileURLWithPath: directory + "/egret.o"))
        try Self.driver(windows: false).write(toFile: directory + "/main.cpp", atomically: true, encoding: .utf8)
        let link = try EgretCommand.tool("g++", ["-O2", "-o", "main", "main.cpp", "egret.o"], in: directory)
        try #require(link.status == 0, "\(link)")
        let run = try EgretCommand.run(executable: directory + "/main", [], in: directory)
        let output = run.stdout
        #expect(run.status == 0 && output.split(separator: "\n").dropFirst().joined(separator: "\n") + "\n" == Self.results,
                "\(run)")
        let trace = try Self.expectedTrace(functions, output: output)
        #expect(trace.seen == trace.expected, "\(output)")
    }

    @Test func aCppExceptionUnwindsThroughEgretFramesOnWindows() throws {
        let directory = EgretCommand.scratch("throw-coff")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let functions = try Self.functions(windows: true)
        let object = try COFFObject(functions: functions, sourceFileName: "throw.clif").bytes()
        try Data(object).write(to: URL(fileURLWithPath: directory + "/egret.obj"))
        try Self.driver(windows: true).write(toFile: directory + "/main.cpp", atomically: true, encoding: .utf8)
        let link = try EgretCommand.tool("x86_64-w64-mingw32-g++", ["-O2", "-static", "-o", "main.exe", "main.cpp",
                                                                     "egret.obj"], in: directory)
        try #require(link.status == 0, "\(link)")
        let run = try EgretCommand.wine("main.exe", in: directory)
        let output = run.stdout.replacingOccurrences(of: "\r\n", with: "\n")
        #expect(run.status == 0 && output.split(separator: "\n").dropFirst().joined(separator: "\n") + "\n" == Self.results,
                "\(run)")
        let trace = try Self.expectedTrace(functions, output: output)
        #expect(trace.seen == trace.expected, "\(output)")
    }
}
