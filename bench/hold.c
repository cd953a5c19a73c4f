/* hold.c: the classic hold-model benchmark of the pending-event set.
 *
 * For N pending events (N = 1e2 .. 1e6): prefill N entries at exp(1) times, then time M
 * holds, each "read the top, replace it by top + exp(1)" with one exponential draw from
 * sim/rng.h included in the figure. Warm-up holds run first (max(1e6, 2 N)); the figure
 * is the best of ten timed runs of M = max(1e6, 2 N) holds each (1e7 to 2e7 holds in
 * all). Many shortish runs rather than three long ones: on a shared two-core machine a
 * run the scheduler interrupts is simply not the best one, so the figure stays stable.
 * A plain binary heap (kept here only, for comparison) runs the same model with the same
 * draws. Whole program: about 20 s on an idle machine.
 *
 * Output, one line per figure:
 *   bench hold pending=N ns_per_op=X
 *   bench hold_binary pending=N ns_per_op=X
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sim/pes.h"
#include "sim/rng.h"

#define HOLD_RUNS 10              /* timed runs per figure; the best is reported */
#define HOLD_MIN_OPS 1000000      /* at least this many holds per timed run (and warm-up) */

static volatile double hold_sink; /* keeps the results alive */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- a plain binary heap (1-based, hole-based sifting), for comparison only ---- */

typedef struct bheap {
    pes_entry *a;                 /* a[1 .. n] */
    size_t n;                     /* entries */
} bheap;

static inline int bheap_less(const pes_entry *x, const pes_entry *y)
{
    return x->time < y->time || (x->time == y->time && x->key < y->key);
}

static void bheap_push(bheap *b, pes_entry x)
{
    size_t i = ++b->n;
    while (i > 1 && bheap_less(&x, &b->a[i / 2])) {
        b->a[i] = b->a[i / 2];
        i /= 2;
    }
    b->a[i] = x;
}

static void bheap_replace_top(bheap *b, pes_entry x)
{
    pes_entry *a = b->a;
    size_t n = b->n, i = 1, c;
    while ((c = 2 * i) <= n) {
        if (c < n && bheap_less(&a[c + 1], &a[c])) c++;
        if (!bheap_less(&a[c], &x)) break;
        a[i] = a[c];
        i = c;
    }
    a[i] = x;
}

/* ---- the two runs ---- */

static double run_pes(size_t n, size_t ops, size_t warm)
{
    pes q;
    rng r;
    if (pes_init(&q, n) != 0) {
        fprintf(stderr, "hold: out of memory\n");
        exit(1);
    }
    rng_seed(&r, 1, 0, "bench/hold");
    uint64_t seq = 0;
    for (size_t i = 0; i < n; i++) {
        if (pes_push(&q, rng_exp(&r, 1.0), pes_key(seq++, (uint32_t)i)) != 0) {
            fprintf(stderr, "hold: out of memory\n");
            exit(1);
        }
    }
    for (size_t k = 0; k < warm; k++) {
        const pes_entry *t = pes_top(&q);
        pes_replace_top(&q, t->time + rng_exp(&r, 1.0), pes_key(seq++, pes_key_slot(t->key)));
    }
    double best = 1e300;
    for (int run = 0; run < HOLD_RUNS; run++) {
        double t0 = now_seconds();
        for (size_t k = 0; k < ops; k++) {
            const pes_entry *t = pes_top(&q);
            pes_replace_top(&q, t->time + rng_exp(&r, 1.0),
                            pes_key(seq++, pes_key_slot(t->key)));
        }
        double ns = (now_seconds() - t0) * 1e9 / (double)ops;
        if (ns < best) best = ns;
    }
    hold_sink = pes_top(&q)->time;
    pes_fini(&q);
    return best;
}

static double run_binary(size_t n, size_t ops, size_t warm)
{
    bheap b = { malloc((n + 1) * sizeof(pes_entry)), 0 };
    rng r;
    if (!b.a) {
        fprintf(stderr, "hold: out of memory\n");
        exit(1);
    }
    rng_seed(&r, 1, 0, "bench/hold");
    uint64_t seq = 0;
    for (size_t i = 0; i < n; i++) {
        pes_entry x = { rng_exp(&r, 1.0), pes_key(seq++, (uint32_t)i) };
        bheap_push(&b, x);
    }
    for (size_t k = 0; k < warm; k++) {
        pes_entry t = b.a[1];
        pes_entry x = { t.time + rng_exp(&r, 1.0), pes_key(seq++, pes_key_slot(t.key)) };
        bheap_replace_top(&b, x);
    }
    double best = 1e300;
    for (int run = 0; run < HOLD_RUNS; run++) {
        double t0 = now_seconds();
        for (size_t k = 0; k < ops; k++) {
            pes_entry t = b.a[1];
            pes_entry x = { t.time + rng_exp(&r, 1.0), pes_key(seq++, pes_key_slot(t.key)) };
            bheap_replace_top(&b, x);
        }
        double ns = (now_seconds() - t0) * 1e9 / (double)ops;
        if (ns < best) best = ns;
    }
    hold_sink = b.a[1].time;
    free(b.a);
    return best;
}

typedef double (*hold_run)(size_t n, size_t ops, size_t warm);

int main(void)
{
    static const struct {
        const char *name;         /* figure name in the output */
        hold_run run;             /* the implementation */
    } impls[] = { { "hold", run_pes }, { "hold_binary", run_binary } };
    static const size_t sizes[] = { 100, 1000, 10000, 100000, 1000000 };
    for (size_t i = 0; i < sizeof impls / sizeof impls[0]; i++) {
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            size_t n = sizes[s];
            size_t ops = 2 * n > HOLD_MIN_OPS ? 2 * n : HOLD_MIN_OPS;
            printf("bench %s pending=%zu ns_per_op=%.1f\n", impls[i].name, n,
                   impls[i].run(n, ops, ops));
            fflush(stdout);
        }
    }
    return 0;
}
