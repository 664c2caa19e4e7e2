import EgretCodegen
import EgretIR

/// The C program that runs a module's run lines against an object Egret wrote
/// (AOTExecutor.swift). Each line calls the function through its trampoline (the same
/// 16-byte argument slots as the JIT's) on a stack of `StackBudget.bytes` with a guard
/// page below it, with the heap image copied into a guard-paged buffer first. A fault
/// is turned into a trap code by the program's own handler (a signal handler on Linux,
/// a vectored exception handler on Windows: `windowsMain`): the trap record at the
/// faulting instruction (tables generated from the code's records), else `stk_ovf`
/// for a fault in the stack's guard page; anything else is a crash, reported with its
/// place, and the program stops.
///
/// Output, one line each, flushed (run `prog FIRST` to start at line FIRST):
///
///     S i                 line i starts
///     V i lo hi lo hi …   it returned: each result slot's two 64-bit halves, in hex
///     T i code            it trapped (the TrapCode's raw number)
///     O i                 it ran past the time limit
///     H i hex             the heap after it (when the module has one)
///     C i signal f off    it crashed: signal, function number (-1: none), offset
struct AOTDriver {
    /// One line to run: the function's number in `functions`, its trampoline's
    /// number, the argument slots and which of them get the heap's address.
    struct Line {
        var function: Int
        var trampoline: Int
        var arguments: [DataValue]
        var heapArguments: [Int]
        var resultCount: Int
    }

    /// Argument and result slots a line may use.
    static let slotLimit = 64

    /// The functions the driver can call or find a fault in: their global symbol,
    /// code size and trap records.
    struct FunctionEntry {
        var symbol: String
        var code: FinishedCode
    }

    var functions: [FunctionEntry]
    var trampolines: [String]
    var lines: [Line]
    var heap: HeapImage?
    /// Each line's wall-clock limit.
    var lineTimeoutSeconds: Double
    /// Map the stack in the low 2 GiB (MAP_32BIT), as the JIT does for a module
    /// written for 32-bit pointers: its stack addresses are i32 values (Linux only).
    var lowStack: Bool
    var target: AheadOfTimeTarget = .linux

    var source: String {
        var c = target == .linux ? AOTDriver.prelude : AOTDriver.windowsPrelude
        c += AOTDriver.types
        c += "#define SLOT_LIMIT \(AOTDriver.slotLimit)\n"
        c += "#define STACK_SIZE \(StackBudget.bytes)\n"
        if target == .linux {
            c += "#define STACK_FLAGS (MAP_PRIVATE | MAP_ANONYMOUS\(lowStack ? " | MAP_32BIT" : ""))\n"
        }
        c += "#define STACK_OVERFLOW \(TrapCode.stackOverflow.raw)\n"
        c += "#define HEAP_SIZE \(heap?.size ?? 0)\n"
        c += "#define HEAP_GUARD \(HeapImage.guardBytes)\n"
        let micros = max(1, Int(lineTimeoutSeconds * 1_000_000))
        c += "#define LINE_SECONDS \(micros / 1_000_000)\n#define LINE_MICROS \(micros % 1_000_000)\n"
        for entry in functions { c += "extern const char \(entry.symbol)[];\n" }
        for name in trampolines { c += "extern egret_trampoline \(name);\n" }
        let trapTables = functions.map(\.code.trapTable)
        for (index, table) in trapTables.enumerated() {
            let rows = table.map { "{\($0.offset), \($0.code.raw)}" } + ["{0xFFFFFFFF, 0}"]
            c += "static const egret_trap traps_\(index)[] = {\(rows.joined(separator: ", "))};\n"
        }
        c += "static const egret_function functions[] = {\n"
        for (index, entry) in functions.enumerated() {
            c += "    {\(entry.symbol), \(entry.code.bytes.count), traps_\(index), \(trapTables[index].count)},\n"
        }
        c += "};\n#define FUNCTION_COUNT \(functions.count)\n"
        for (index, line) in lines.enumerated() {
            let words = line.arguments.flatMap { [AOTDriver.hex($0.low), AOTDriver.hex($0.high)] } + ["0"]
            c += "static const uint64_t args_\(index)[] = {\(words.joined(separator: ", "))};\n"
            let heapArguments = line.heapArguments.map(String.init) + ["-1"]
            c += "static const int heap_args_\(index)[] = {\(heapArguments.joined(separator: ", "))};\n"
        }
        c += "static const egret_line lines[] = {\n"
        for (index, line) in lines.enumerated() {
            c += "    {\(trampolines[line.trampoline]), \(functions[line.function].symbol), \(line.arguments.count), "
                + "\(line.resultCount), args_\(index), heap_args_\(index)},\n"
        }
        c += "};\n#define LINE_COUNT \(lines.count)\n"
        let image = heap.map { AOTDriver.bytes($0.bytes) } ?? "0"
        c += "static const unsigned char heap_image[] = {\(image)};\n"
        c += AOTDriver.common
        c += target == .linux ? AOTDriver.main : AOTDriver.windowsMain
        return c
    }

