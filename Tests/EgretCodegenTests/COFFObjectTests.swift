import EgretIR
import EgretTestSupport
import Foundation
import Testing
@testable import EgretCodegen

/// COFF objects Egret writes for Windows, judged by independent tools: llvm-readobj
/// decodes their unwind codes, MinGW's gcc links them with C, and wine runs the
/// result, whose C code walks the stack through Egret's frames with Windows' own
/// unwinder (`RtlVirtualUnwind`) and checks every callee-saved register it recovers.
struct COFFObjectTests {
    /// Stack arguments; ten floats live across a call (xmm6–xmm15 saved); frames of
    /// more than one and more than three pages; a system_v function (its frame pointer
    /// set first); a float constant and a float libcall (a local function).
    static let text = """
        function %eight(i64, i64, i64, i64, i64, i64, i64, i64) -> i64 windows_fastcall {
        block0(v0: i64, v1: i64, v2: i64, v3: i64, v4: i64, v5: i64, v6: i64, v7: i64):
            v8 = iadd v0, v1
            v9 = iadd v8, v2
            v10 = iadd v9, v3
            v11 = iadd v10, v4
            v12 = iadd v11, v5
            v13 = iadd v12, v6
            v14 = iadd v13, v7
            return v14
        }

        function %floats(f64) -> f64 windows_fastcall {
            fn0 = %c_walk(i64) -> i64 windows_fastcall
        block0(v0: f64):
            v1 = fadd v0, v0
            v2 = fadd v1, v0
            v3 = fadd v2, v0
            v4 = fadd v3, v0
            v5 = fadd v4, v0
            v6 = fadd v5, v0
            v7 = fadd v6, v0
            v8 = fadd v7, v0
            v9 = fadd v8, v0
            v10 = iconst.i64 1
            v11 = call fn0(v10)
            v12 = fcvt_from_sint.f64 v11
            v13 = fadd v1, v2
            v14 = fadd v13, v3
            v15 = fadd v14, v4
            v16 = fadd v15, v5
            v17 = fadd v16, v6
            v18 = fadd v17, v7
            v19 = fadd v18, v8
            v20 = fadd v19, v9
            v21 = fadd v20, v12
            return v21
        }

        function %frame_5k(i64) -> i64 windows_fastcall {
            ss0 = explicit_slot 5000
            fn0 = %c_walk(i64) -> i64 windows_fastcall
        block0(v0: i64):
            v1 = stack_addr.i64 ss0
            store v0, v1
            v2 = call fn0(v0)
            v3 = load.i64 v1
            v4 = iadd v2, v3
            return v4
        }

        function %frame_20k(i64) -> i64 windows_fastcall {
            ss0 = explicit_slot 20000
            fn0 = %frame_5k(i64) -> i64 windows_fastcall
        block0(v0: i64):
            v1 = stack_addr.i64 ss0+19992
            store v0, v1
            v2 = call fn0(v0)
            v3 = load.i64 v1
            v4 = iadd v2, v3
            return v4
        }

        function %sysv_add(i64, i64) -> i64 system_v {
        block0(v0: i64, v1: i64):
            v2 = iadd v0, v1
            return v2
        }

        function %ceil_plus(f64) -> f64 windows_fastcall {
            fn0 = %CeilF64(f64) -> f64
        block0(v0: f64):
            v1 = call fn0(v0)
            v2 = f64const 0x1.8p1
            v3 = fadd v1, v2
            return v3
        }
        """

