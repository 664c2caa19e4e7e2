// Code memory with W^X: pages are mapped writable, filled, then flipped to executable.
#define _GNU_SOURCE
#include "egret_runtime.h"

#include <errno.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

size_t egret_page_size(void) {
    long size = sysconf(_SC_PAGESIZE);
    return size > 0 ? (size_t)size : 4096;
}

static size_t round_to_pages(size_t size) {
    size_t page = egret_page_size();
    if (size == 0) size = 1;
    return (size + page - 1) & ~(page - 1);
}

// Freed code memory is kept, inaccessible, for reuse: a fuzzing campaign maps and
// unmaps two small modules per case, and a fresh mapping also costs a page fault per
// page on first write. Reuse makes the pages writable again; nothing stale survives,
// as the linker fills a whole mapping before making it executable.
enum { POOL_CAPACITY = 32, POOL_MAX_SIZE = 256 << 10 };
static struct { void *memory; size_t size; } pool[POOL_CAPACITY];
static int pool_count;
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;

void *egret_code_alloc(size_t size) {
    size_t rounded = round_to_pages(size);
    void *reused = NULL;
    pthread_mutex_lock(&pool_lock);
    for (int i = pool_count - 1; i >= 0; i--) {
        if (pool[i].size != rounded) continue;
        reused = pool[i].memory;
        pool[i] = pool[--pool_count];
        break;
    }
    pthread_mutex_unlock(&pool_lock);
    if (reused) {
        if (mprotect(reused, rounded, PROT_READ | PROT_WRITE) == 0) return reused;
        munmap(reused, rounded);
    }
    void *memory = mmap(NULL, rounded, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return memory == MAP_FAILED ? NULL : memory;
}

int egret_code_make_executable(void *memory, size_t size) {
    if (mprotect(memory, round_to_pages(size), PROT_READ | PROT_EXEC) != 0) return errno;
    __builtin___clear_cache((char *)memory, (char *)memory + size);
    return 0;
}

int egret_code_make_writable(void *memory, size_t size) {
    return mprotect(memory, round_to_pages(size), PROT_READ | PROT_WRITE) != 0 ? errno : 0;
}

void egret_code_free(void *memory, size_t size) {
    if (!memory) return;
    size_t rounded = round_to_pages(size);
    if (rounded <= POOL_MAX_SIZE && mprotect(memory, rounded, PROT_NONE) == 0) {
        pthread_mutex_lock(&pool_lock);
        if (pool_count < POOL_CAPACITY) {
            pool[pool_count].memory = memory;
            pool[pool_count].size = rounded;
            pool_count++;
            memory = NULL;
        }
        pthread_mutex_unlock(&pool_lock);
    }
    if (memory) munmap(memory, rounded);
}

// ---- Stacks in the low 4 GiB ---------------------------------------------------
//
//     low + size  +------------------+  <- stack top (rsp starts here)
//                 | stack (grows v)  |     read + write
//     low         +------------------+
//                 | guard page       |     no access: an overflow faults here
//     low - page  +------------------+  <- the mapping's start (below 4 GiB)

void *egret_low_stack_alloc(size_t size) {
    size_t page = egret_page_size();
    size_t usable = round_to_pages(size);
    // MAP_32BIT places the mapping in the low 2 GiB on x86-64; NORESERVE because most
    // of a stack is never touched.
    void *mapping = mmap(NULL, usable + page, PROT_NONE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT | MAP_NORESERVE, -1, 0);
    if (mapping == MAP_FAILED) return NULL;
    if ((uintptr_t)mapping + usable + page > ((uintptr_t)1 << 32)) {
        munmap(mapping, usable + page);
        return NULL;
    }
    char *low = (char *)mapping + page;
    if (mprotect(low, usable, PROT_READ | PROT_WRITE) != 0) {
        munmap(mapping, usable + page);
        return NULL;
    }
    return low;
}

void egret_low_stack_free(void *low, size_t size) {
    size_t page = egret_page_size();
    munmap((char *)low - page, round_to_pages(size) + page);
}

// ---- Guarded buffers -----------------------------------------------------------
//
//     +------------------+
//     | guard_after      |     no access: an access past the end faults here
//     +------------------+  <- the buffer's end (a page boundary)
//     | buffer           |     read + write: the last `size` bytes of the pages
//     | (page rest)      |
//     +------------------+
//     | guard page       |     no access: below a buffer of whole pages
//     +------------------+  <- the mapping's start

void *egret_guarded_alloc(size_t size, size_t guard_after) {
    size_t page = egret_page_size();
    size_t usable = round_to_pages(size);
    size_t after = round_to_pages(guard_after);
    char *mapping = mmap(NULL, page + usable + after, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mapping == MAP_FAILED) return NULL;
    if (mprotect(mapping + page, usable, PROT_READ | PROT_WRITE) != 0) {
        munmap(mapping, page + usable + after);
        return NULL;
    }
    return mapping + page + usable - size;
}

void egret_guarded_free(void *buffer, size_t size, size_t guard_after) {
    if (!buffer) return;
    size_t page = egret_page_size();
    size_t usable = round_to_pages(size);
    char *end = (char *)buffer + size;
    munmap(end - usable - page, page + usable + round_to_pages(guard_after));
}
