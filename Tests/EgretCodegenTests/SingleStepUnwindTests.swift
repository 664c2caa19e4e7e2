import EgretIR
import EgretTestSupport
import Foundation
import Testing
@testable import EgretCodegen

/// The call frame information of Egret's code checked at every instruction, as an
/// asynchronous unwinder (a profiler, a signal handler) sees it: a C program steps
/// through Egret functions with the trap flag set, and at each stop in Egret code
/// unwinds from the signal context with libgcc's `_Unwind_Backtrace`. A shadow stack
/// kept from the stops themselves (a function's first instruction pushes its return
/// address and CFA, the return pops them) says what each frame's CFA and return
/// address must be; every difference is counted and the first is printed with the
/// function and offset where it happened.
struct SingleStepUnwindTests {
    /// Frames of every shape: saved registers, a windows_fastcall frame with
    /// xmm6–xmm15 saved (its frame pointer set last), a frame of 20 KiB whose probes
    /// loop, stack arguments, nested Egret calls, and tail calls that grow the stack
    /// argument area (0 to 16 bytes) and shrink it (16 to 0: the CFA lies below rsp
    /// for one instruction).
    static let text = """
        function %leaf(i64) -> i64 system_v {
        block0(v0: i64):
            v1 = iadd v0, v0
            return v1
        }

        function %saves(i64) -> i64 system_v {
            fn0 = %leaf(i64) -> i64 system_v
        block0(v0: i64):
            v1 = iconst.i64 3
            v2 = imul v0, v1
            v3 = iadd v2, v0
            v4 = call fn0(v0)
            v5 = iadd v4, v2
            v6 = iadd v5, v3
            return v6
        }

        function %windows(i64, f64) -> i64 windows_fastcall {
            fn0 = %saves(i64) -> i64 system_v
        block0(v0: i64, v1: f64):
            v2 = fadd v1, v1
            v3 = fmul v2, v1
            v4 = call fn0(v0)
            v5 = fadd v2, v3
            v6 = fcvt_to_sint.i64 v5
            v7 = iadd v4, v6
            return v7
        }

        function %big(i64) -> i64 system_v {
            ss0 = explicit_slot 20000
            fn0 = %windows(i64, f64) -> i64 windows_fastcall
        block0(v0: i64):
            v1 = stack_addr.i64 ss0+19992
            store v0, v1
            v2 = f64const 0x1.0p1
            v3 = call fn0(v0, v2)
            v4 = load.i64 v1
            v5 = iadd v3, v4
            return v5
        }

        function %many(i64, i64, i64, i64, i64, i64, i64, i64) -> i64 system_v {
        block0(v0: i64, v1: i64, v2: i64, v3: i64, v4: i64, v5: i64, v6: i64, v7: i64):
            v8 = iadd v0, v7
            v9 = iadd v8, v6
            return v9
        }

        function %leaf2(i64) -> i64 tail {
        block0(v0: i64):
            v1 = iadd v0, v0
            return v1
        }

        function %tail_target(i64, i64, i64, i64, i64, i64, i64, i64) -> i64 tail {
            fn0 = %leaf2(i64) -> i64 tail
        block0(v0: i64, v1: i64, v2: i64, v3: i64, v4: i64, v5: i64, v6: i64, v7: i64):
            v8 = iadd v0, v7
            v9 = iadd v8, v6
            return_call fn0(v9)
        }

        function %tail_caller(i64) -> i64 tail {
            fn0 = %tail_target(i64, i64, i64, i64, i64, i64, i64, i64) -> i64 tail
            fn1 = %leaf2(i64) -> i64 tail
        block0(v0: i64):
            v10 = iconst.i64 3
            v1 = imul v0, v10
            v2 = call fn1(v0)
            v3 = iadd v2, v1
            return_call fn0(v3, v0, v1, v2, v3, v0, v1, v2)
        }

        function %tail_entry(i64) -> i64 system_v {
            fn0 = %tail_caller(i64) -> i64 tail
        block0(v0: i64):
            v1 = call fn0(v0)
            return v1
        }

        function %outer(i64) -> i64 system_v {
            fn0 = %big(i64) -> i64 system_v
            fn1 = %many(i64, i64, i64, i64, i64, i64, i64, i64) -> i64 system_v
            fn2 = %tail_entry(i64) -> i64 system_v
        block0(v0: i64):
            v1 = call fn0(v0)
            v2 = call fn1(v1, v0, v0, v0, v0, v0, v0, v1)
            v3 = call fn2(v2)
            return v3
        }
        """

