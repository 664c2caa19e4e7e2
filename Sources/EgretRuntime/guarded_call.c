// Guarded calls: hardware traps inside JIT code become results.
//
//   egret_guarded_call (C, sigsetjmp)
//     -> trampoline (JIT)  -> compiled function (JIT) -> fault
//   signal handler (on the alternate stack): a guarded call is active on this
//   thread -> record, siglongjmp back to the call (a PC outside registered JIT code
//   also taints the process: the code jumped somewhere wild and may have written
//   anywhere). Otherwise -> the previous handler, or the default action (a real crash).
#define _GNU_SOURCE
#include "egret_runtime.h"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <ucontext.h>
#include <unistd.h>

// ---- Registered JIT code ranges (a small lock-free-read table) ----------------

#define MAX_RANGES 4096
static struct { _Atomic uintptr_t start; _Atomic uintptr_t end; } ranges[MAX_RANGES];
static pthread_mutex_t ranges_lock = PTHREAD_MUTEX_INITIALIZER;

int egret_register_code_range(const void *start, size_t size) {
    int result = -1;
    pthread_mutex_lock(&ranges_lock);
    for (int i = 0; i < MAX_RANGES; i++) {
        if (atomic_load(&ranges[i].start) == 0) {
            atomic_store(&ranges[i].end, (uintptr_t)start + size);
            atomic_store(&ranges[i].start, (uintptr_t)start);
            result = 0;
            break;
        }
    }
    pthread_mutex_unlock(&ranges_lock);
    return result;
}

void egret_unregister_code_range(const void *start) {
    pthread_mutex_lock(&ranges_lock);
    for (int i = 0; i < MAX_RANGES; i++) {
        if (atomic_load(&ranges[i].start) == (uintptr_t)start) {
            atomic_store(&ranges[i].start, 0);
            atomic_store(&ranges[i].end, 0);
        }
    }
    pthread_mutex_unlock(&ranges_lock);
}

int egret_is_jit_code(const void *pc) {
    uintptr_t address = (uintptr_t)pc;
    for (int i = 0; i < MAX_RANGES; i++) {
        uintptr_t start = atomic_load(&ranges[i].start);
        if (start != 0 && address >= start && address < atomic_load(&ranges[i].end)) return 1;
    }
    return 0;
}

// ---- Per-thread guarded-call state ---------------------------------------------

typedef struct guard_frame {
    sigjmp_buf jump;
    egret_trap_info *trap;
    struct guard_frame *outer;
} guard_frame;

static __thread guard_frame *innermost_guard;
static __thread int thread_prepared;

static const int guarded_signals[] = {SIGFPE, SIGILL, SIGSEGV, SIGBUS};
#define GUARDED_SIGNAL_COUNT 4
static struct sigaction previous_actions[GUARDED_SIGNAL_COUNT];
static pthread_once_t handlers_once = PTHREAD_ONCE_INIT;
static int handlers_status;

static int signal_slot(int signal) {
    for (int i = 0; i < GUARDED_SIGNAL_COUNT; i++)
        if (guarded_signals[i] == signal) return i;
    return -1;
}

/// Passes a signal we do not own to whoever had it before us, or to the default action.
static void forward_signal(int signal, siginfo_t *info, void *context) {
    int slot = signal_slot(signal);
    struct sigaction *previous = slot >= 0 ? &previous_actions[slot] : NULL;
    if (previous && (previous->sa_flags & SA_SIGINFO) && previous->sa_sigaction) {
        previous->sa_sigaction(signal, info, context);
        return;
    }
    if (previous && !(previous->sa_flags & SA_SIGINFO) && previous->sa_handler != SIG_DFL &&
        previous->sa_handler != SIG_IGN) {
        previous->sa_handler(signal);
        return;
    }
    // Default action: reinstate it; returning re-executes the faulting instruction,
    // which now kills the process with the right signal.
    struct sigaction fallback;
    memset(&fallback, 0, sizeof fallback);
    fallback.sa_handler = SIG_DFL;
    sigemptyset(&fallback.sa_mask);
    sigaction(signal, &fallback, NULL);
}

static atomic_int tainted;

int egret_runtime_tainted(void) { return atomic_load(&tainted); }

void egret_runtime_taint(void) { atomic_store(&tainted, 1); }