    /// `c_walk` unwinds from itself to `main` with RtlVirtualUnwind, through every
    /// Egret frame between, and compares the callee-saved registers it recovers for
    /// `main` with those `main` captured just before its call.
    static let driver = """
        #include <windows.h>
        #include <stdio.h>
        #include <string.h>
        long long eight(long long, long long, long long, long long, long long, long long, long long, long long);
        double floats(double);
        long long frame_5k(long long);
        long long frame_20k(long long);
        long long __attribute__((sysv_abi)) sysv_add(long long, long long);
        double ceil_plus(double);
        double with_constants(double);

        int main(void);
        static CONTEXT before;
        static int frames, mismatches;

        static void compare(const CONTEXT *after) {
            if (after->Rbx != before.Rbx || after->Rbp != before.Rbp || after->Rsi != before.Rsi
                || after->Rdi != before.Rdi || after->R12 != before.R12 || after->R13 != before.R13
                || after->R14 != before.R14 || after->R15 != before.R15 || after->Rsp != before.Rsp)
                mismatches++;
            if (memcmp(&after->Xmm6, &before.Xmm6, 10 * sizeof(M128A)) != 0) mismatches++;
        }

        /* Unwinds to main; counts the frames between (this one included). */
        __attribute__((noinline)) long long c_walk(long long x) {
            CONTEXT context;
            RtlCaptureContext(&context);
            frames = 0;
            for (;;) {
                DWORD64 base;
                PRUNTIME_FUNCTION entry = RtlLookupFunctionEntry(context.Rip, &base, 0);
                if (!entry) { mismatches += 100; break; }
                void *handlerData;
                DWORD64 establisher;
                RtlVirtualUnwind(UNW_FLAG_NHANDLER, base, context.Rip, entry, &context, &handlerData,
                                 &establisher, 0);
                frames++;
                DWORD64 mainBase;
                PRUNTIME_FUNCTION mainEntry = RtlLookupFunctionEntry((DWORD64)(void *)main, &mainBase, 0);
                if (mainEntry && context.Rip >= mainBase + mainEntry->BeginAddress
                    && context.Rip < mainBase + mainEntry->EndAddress) break;
                if (frames > 10) { mismatches += 1000; break; }
            }
            compare(&context);
            return 10 * x;
        }

        int main(void) {
            printf("%lld %lld\\n", eight(1, 2, 3, 4, 5, 6, 7, 8), sysv_add(40, 2));
            RtlCaptureContext(&before);
            double f = floats(1.0);
            printf("floats %.1f frames %d mismatches %d\\n", f, frames, mismatches);
            RtlCaptureContext(&before);
            long long big = frame_20k(3);
            printf("frames %lld frames %d mismatches %d\\n", big, frames, mismatches);
            printf("ceil %.2f %.2f\\n", ceil_plus(1.25), with_constants(1.0));
            return 0;
        }
        """

    /// 36 and 42; floats(1): (2 + 3 + … + 10) + c_walk(1) = 54 + 10 = 64, two frames
    /// unwound (c_walk, floats); frame_20k(3): c_walk(3) + 3 + 3 = 36, three frames
    /// (c_walk, frame_5k, frame_20k); ceil(1.25) + 3 = 5; with_constants(1) = 3.75,
    /// its constants read from `.rdata`.
    static let expected = "36 42\nfloats 64.0 frames 2 mismatches 0\nframes 36 frames 3 mismatches 0\nceil 5.00 3.75\n"

    static func objectFunctions() throws -> [ObjectFunction] {
        try ELFObjectTests.compiled(text, fileName: "coff.clif")
    }

    static func writeObject() throws -> String {
        let directory = EgretCommand.scratch("coff")
        let bytes = try COFFObject(functions: try objectFunctions(), sourceFileName: "coff.clif").bytes()
        try Data(bytes).write(to: URL(fileURLWithPath: directory + "/egret.obj"))
        try driver.write(toFile: directory + "/main.c", atomically: true, encoding: .utf8)
        return directory
    }