    /// The C driver: the functions' ranges, the stepping signal handler, the checks.
    static func driver(_ functions: [(name: String, size: Int)]) -> String {
        let table = functions.map { "    {\"\($0.name)\", (uintptr_t)\($0.name), \($0.size)}," }.joined(separator: "\n")
        let externs = functions.map { "extern char \($0.name)[];" }.joined(separator: "\n")
        return """
            #define _GNU_SOURCE
            #include <setjmp.h>
            #include <signal.h>
            #include <stdint.h>
            #include <stdio.h>
            #include <string.h>
            #include <ucontext.h>
            #include <unwind.h>
            \(externs)
            typedef struct { const char *name; uintptr_t start; uintptr_t size; } egret_function;
            static const egret_function functions[] = {
            \(table)
            };
            #define FUNCTIONS (int)(sizeof functions / sizeof functions[0])
            static struct { uintptr_t ra, cfa; } shadow[64];
            static int depth;
            static long stops, mismatches;
            static char first[300];
            /* A rule wrong enough makes the unwinder read a wild address: that stop is a
               mismatch, and stepping goes on. */
            static sigjmp_buf unwinding;
            static volatile int inUnwinder;
            static void on_fault(int sig) {
                if (!inUnwinder) { signal(sig, SIG_DFL); raise(sig); }
                siglongjmp(unwinding, 1);
            }

            static int find(uintptr_t pc) {
                for (int f = 0; f < FUNCTIONS; f++)
                    if (pc >= functions[f].start && pc < functions[f].start + functions[f].size) return f;
                return -1;
            }

            typedef struct { int n; uintptr_t ips[40], cfas[40]; } walk_t;
            static _Unwind_Reason_Code record(struct _Unwind_Context *context, void *data) {
                walk_t *walk = (walk_t *)data;
                walk->ips[walk->n] = _Unwind_GetIP(context);
                walk->cfas[walk->n] = _Unwind_GetCFA(context);
                return ++walk->n < 40 ? _URC_NO_REASON : _URC_NORMAL_STOP;
            }

            static void mismatch(int f, uintptr_t pc, const char *what, int frame, uintptr_t seen, uintptr_t wanted) {
                if (mismatches++ == 0)
                    snprintf(first, sizeof first, "%s+0x%lx: frame %d %s 0x%lx, expected 0x%lx", functions[f].name,
                             (unsigned long)(pc - functions[f].start), frame, what, (unsigned long)seen,
                             (unsigned long)wanted);
            }

            static void on_step(int sig, siginfo_t *info, void *context) {
                (void)sig; (void)info;
                ucontext_t *uc = (ucontext_t *)context;
                uintptr_t pc = uc->uc_mcontext.gregs[REG_RIP], sp = uc->uc_mcontext.gregs[REG_RSP];
                if (depth > 0 && pc == shadow[depth - 1].ra && sp == shadow[depth - 1].cfa) depth--;
                int f = find(pc);
                if (f >= 0 && pc == functions[f].start) {
                    uintptr_t ra = *(uintptr_t *)sp;
                    if (depth > 0 && shadow[depth - 1].ra == ra) depth--;  /* a tail call replaces its frame */
                    shadow[depth].ra = ra;
                    shadow[depth].cfa = sp + 8;
                    depth++;
                }
                if (f < 0 || depth == 0) return;
                stops++;
                static walk_t walk;
                memset(&walk, 0, sizeof walk);
                if (sigsetjmp(unwinding, 1) == 0) {
                    inUnwinder = 1;
                    _Unwind_Backtrace(record, &walk);
                    inUnwinder = 0;
                } else {
                    inUnwinder = 0;
                    mismatch(f, pc, "the unwinder faulted at", 0, 0, 0);
                    return;
                }
                int k = -1;
                for (int i = 0; i < walk.n; i++) if (walk.ips[i] == pc) { k = i; break; }
                if (k < 0) { mismatch(f, pc, "missing: no frame at the pc", 0, 0, pc); return; }
                /* In the callback for frame i, libgcc's CFA is the stack pointer of frame
                   i (its callee's CFA): frame j's CFA shows in frame j + 1. */
                for (int j = 0; j < depth; j++) {
                    if (k + j + 1 >= walk.n) { mismatch(f, pc, "missing", j + 1, 0, shadow[depth - 1 - j].ra); return; }
                    if (walk.cfas[k + j + 1] != shadow[depth - 1 - j].cfa)
                        { mismatch(f, pc, "CFA", j, walk.cfas[k + j + 1], shadow[depth - 1 - j].cfa); return; }
                    if (walk.ips[k + j + 1] != shadow[depth - 1 - j].ra)
                        { mismatch(f, pc, "return address", j + 1, walk.ips[k + j + 1], shadow[depth - 1 - j].ra); return; }
                }
            }

            __attribute__((noinline)) static long stepped(long x) {
                __asm__ volatile("pushfq; orq $0x100, (%%rsp); popfq" ::: "memory", "cc");
                long r = ((long (*)(long))(void *)outer)(x);
                __asm__ volatile("pushfq; andq $~0x100, (%%rsp); popfq" ::: "memory", "cc");
                return r;
            }

            int main(void) {
                struct sigaction action;
                memset(&action, 0, sizeof action);
                action.sa_sigaction = on_step;
                action.sa_flags = SA_SIGINFO;
                sigaction(SIGTRAP, &action, 0);
                struct sigaction fault;
                memset(&fault, 0, sizeof fault);
                fault.sa_handler = on_fault;
                fault.sa_flags = SA_NODEFER;
                sigaction(SIGSEGV, &fault, 0);
                sigaction(SIGBUS, &fault, 0);
                long r = stepped(3);
                printf("result %ld stops %ld mismatches %ld %s\\n", r, stops, mismatches, first);
                return 0;
            }
            """
    }

