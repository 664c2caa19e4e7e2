/* Independent C implementations of the benchmark programs, used to derive the
 * expected values of the `; run:` lines. The printed times are at best a rough
 * yardstick: several functions are written for independence from the CLIF, not for
 * speed (naive bit loops, qsort instead of the bubble sort, arrays with % indexing).
 *
 *   cc -O2 -ffp-contract=off -o /tmp/reference reference.c -lm
 *   /tmp/reference mix 20000000 42        prints the result and the time taken
 *   ./expected.sh                         every run line of the .clif files, recomputed
 *
 * Arithmetic on unsigned types wraps exactly like CLIF; signed narrow values are
 * converted explicitly. -ffp-contract=off keeps a*b+c from becoming an fma (CLIF
 * only fuses when the program says `fma`).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef uint64_t u64; typedef int64_t i64; typedef uint32_t u32; typedef int32_t i32;
typedef uint16_t u16; typedef int16_t i16; typedef uint8_t u8; typedef int8_t i8;
typedef unsigned __int128 u128;

static u64 rotl64(u64 x, unsigned r) { r &= 63; return r ? (x << r) | (x >> (64 - r)) : x; }
static u64 rotr64(u64 x, unsigned r) { r &= 63; return r ? (x >> r) | (x << (64 - r)) : x; }
static u32 rotr32(u32 x, unsigned r) { r &= 31; return r ? (x >> r) | (x << (32 - r)) : x; }
static u8 rotl8(u8 x, unsigned r) { r &= 7; return r ? (u8)((x << r) | (x >> (8 - r))) : x; }

/* ---- int_hash.clif ---------------------------------------------------- */
static u64 mix(u64 n, u64 seed) {
    u64 x = seed, h = seed ^ 0x9E3779B97F4A7C15ull;
    u32 w = 0x12345678; u16 s = 0x1234; u8 c = 0x5a;
    do {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        h ^= rotl64(x, 23);
        h *= 0xBF58476D1CE4E5B9ull;
        h ^= h >> 31;
        u32 w1 = w + (u32)x;
        w = (rotr32(w1, 7) ^ (w1 << 3)) * 0x2545F491u;
        u16 s1 = (u16)((u16)(s + (u16)(x >> 48)) * 0x6f4bu);
        s = (u16)(s1 ^ (u16)((i16)s1 >> 5));
        c = rotl8((u8)((u8)(c ^ (u8)h) * 29u), 3);
        h = ((h + (u64)w) ^ (u64)(i64)(i16)s) + (u64)c;
    } while (--n);
    return h;
}

/* ---- sieve.clif: a plain sieve, independent of the CLIF loop structure ---- */
static u64 sieve(u64 reps) {
    static unsigned char composite[8192];
    u64 total = 0;
    for (u64 r = 0; r < reps; r++) {
        memset(composite, 0, sizeof composite);
        u64 count = 0, sum = 0;
        for (u64 i = 2; i < 8192; i++) {
            if (composite[i]) continue;
            count++; sum += i;
            for (u64 j = i * i; j < 8192; j += i) composite[j] = 1;
        }
        total += count + sum;
    }
    return total;
}

/* ---- sort.clif: LCG fill, sort with qsort, weighted checksum -------------- */
static int cmp_i32(const void *a, const void *b) {
    i32 x = *(const i32 *)a, y = *(const i32 *)b;
    return (x > y) - (x < y);
}
static u64 bubble(u64 reps, u64 seed, int use_qsort) {
    i32 a[512];
    u64 x = seed, acc = 0;
    for (u64 r = 0; r < reps; r++) {
        for (int i = 0; i < 512; i++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            a[i] = (i32)(u32)(x >> 32);
        }
        if (use_qsort) qsort(a, 512, sizeof a[0], cmp_i32);
        else
            for (int m = 511; m >= 1; m--)
                for (int j = 0; j < m; j++)
                    if (a[j] > a[j + 1]) { i32 t = a[j]; a[j] = a[j + 1]; a[j + 1] = t; }
        for (int i = 0; i < 512; i++) acc += (u64)(i64)a[i] * (u64)(i + 1);
    }
    return acc;
}

/* ---- calls.clif ------------------------------------------------------------ */
__attribute__((noinline)) static u64 step(u64 a, u64 b, u64 c, u64 d, u64 e, u64 f) {
    return rotl64(((a * 0x9E3779B97F4A7C15ull) ^ b) + ((c + d) ^ (e - f)), 29);
}
static u64 calls(u64 n) {
    u64 acc = 0;
    for (u64 k = n; k >= 1; k--) acc = step(acc, k, n, k * 3, 12345, acc >> 7);
    return acc;
}