    private static func hex(_ value: UInt64) -> String { "0x\(String(value, radix: 16))ull" }

    private static func bytes(_ bytes: [UInt8]) -> String {
        bytes.isEmpty ? "0" : bytes.map { String($0) }.joined(separator: ",")
    }

    static let prelude = """
        #define _GNU_SOURCE
        #include <setjmp.h>
        #include <signal.h>
        #include <stdint.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <sys/mman.h>
        #include <sys/time.h>
        #include <ucontext.h>
        #include <unistd.h>
        #define EGRET_SYSV

        """

    static let windowsPrelude = """
        #define __USE_MINGW_ANSI_STDIO 1
        #include <windows.h>
        #include <fcntl.h>
        #include <io.h>
        #include <stdint.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        /* The trampolines are System V code on every target. */
        #define EGRET_SYSV __attribute__((sysv_abi))

        """

    static let types = """
        typedef struct { uint64_t lo, hi; } egret_slot;
        typedef void EGRET_SYSV egret_trampoline(egret_slot *slots, const void *target);
        typedef struct { uint32_t offset; uint8_t code; } egret_trap;
        typedef struct { const char *start; uint64_t size; const egret_trap *traps; uint32_t count; } egret_function;
        typedef struct {
            egret_trampoline *trampoline; const void *target; uint32_t argc, resultc;
            const uint64_t *args; const int *heap_args;
        } egret_line;

        """

    /// What both programs share: finding the function and trap record of a faulting
    /// pc, and starting, reporting and ending a line.
    static let common = """

        static volatile int outcome;             /* trap code, -1 crash, -2 time out */
        static volatile int crash_signal, crash_function;
        static volatile uintptr_t crash_offset;
        static egret_slot slots[SLOT_LIMIT];
        static const egret_line *current;

        /* The function containing pc (-1: none) and, through *code, its trap code (-1: none). */
        static int locate(uintptr_t pc, int *code) {
            *code = -1;
            for (int f = 0; f < FUNCTION_COUNT; f++) {
                uintptr_t start = (uintptr_t)functions[f].start;
                if (pc < start || pc >= start + functions[f].size) continue;
                uint32_t offset = (uint32_t)(pc - start), low = 0, high = functions[f].count;
                while (low < high) {
                    uint32_t middle = (low + high) / 2;
                    if (functions[f].traps[middle].offset < offset) low = middle + 1; else high = middle;
                }
                if (low < functions[f].count && functions[f].traps[low].offset == offset)
                    *code = functions[f].traps[low].code;
                crash_offset = offset;
                return f;
            }
            crash_offset = pc;
            return -1;
        }
        /* Line i starts: its arguments into the slots, the heap image into the heap. */
        static void begin_line(int i, unsigned char *heap) {
            current = &lines[i];
            printf("S %d\\n", i);
            fflush(stdout);
            if (heap) memcpy(heap, heap_image, HEAP_SIZE);
            memset(slots, 0, sizeof slots);
            for (uint32_t a = 0; a < current->argc; a++) {
                slots[a].lo = current->args[2 * a];
                slots[a].hi = current->args[2 * a + 1];
            }
            for (const int *h = current->heap_args; *h >= 0; h++) { slots[*h].lo = (uintptr_t)heap; slots[*h].hi = 0; }
            outcome = 0;
        }

        static void print_values(int i) {
            printf("V %d", i);
            for (uint32_t r = 0; r < current->resultc; r++) printf(" %llx %llx", (unsigned long long)slots[r].lo, (unsigned long long)slots[r].hi);
            printf("\\n");
        }

        static void print_crash(int i) {
            printf("C %d %d %d %llu\\n", i, crash_signal, crash_function, (unsigned long long)crash_offset);
            fflush(stdout);
        }

        /* The heap after line i, and the line's output flushed. */
        static void end_line(int i, const unsigned char *heap) {
            if (heap) {
                printf("H %d ", i);
                for (int b = 0; b < HEAP_SIZE; b++) printf("%02x", heap[b]);
                printf("\\n");
            }
            fflush(stdout);
        }
        """