    static func functions() throws -> [ObjectFunction] {
        let module = try CLIFParser.parse(text, fileName: "step.clif")
        return try module.functions.map { ObjectFunction(try Compiler.compile($0)) }
    }

    /// Runs the stepped program; returns its output line.
    static func run(_ functions: [ObjectFunction]) throws -> String {
        let directory = EgretCommand.scratch("single-step")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let object = try ELFObject(functions: functions, sourceFileName: "step.clif").bytes()
        try Data(object).write(to: URL(fileURLWithPath: directory + "/egret.o"))
        let table = functions.map { (name: ObjectSymbol.name(of: $0.name), size: $0.code.codeSize) }
        try driver(table).write(toFile: directory + "/main.c", atomically: true, encoding: .utf8)
        let link = try EgretCommand.tool("gcc", ["-O1", "-o", "main", "main.c", "egret.o"], in: directory)
        try #require(link.status == 0, "\(link)")
        let run = try EgretCommand.run(executable: directory + "/main", [], in: directory, timeout: 300)
        try #require(run.status == 0, "\(run)")
        return run.stdout
    }

    /// outer(3): saves(3) = leaf(3) + 9 + 12 = 27; windows(3, 2.0) = 27 + (4 + 8) = 39;
    /// big(3) = 39 + 3 = 42; many(42, 3, …, 3, 42) = 42 + 42 + 3 = 87; tail_entry(87):
    /// tail_target(5x, x, 3x, 2x, 5x, x, 3x, 2x) = 10x, leaf2 doubles it: 1740.
    @Test func everyInstructionOfEveryFrameShapeUnwinds() throws {
        let output = try Self.run(try Self.functions())
        #expect(output.hasPrefix("result 1740 stops "), "\(output)")
        let fields = output.split(separator: " ")
        let stops = fields.count > 3 ? Int(fields[3]) ?? 0 : 0
        // Every instruction executed in Egret code, the probe loop's four rounds included.
        #expect(stops > 120, "too few stops: \(output)")
        #expect(output.contains(" mismatches 0 "), "\(output)")
    }

    /// The control for tail calls: with their epilogues left undescribed (the body's
    /// rules kept until the jump), the stops after rbp is reloaded are wrong.
    @Test func anUndescribedTailCallEpilogueIsFound() throws {
        var functions = try Self.functions()
        for index in functions.indices {
            functions[index].unwind = functions[index].unwind.filter { record in
                switch record {
                case .restoredRegister, .returnAddressInRegister, .framePointerReloaded, .stackPointerMoved,
                     .returnAddressSaved: return false
                default: return true
                }
            }
        }
        let output = try Self.run(functions)
        #expect(!output.contains(" mismatches 0 "), "\(output)")
        #expect(output.contains("tail_caller+0x") || output.contains("tail_target+0x"), "\(output)")
    }

    /// The check finds a wrong rule: with the CFA offset after `push rbp` off by 8,
    /// the stop right after that push is reported.
    @Test func aCFAOffsetOffByEightIsFound() throws {
        var functions = try Self.functions()
        for index in functions.indices {
            functions[index].unwind = functions[index].unwind.map { record in
                guard case .pushFramePointer(let offset) = record else { return record }
                // Claim the push happened one byte later: the row at the push is the entry's.
                return .pushFramePointer(codeOffset: offset + 1)
            }
        }
        let output = try Self.run(functions)
        #expect(!output.contains(" mismatches 0 "), "\(output)")
        #expect(output.contains("+0x1: frame 0 CFA"), "\(output)")
    }
}
