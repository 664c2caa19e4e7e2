// EgretRuntime: the small C part of Egret's JIT that Swift cannot safely be.
//
//  - Code memory: pages that are writable or executable, never both (W^X).
//  - Guarded calls: a call into JIT code during which a hardware trap (SIGFPE, SIGILL,
//    SIGSEGV, SIGBUS) raised *inside registered JIT code* is turned into a result: the
//    faulting PC and signal come back to the caller instead of killing the process.
//    The sigsetjmp lives here, and only JIT frames stand between it and the fault, so
//    the siglongjmp never jumps over Swift frames. A fault anywhere else (outside JIT
//    code, or outside a guarded call) is passed on to the previous handler or the
//    default action: a real crash stays a crash.
#ifndef EGRET_RUNTIME_H
#define EGRET_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// ---- Code memory -------------------------------------------------------------

/// Maps `size` bytes (rounded up to pages) readable and writable. NULL on failure.
void *egret_code_alloc(size_t size);
/// Makes the pages read + execute (and no longer writable). 0 on success, errno otherwise.
int egret_code_make_executable(void *memory, size_t size);
/// Makes the pages read + write again (and no longer executable). 0 on success.
int egret_code_make_writable(void *memory, size_t size);
/// Releases memory from egret_code_alloc: small mappings are kept, inaccessible, and
/// handed out again by egret_code_alloc; others are unmapped.
void egret_code_free(void *memory, size_t size);
/// The system page size.
size_t egret_page_size(void);

// ---- JIT code ranges -----------------------------------------------------------

/// Registers [start, start + size) as JIT code: faults there may be caught. Returns 0,
/// or -1 when the registry is full.
int egret_register_code_range(const void *start, size_t size);
/// Removes a range registered before (matched by its start).
void egret_unregister_code_range(const void *start);
/// Whether `pc` lies in a registered range.
int egret_is_jit_code(const void *pc);

// ---- Guarded calls -------------------------------------------------------------

/// What a guarded call observed.
typedef struct egret_trap_info {
    /// 0 if the call returned normally; otherwise the signal (SIGFPE, SIGILL, SIGSEGV, SIGBUS).
    int signal;
    /// The faulting instruction's address.
    uintptr_t pc;
    /// The faulting data address for SIGSEGV/SIGBUS.
    uintptr_t fault_address;
    /// The stack pointer at the fault (to find the return address of a call that
    /// jumped outside compiled code).
    uintptr_t stack_pointer;
    /// 1 when the faulting instruction lies outside every registered JIT code range.
    int outside_jit_code;
    /// For a fault outside JIT code: the word on top of the stack (the return address
    /// of a call to a wild address), or 0 if it could not be read.
    uintptr_t return_address;
} egret_trap_info;

/// The shape of every trampoline Egret compiles: it loads the arguments of `target`
/// from `slots` (16 bytes each), calls it, and stores the results back into `slots`.
typedef void (*egret_trampoline)(void *slots, const void *target);

/// Installs the signal handlers (once per process) and this thread's alternate signal
/// stack (once per thread). Called by egret_guarded_call; exposed for tests.
int egret_runtime_prepare(void);

/// Whether a guarded call faulted outside JIT code, or egret_runtime_taint was called:
/// the process may be corrupted, and a harness should not run more code in it.
int egret_runtime_tainted(void);
/// Marks the process tainted (a fault in JIT code that no trap record explains).
void egret_runtime_taint(void);

/// Calls `trampoline(slots, target)`. Returns 0 if it returned normally, or 1 if a
/// hardware fault ended it (details in *trap). Nested guarded calls on one thread are
/// supported (the innermost catches). A fault anywhere while the call runs is caught,
/// also outside JIT code (a jump to a wild address): then the process is *tainted*
/// (egret_runtime_tainted), as the code may have written anywhere before it faulted.
int egret_guarded_call(egret_trampoline trampoline, void *slots, const void *target, egret_trap_info *trap);

/// egret_guarded_call with the trampoline running on another stack: rsp is set to
/// `stack_top` (16-byte aligned) for the call and restored afterwards, also when a trap
/// ends it. NULL runs on the current stack, as egret_guarded_call does.
int egret_guarded_call_on_stack(egret_trampoline trampoline, void *slots, const void *target,
                                void *stack_top, egret_trap_info *trap);

// ---- Stacks in the low 4 GiB ---------------------------------------------------

/// Maps a stack of `size` bytes (rounded up to pages) below 4 GiB, with one
/// inaccessible guard page under it, for code whose pointers are 32 bits wide (the
/// addresses of its stack slots must fit an i32). Returns the lowest usable address
/// (the stack's top is that plus the rounded size), or NULL on failure.
void *egret_low_stack_alloc(size_t size);
/// Unmaps a stack from egret_low_stack_alloc (`low` and `size` as given and returned).
void egret_low_stack_free(void *low, size_t size);

// ---- Guarded buffers -----------------------------------------------------------

/// Maps a buffer of `size` bytes that ends at a page boundary, followed by at least
/// `guard_after` inaccessible bytes and preceded by an inaccessible page: an access
/// past the end (by less than `guard_after`), or before the start of a buffer of whole
/// pages, faults. Returns the buffer's first byte, or NULL on failure.
void *egret_guarded_alloc(size_t size, size_t guard_after);
/// Unmaps a buffer from egret_guarded_alloc (`size` and `guard_after` as given).
void egret_guarded_free(void *buffer, size_t size, size_t guard_after);

#ifdef __cplusplus
}
#endif

#endif
