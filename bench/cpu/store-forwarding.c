/* Store-to-load forwarding on this machine: the time of one store and the load that
 * reads it back, in a dependency chain, for the store and load widths the dispatch loop
 * uses for a 16-byte value (docs/performance.md, "Values read in halves").
 *
 *   gcc -O2 bench/cpu/store-forwarding.c -o /tmp/store-forwarding && /tmp/store-forwarding
 *
 * x86-64 only (inline assembly). */
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#define N 100000000L

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static __attribute__((aligned(64))) uint64_t buf[8];

#define CASE(name, code)                                                            \
    do {                                                                            \
        double t = now();                                                           \
        for (long i = 0; i < N; i++)                                                \
            __asm__ volatile(code : "+r"(x) : "r"(buf) : "xmm0", "xmm1", "memory"); \
        printf("%-36s %5.2f ns\n", name, (now() - t) / N * 1e9);                    \
    } while (0)

int main(void) {
    uint64_t x = 1;
    CASE("8-byte store, 8-byte load", "movq %0,8(%1)\n\tmovq 8(%1),%0");
    CASE("16-byte store, 8-byte load (low)", "movq %0,%%xmm0\n\tmovups %%xmm0,(%1)\n\tmovq (%1),%0");
    CASE("16-byte store, 8-byte load (high)",
         "movq %0,%%xmm0\n\tpunpcklqdq %%xmm0,%%xmm0\n\tmovups %%xmm0,(%1)\n\tmovq 8(%1),%0");
    CASE("16-byte store, 16-byte load",
         "movq %0,%%xmm0\n\tmovups %%xmm0,(%1)\n\tmovups (%1),%%xmm1\n\tmovq %%xmm1,%0");
    CASE("two 8-byte stores, 16-byte load",
         "movq %0,(%1)\n\tmovq %0,8(%1)\n\tmovups (%1),%%xmm0\n\tmovq %%xmm0,%0");
    CASE("1- and 8-byte stores, 16-byte load",
         "movb %b0,(%1)\n\tmovq %0,8(%1)\n\tmovups (%1),%%xmm0\n\tmovq %%xmm0,%0");
    printf("(%lu)\n", (unsigned long)x);
    return 0;
}