/* ---- fib.clif -------------------------------------------------------------- */
__attribute__((noinline)) static u64 fib(u64 n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
/* ---- float.clif ------------------------------------------------------------ */
static u64 mandel(i64 w, i64 h, i64 maxit) {
    double dx = 3.0 / (double)w, dy = 2.5 / (double)h;
    u64 total = 0;
    for (i64 py = 0; py < h; py++) {
        double cy = (double)py * dy + -1.25;
        for (i64 px = 0; px < w; px++) {
            double cx = (double)px * dx + -2.0;
            double zr = 0, zi = 0;
            i64 it = 0;
            while (it < maxit) {
                double zr2 = zr * zr, zi2 = zi * zi;
                if (!(zr2 + zi2 < 4.0)) break;
                double nr = (zr2 - zi2) + cx;
                double p = zr * zi;
                zi = (p + p) + cy;
                zr = nr;
                it++;
            }
            total += (u64)it;
        }
    }
    return total;
}
static double leibniz(u64 n) {
    double sum = 0, d = 1, s = 4;
    for (u64 k = 0; k < n; k++) { sum += s / d; d += 2; s = -s; }
    return sum;
}
static float poly32(u64 n) {
    float s = 0;
    for (u64 k = 0; k < n; k++) {
        float x = (float)(i64)(k & 1023) * 0x1.0p-10f;
        float t = sqrtf(x) * ((x * 0.25f + -0.75f) * x + 1.5f);
        s = s * 0.999f + t;
    }
    return s;
}

/* ---- divrem.clif ----------------------------------------------------------- */
static u64 gcd_sum(u64 n, u64 seed) {
    u64 x = seed, acc = 0, steps = 0;
    for (u64 k = 0; k < n; k++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        u64 a = x >> 1;
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        u64 b = (x >> 3) | 1;
        while (1) { u64 r = a % b; steps++; if (!r) break; a = b; b = r; }
        acc = acc * 31 + b;
    }
    return acc ^ (steps << 40);
}
static u32 sdivrem32(u64 n, u64 seed) {
    u64 x = seed; u32 h = 0x811c9dc5u;
    for (u64 k = 0; k < n; k++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        i32 num = (i32)((i64)x >> 33);
        i32 d = ((i32)(u32)x >> 20) | 1;
        h = ((h ^ (u32)(num / d)) * 16777619u + (u32)(num % d)) ^ (u32)(x / ((x >> 40) | 1));
    }
    return h;
}

/* ---- bits.clif ------------------------------------------------------------- */
static u64 clz64(u64 x) { u64 n = 0; for (u64 b = 1ull << 63; b && !(x & b); b >>= 1) n++; return n; }
static u64 ctz64(u64 x) { u64 n = 0; for (u64 b = 1; b && !(x & b); b <<= 1) n++; return n; }
static u64 pop64(u64 x) { u64 n = 0; for (; x; x >>= 1) n += x & 1; return n; }
static u64 xorshift(u64 x) { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return x; }
static u64 bitcount(u64 n, u64 seed) {
    u64 x = seed, h = 0;
    for (u64 k = 0; k < n; k++) {
        x = xorshift(x);
        u32 y = (u32)x; u16 z = (u16)(x >> 20);
        u64 c32 = clz64(y) - 32, t32 = y ? ctz64(y) : 32;
        u64 c16 = clz64(z) - 48, t16 = z ? ctz64(z) : 16;
        u64 c = pop64(x) | clz64(x) << 8 | ctz64(x) << 16 | pop64(y) << 24 | c32 << 32 | t32 << 40
              | (u64)(u16)(pop64(z) + c16 + t16) << 48;
        h = rotl64(h, 7) ^ c;
    }
    return h;
}
static u64 bitrev64(u64 x) { u64 r = 0; for (int i = 0; i < 64; i++) r |= ((x >> i) & 1) << (63 - i); return r; }
static u64 bitshuffle(u64 n, u64 seed) {
    u64 x = seed, h = 0;
    for (u64 k = 0; k < n; k++) {
        x = xorshift(x);
        u64 a = __builtin_bswap64(x), b = bitrev64(x);
        u32 c = __builtin_bswap32((u32)x);
        u16 d = __builtin_bswap16((u16)(x >> 16));
        u64 cls = clz64(h ^ (u64)((i64)h >> 63));  /* leading sign bits, 1..64 */
        u64 r1 = rotl64(a, (unsigned)(x & 63));
        u64 r2 = rotr64(b, (unsigned)(x >> 58));
        u64 f = r1 & ~r2;
        u64 g = ((u64)c << 32 | d) | ~r2;
        u64 e = ~(f ^ g);
        h = rotl64(h, 7) ^ (e + cls);
    }
    return h;
}

/* ---- i128.clif ------------------------------------------------------------- */
static u128 rotl128(u128 x, unsigned r) { r &= 127; return r ? (x << r) | (x >> (128 - r)) : x; }
static u64 mum128(u64 n, u64 seed) {
    const u128 K = (u128)0x8bb84b93962eacc9ull << 64 | 0x2d358dccaa6c78a5ull;
    u64 x = seed; u128 acc = seed;
    for (u64 k = 0; k < n; k++) {
        x += 0xa0761d6478bd642full;
        u128 p = (u128)x * (u128)(x ^ 0xe7037ed1a0b428dbull);
        u64 m = (u64)p ^ (u64)(p >> 64);
        acc = (acc + p) * K;
        acc ^= acc >> 67;
        acc = rotl128(acc, (unsigned)(m & 127));
        acc ^= (u128)(__int128)(i64)m;
    }
    return (u64)acc ^ (u64)(acc >> 64);
}

/* ---- regpressure.clif ------------------------------------------------------ */
#define NP 20
static u64 ipressure(u64 n) {
    u64 a[NP], b[NP];
    for (int k = 0; k < NP; k++) a[k] = (u64)k * 0x9E3779B97F4A7C15ull + 1;
    for (u64 i = 0; i < n; i++) {
        for (int k = 0; k < NP; k++) {
            u64 u = (a[k] ^ a[(k + 1) % NP]) + a[(k + 7) % NP];
            b[k] = k % 2 == 0 ? rotl64(u, k + 1) : u - (a[(k + 3) % NP] << 1);
        }
        memcpy(a, b, sizeof a);
    }
    u64 x = 0;
    for (int k = 0; k < NP; k++) x ^= a[k];
    return x;
}
static double fpressure(u64 n) {
    double f[NP], g[NP];
    for (int k = 0; k < NP; k++) f[k] = k + 1;
    for (u64 i = 0; i < n; i++) {
        for (int k = 0; k < NP; k++)
            g[k] = (f[k] * 0.5 + f[(k + 1) % NP] * 0.25) + f[(k + 7) % NP] * 0.25;
        g[0] += (double)(i64)(i & 15) * 0.0625;
        memcpy(f, g, sizeof f);
    }
    double s = f[0];
    for (int k = 1; k < NP; k++) s += f[k];
    return s;
}


/* ---- driver ---------------------------------------------------------------- */
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
#define A(i) strtoull(argv[2 + (i)], 0, 0)
int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: reference NAME ARGS...\n"); return 2; }
    const char *n = argv[1];
    double t0 = now();
    char out[128];
    if (!strcmp(n, "mix")) sprintf(out, "0x%016" PRIx64, mix(A(0), A(1)));
    else if (!strcmp(n, "sieve")) sprintf(out, "%" PRIu64, sieve(A(0)));
    else if (!strcmp(n, "bubble")) sprintf(out, "%" PRId64, (i64)bubble(A(0), A(1), 1));
    else if (!strcmp(n, "bubble-c")) sprintf(out, "%" PRId64, (i64)bubble(A(0), A(1), 0));
    else if (!strcmp(n, "step")) sprintf(out, "0x%016" PRIx64, step(A(0), A(1), A(2), A(3), A(4), A(5)));
    else if (!strcmp(n, "calls")) sprintf(out, "0x%016" PRIx64, calls(A(0)));
    else if (!strcmp(n, "fib")) sprintf(out, "%" PRIu64, fib(A(0)));
    else if (!strcmp(n, "mandel")) sprintf(out, "%" PRIu64, mandel(A(0), A(1), A(2)));
    else if (!strcmp(n, "leibniz")) sprintf(out, "%a", leibniz(A(0)));
    else if (!strcmp(n, "poly32")) sprintf(out, "%a", (double)poly32(A(0)));
    else if (!strcmp(n, "gcd_sum")) sprintf(out, "0x%" PRIx64, gcd_sum(A(0), A(1)));
    else if (!strcmp(n, "sdivrem32")) sprintf(out, "0x%08" PRIx32, sdivrem32(A(0), A(1)));
    else if (!strcmp(n, "bitcount")) sprintf(out, "0x%" PRIx64, bitcount(A(0), A(1)));
    else if (!strcmp(n, "bitshuffle")) sprintf(out, "0x%" PRIx64, bitshuffle(A(0), A(1)));
    else if (!strcmp(n, "mum128")) sprintf(out, "0x%" PRIx64, mum128(A(0), A(1)));
    else if (!strcmp(n, "ipressure")) sprintf(out, "0x%" PRIx64, ipressure(A(0)));
    else if (!strcmp(n, "fpressure")) sprintf(out, "%a", fpressure(A(0)));
    else { fprintf(stderr, "unknown %s\n", n); return 2; }
    printf("%s  (%.1f ms)\n", out, (now() - t0) * 1e3);
    return 0;
}