    static let main = """

        static sigjmp_buf jump;
        static char *guard_low, *guard_high;
        static ucontext_t main_context, call_context;

        static void call_entry(void) { current->trampoline(slots, current->target); }

        static void on_fault(int sig, siginfo_t *info, void *context) {
            ucontext_t *uc = (ucontext_t *)context;
            uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
            int code;
            int function = locate(pc, &code);
            char *address = (char *)info->si_addr;
            if (code < 0 && (sig == SIGSEGV || sig == SIGBUS) && address >= guard_low && address < guard_high)
                code = STACK_OVERFLOW;
            if (code < 0) { crash_signal = sig; crash_function = function; }
            outcome = code;
            siglongjmp(jump, 1);
        }

        static void on_alarm(int sig) { (void)sig; outcome = -2; siglongjmp(jump, 1); }

        static void set_timer(int on) {
            struct itimerval timer;
            memset(&timer, 0, sizeof timer);
            if (on) { timer.it_value.tv_sec = LINE_SECONDS; timer.it_value.tv_usec = LINE_MICROS; }
            setitimer(ITIMER_REAL, &timer, 0);
        }

        int main(int argc, char **argv) {
            int first = argc > 1 ? atoi(argv[1]) : 0;
            long page = sysconf(_SC_PAGESIZE);
            static char alternate[1 << 16];
            stack_t alt = { .ss_sp = alternate, .ss_size = sizeof alternate, .ss_flags = 0 };
            sigaltstack(&alt, 0);
            struct sigaction action;
            memset(&action, 0, sizeof action);
            action.sa_sigaction = on_fault;
            action.sa_flags = SA_SIGINFO | SA_ONSTACK;
            sigemptyset(&action.sa_mask);
            int faults[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP };
            for (int i = 0; i < 5; i++) sigaction(faults[i], &action, 0);
            signal(SIGALRM, on_alarm);
            char *stack = mmap(0, STACK_SIZE + page, PROT_READ | PROT_WRITE, STACK_FLAGS, -1, 0);
            if (stack == MAP_FAILED) { perror("mmap"); return 2; }
            mprotect(stack, page, PROT_NONE);
            guard_low = stack; guard_high = stack + page;
            unsigned char *heap = 0;
            if (HEAP_SIZE > 0) {
                size_t rounded = (HEAP_SIZE + page - 1) / page * page;
                char *base = mmap(0, rounded + HEAP_GUARD, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                if (base == MAP_FAILED) { perror("mmap"); return 2; }
                mprotect(base, rounded, PROT_READ | PROT_WRITE);
                heap = (unsigned char *)base + rounded - HEAP_SIZE;
            }
            for (int i = first; i < LINE_COUNT; i++) {
                begin_line(i, heap);
                if (sigsetjmp(jump, 1) == 0) {
                    getcontext(&call_context);
                    call_context.uc_stack.ss_sp = stack + page;
                    call_context.uc_stack.ss_size = STACK_SIZE;
                    call_context.uc_link = &main_context;
                    makecontext(&call_context, call_entry, 0);
                    set_timer(1);
                    swapcontext(&main_context, &call_context);
                    set_timer(0);
                    print_values(i);
                } else {
                    set_timer(0);
                    if (outcome == -1) {
                        print_crash(i);
                        _exit(3);
                    }
                    if (outcome == -2) printf("O %d\\n", i); else printf("T %d %d\\n", i, outcome);
                }
                end_line(i, heap);
            }
            return 0;
        }

        """