static void trap_handler(int signal, siginfo_t *info, void *raw_context) {
    ucontext_t *context = (ucontext_t *)raw_context;
    uintptr_t pc = (uintptr_t)context->uc_mcontext.gregs[REG_RIP];
    guard_frame *guard = innermost_guard;
    if (guard == NULL) {
        forward_signal(signal, info, raw_context);
        return;
    }
    int outside = !egret_is_jit_code((const void *)pc);
    if (outside) atomic_store(&tainted, 1);
    guard->trap->signal = signal;
    guard->trap->pc = pc;
    guard->trap->fault_address = (uintptr_t)info->si_addr;
    guard->trap->stack_pointer = (uintptr_t)context->uc_mcontext.gregs[REG_RSP];
    guard->trap->outside_jit_code = outside;
    guard->trap->return_address = 0;
    if (outside) {
        // A call to a wild address faults on its target with the return address on
        // top of the stack. Read it with a syscall: a wild stack pointer must give
        // EFAULT here, not a fault inside the handler.
        uintptr_t word = 0;
        struct iovec local = {&word, sizeof word};
        struct iovec remote = {(void *)guard->trap->stack_pointer, sizeof word};
        if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == (ssize_t)sizeof word)
            guard->trap->return_address = word;
    }
    siglongjmp(guard->jump, 1);
}

static void install_handlers(void) {
    for (int i = 0; i < GUARDED_SIGNAL_COUNT; i++) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_sigaction = trap_handler;
        action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
        sigemptyset(&action.sa_mask);
        if (sigaction(guarded_signals[i], &action, &previous_actions[i]) != 0) handlers_status = -1;
    }
}

/// Size of each thread's alternate signal stack: enough for the handler even when the
/// fault is a stack overflow of the JIT code.
#define ALTERNATE_STACK_SIZE (64 * 1024)

int egret_runtime_prepare(void) {
    pthread_once(&handlers_once, install_handlers);
    if (handlers_status != 0) return handlers_status;
    if (!thread_prepared) {
        stack_t current;
        if (sigaltstack(NULL, &current) == 0 && !(current.ss_flags & SS_DISABLE) &&
            current.ss_size >= ALTERNATE_STACK_SIZE) {
            thread_prepared = 1;  // the thread already has a large enough one
            return 0;
        }
        stack_t stack;
        stack.ss_sp = malloc(ALTERNATE_STACK_SIZE);
        if (stack.ss_sp == NULL) return -1;
        stack.ss_size = ALTERNATE_STACK_SIZE;
        stack.ss_flags = 0;
        if (sigaltstack(&stack, NULL) != 0) {
            free(stack.ss_sp);
            return -1;
        }
        thread_prepared = 1;
    }
    return 0;
}

// Calls trampoline(slots, target) with rsp = stack_top, then restores rsp.
//   rdi = trampoline, rsi = slots, rdx = target, rcx = stack_top (16-byte aligned)
// rbp keeps the caller's stack pointer across the call (callee-saved, so the
// trampoline preserves it), and the CFI says so, so an unwinder walking out of the
// trampoline finds the caller's frame. A trap never returns here: the signal handler
// siglongjmps to the guarded call, whose jump buffer restores the original rsp.
void egret_call_on_stack(egret_trampoline trampoline, void *slots, const void *target, void *stack_top);
__asm__(
    ".text\n"
    ".globl egret_call_on_stack\n"
    ".hidden egret_call_on_stack\n"
    ".type egret_call_on_stack, @function\n"
    "egret_call_on_stack:\n"
    "    .cfi_startproc\n"
    "    pushq %rbp\n"
    "    .cfi_def_cfa_offset 16\n"
    "    .cfi_offset %rbp, -16\n"
    "    movq %rsp, %rbp\n"
    "    .cfi_def_cfa_register %rbp\n"
    "    movq %rcx, %rsp\n"
    "    movq %rdi, %rax\n"
    "    movq %rsi, %rdi\n"
    "    movq %rdx, %rsi\n"
    "    callq *%rax\n"
    "    movq %rbp, %rsp\n"
    "    popq %rbp\n"
    "    .cfi_def_cfa %rsp, 8\n"
    "    retq\n"
    "    .cfi_endproc\n"
    ".size egret_call_on_stack, .-egret_call_on_stack\n");

int egret_guarded_call_on_stack(egret_trampoline trampoline, void *slots, const void *target,
                                void *stack_top, egret_trap_info *trap) {
    trap->signal = 0;
    trap->pc = 0;
    trap->fault_address = 0;
    trap->stack_pointer = 0;
    trap->outside_jit_code = 0;
    trap->return_address = 0;
    if (egret_runtime_prepare() != 0) return -1;
    guard_frame guard;
    guard.trap = trap;
    guard.outer = innermost_guard;
    // Save the signal mask (1): the handler runs with the signal blocked unless
    // SA_NODEFER; siglongjmp must restore the mask either way.
    if (sigsetjmp(guard.jump, 1) != 0) {
        innermost_guard = guard.outer;
        return 1;
    }
    innermost_guard = &guard;
    if (stack_top == NULL) {
        trampoline(slots, target);
    } else {
        egret_call_on_stack(trampoline, slots, target, stack_top);
    }
    innermost_guard = guard.outer;
    return 0;
}

int egret_guarded_call(egret_trampoline trampoline, void *slots, const void *target, egret_trap_info *trap) {
    return egret_guarded_call_on_stack(trampoline, slots, target, NULL, trap);
}