    /// llvm-readobj reads the object without complaint and decodes, for every
    /// function, exactly the unwind codes Egret meant to emit (`WindowsUnwindInfo`),
    /// with its frame register, frame offset and prologue size.
    @Test func llvmReadObjDecodesTheUnwindCodesEgretMeant() throws {
        let functions = try Self.objectFunctions()
        let directory = try Self.writeObject()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let dump = try EgretCommand.tool("llvm-readobj", ["--unwind", "--relocations", "--symbols", "egret.obj"],
                                         in: directory)
        try #require(dump.status == 0 && dump.stderr.isEmpty, "\(dump)")
        let runtimeFunctions = dump.stdout.components(separatedBy: "RuntimeFunction {").dropFirst()
        try #require(runtimeFunctions.count == functions.count, "\(dump.stdout)")
        var sawXMM = false, sawLarge = false
        for (function, decoded) in zip(functions, runtimeFunctions) {
            let info = try WindowsUnwindInfo(function.unwind, function: "\(function.name)")
            let codes = decoded.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { $0.hasPrefix("0x") && $0.contains(": ") }
            #expect(codes == info.readobjLines, "\(function.name):\n\(codes)\nvs\n\(info.readobjLines)")
            #expect(decoded.contains("PrologSize: \(info.prologueSize)\n"), "\(function.name): \(decoded)")
            if info.steps.contains(where: { $0.code == .setFramePointer }) {
                #expect(decoded.contains("FrameRegister: RBP"), "\(function.name): \(decoded)")
                #expect(decoded.contains(String(format: "FrameOffset: 0x%X\n", info.frameOffset)), "\(decoded)")
            } else {
                #expect(decoded.contains("FrameRegister: -"), "\(function.name): \(decoded)")
            }
            sawXMM = sawXMM || codes.contains { $0.contains("SAVE_XMM128 reg=XMM15") }
            sawLarge = sawLarge || codes.contains { $0.contains("ALLOC_LARGE") }
        }
        #expect(sawXMM && sawLarge, "the functions lost their point: no xmm15 save or no large allocation")
        for relocation in ["IMAGE_REL_AMD64_REL32 c_walk", "IMAGE_REL_AMD64_ADDR32NB .text", "IMAGE_REL_AMD64_REL32 .rdata",
                           "IMAGE_REL_AMD64_ADDR32NB .xdata", "IMAGE_REL_AMD64_REL32 CeilF64"] {
            #expect(dump.stdout.contains(relocation), "no \(relocation) in\n\(dump.stdout)")
        }
        let all = try EgretCommand.tool("llvm-readobj", ["--all", "egret.obj"], in: directory)
        #expect(all.status == 0 && all.stderr.isEmpty, "\(all)")
    }

    /// MinGW's gcc links the object with C; under wine the functions return the right
    /// values, and Windows' unwinder walks from C code through Egret frames (xmm6–15
    /// saved, a 20 KiB frame) back to main, recovering every callee-saved register.
    @Test func mingwLinksItAndWindowsUnwindsThroughItUnderWine() throws {
        let directory = try Self.writeObject()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // -O0: main keeps no value in a callee-saved register between capturing its
        // context and the call (at -O1 gcc loads xmm6 there, for a later call).
        let link = try EgretCommand.tool("x86_64-w64-mingw32-gcc", ["-O0", "-o", "main.exe", "main.c", "egret.obj"],
                                         in: directory)
        try #require(link.status == 0, "\(link)")
        let run = try EgretCommand.wine("main.exe", in: directory)
        #expect(run.status == 0 && run.stdout.replacingOccurrences(of: "\r\n", with: "\n") == Self.expected, "\(run)")
    }

    /// A prologue Windows cannot describe is refused, not written wrong.
    @Test func aSaveBelowTheFramePointersBaseIsRefused() throws {
        let records: [UnwindRecord] = [
            .pushFramePointer(codeOffset: 1), .defineFramePointer(codeOffset: 4),
            .stackAllocation(codeOffset: 8, size: 32),
            .saveVectorRegister(codeOffset: 12, register: .xmm6, offsetFromFramePointer: -16),
        ]
        #expect(throws: CodegenError.self) { try WindowsUnwindInfo(records, function: "f") }
    }
}