    /// The Windows program: each line runs on a thread of its own with a stack of
    /// `StackBudget.bytes`; a vectored exception handler turns a fault into a trap
    /// code as the Linux signal handler does (`stk_ovf` for Windows' stack overflow,
    /// or an access violation in the thread's stack reservation) and ends the thread
    /// from where the called code's frames began; the main thread waits for it at
    /// most the line's time. Output is binary, so each line ends in "\n" alone.
    static let windowsMain = """

        static volatile DWORD worker;
        static ULONG_PTR stack_low, stack_high, resume_rsp;

        static void finish_thread(void) { ExitThread(1); }

        static DWORD WINAPI call_entry(LPVOID unused) {
            (void)unused;
            GetCurrentThreadStackLimits(&stack_low, &stack_high);
            /* Below this frame: only the called code's frames, dead once it faults. */
            resume_rsp = (((ULONG_PTR)__builtin_frame_address(0) - 512) & ~(ULONG_PTR)15) - 8;
            worker = GetCurrentThreadId();
            current->trampoline(slots, current->target);
            return 0;
        }

        /* The POSIX signal a Windows exception corresponds to, for crash reports. */
        static int signal_of(DWORD code) {
            switch (code) {
            case EXCEPTION_ILLEGAL_INSTRUCTION: case EXCEPTION_PRIV_INSTRUCTION: return 4;
            case EXCEPTION_BREAKPOINT: case EXCEPTION_SINGLE_STEP: return 5;
            case EXCEPTION_INT_DIVIDE_BY_ZERO: case EXCEPTION_INT_OVERFLOW: return 8;
            case EXCEPTION_DATATYPE_MISALIGNMENT: return 7;
            default: return 11;
            }
        }

        static LONG CALLBACK on_exception(EXCEPTION_POINTERS *info) {
            DWORD kind = info->ExceptionRecord->ExceptionCode;
            if (GetCurrentThreadId() != worker) return EXCEPTION_CONTINUE_SEARCH;
            switch (kind) {
            case EXCEPTION_ACCESS_VIOLATION: case EXCEPTION_ILLEGAL_INSTRUCTION: case EXCEPTION_PRIV_INSTRUCTION:
            case EXCEPTION_INT_DIVIDE_BY_ZERO: case EXCEPTION_INT_OVERFLOW: case EXCEPTION_STACK_OVERFLOW:
            case EXCEPTION_BREAKPOINT: case EXCEPTION_SINGLE_STEP: case EXCEPTION_DATATYPE_MISALIGNMENT:
            case EXCEPTION_IN_PAGE_ERROR:
                break;
            default:
                return EXCEPTION_CONTINUE_SEARCH;
            }
            int code;
            int function = locate((uintptr_t)info->ContextRecord->Rip, &code);
            if (code < 0 && kind == EXCEPTION_STACK_OVERFLOW) code = STACK_OVERFLOW;
            if (code < 0 && kind == EXCEPTION_ACCESS_VIOLATION && info->ExceptionRecord->NumberParameters >= 2) {
                ULONG_PTR address = info->ExceptionRecord->ExceptionInformation[1];
                if (address >= stack_low && address < stack_high) code = STACK_OVERFLOW;
            }
            if (code < 0) { crash_signal = signal_of(kind); crash_function = function; }
            outcome = code;
            /* Resume where the called code's frames began, to end the thread. */
            info->ContextRecord->Rsp = resume_rsp;
            info->ContextRecord->Rip = (DWORD64)(uintptr_t)finish_thread;
            return EXCEPTION_CONTINUE_EXECUTION;
        }

        int main(int argc, char **argv) {
            int first = argc > 1 ? atoi(argv[1]) : 0;
            _setmode(_fileno(stdout), _O_BINARY);
            SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
            AddVectoredExceptionHandler(1, on_exception);
            SYSTEM_INFO system;
            GetSystemInfo(&system);
            size_t page = system.dwPageSize;
            unsigned char *heap = 0;
            if (HEAP_SIZE > 0) {
                size_t rounded = (HEAP_SIZE + page - 1) / page * page;
                char *base = VirtualAlloc(0, rounded + HEAP_GUARD, MEM_RESERVE, PAGE_NOACCESS);
                if (!base || !VirtualAlloc(base, rounded, MEM_COMMIT, PAGE_READWRITE)) {
                    fprintf(stderr, "VirtualAlloc failed\\n");
                    return 2;
                }
                heap = (unsigned char *)base + rounded - HEAP_SIZE;
            }
            DWORD millis = LINE_SECONDS * 1000 + LINE_MICROS / 1000 + 1;
            for (int i = first; i < LINE_COUNT; i++) {
                begin_line(i, heap);
                worker = 0;
                HANDLE thread = CreateThread(0, STACK_SIZE, call_entry, 0, STACK_SIZE_PARAM_IS_A_RESERVATION, 0);
                if (!thread) { fprintf(stderr, "CreateThread failed\\n"); return 2; }
                DWORD exit_code = 0;
                if (WaitForSingleObject(thread, millis) == WAIT_TIMEOUT) {
                    TerminateThread(thread, 2);
                    WaitForSingleObject(thread, INFINITE);
                    outcome = -2;
                    exit_code = 2;
                } else {
                    GetExitCodeThread(thread, &exit_code);
                }
                CloseHandle(thread);
                if (exit_code == 0) {
                    print_values(i);
                } else if (outcome == -1) {
                    print_crash(i);
                    _exit(3);
                } else if (outcome == -2) {
                    printf("O %d\\n", i);
                } else {
                    printf("T %d %d\\n", i, outcome);
                }
                end_line(i, heap);
            }
            return 0;
        }

        """
}
