/* test_evq.c - the event queue orders by (time, insertion) and recycles
 * event bodies, at every size (a large queue keeps most keys in time
 * buckets: it is checked against a reference heap); the simulation clock
 * never goes back, and the event loop, which runs some events without
 * queueing them, runs them in the queue's order; cancellable timers run
 * where plain events would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>
#include <gsl/gsl_randist.h>

#include "engine/evq.h"
#include "base/rng.h"
#include "engine/sim.h"
#include "engine/timers.h"

static void noop(void *ctx, void *obj, uint64_t arg)
{
    (void)ctx; (void)obj; (void)arg;
}

static void test_order_and_ties(void **state)
{
    (void)state;
    st_evq *q = st_evq_new(0);
    /* Pushed out of order, with three events tied at t = 2. */
    double times[] = {5, 2, 9, 2, 1, 2, 7};
    for (uint64_t i = 0; i < 7; i++)
        st_evq_push(q, times[i], noop, NULL, i);
    /* Expected: by time, and ties in push order (args 1, 3, 5). */
    uint64_t want[] = {4, 1, 3, 5, 0, 6, 2};
    st_event ev;
    for (int i = 0; i < 7; i++) {
        assert_true(st_evq_pop(q, &ev));
        assert_int_equal(ev.arg, want[i]);
    }
    assert_false(st_evq_pop(q, &ev));
    st_evq_free(q);
}

/* An event pushed with a seq reserved earlier goes before the events
 * pushed since at its time, wherever they wait (here the front slot, a
 * root left empty by a pop, the heap). */
static void test_reserved_seq_orders_as_pushed_then(void **state)
{
    (void)state;
    for (int where = 0; where < 3; where++) {
        st_evq *q = st_evq_new(0);
        st_event ev;
        uint64_t early = st_evq_reserve_seq(q);
        if (where == 1) {   /* a pop leaves the root empty */
            st_evq_push(q, 1, noop, NULL, 9);
            st_evq_push(q, 8, noop, NULL, 9);
            assert_true(st_evq_pop(q, &ev) && ev.arg == 9);
        }
        st_evq_push(q, 5, noop, NULL, 1);
        if (where == 2)
            st_evq_push(q, 3, noop, NULL, 0);
        st_evq_push_seq(q, 5, early, noop, NULL, 2);
        uint64_t want[] = {0, 2, 1};
        for (int i = where == 2 ? 0 : 1; i < 3; i++) {
            assert_true(st_evq_pop(q, &ev));
            assert_int_equal(ev.arg, want[i]);
        }
        st_evq_free(q);
    }
}

static void test_random_order_matches_sort(void **state)
{
    (void)state;
    st_evq *q = st_evq_new(4);
    gsl_rng *r = st_rng_stream(7, "test");
    double last = -1;
    uint64_t last_seq = 0;
    /* Times on a coarse grid so ties are frequent. */
    for (int i = 0; i < 20000; i++)
        st_evq_push(q, (double)gsl_rng_uniform_int(r, 500), noop, NULL, 0);
    st_event ev;
    int n = 0;
    while (st_evq_pop(q, &ev)) {
        assert_true(ev.time > last || (ev.time == last && ev.seq > last_seq));
        last = ev.time;
        last_seq = ev.seq;
        n++;
    }
    assert_int_equal(n, 20000);
    gsl_rng_free(r);
    st_evq_free(q);
}

static void test_pool_reuses_events(void **state)
{
    (void)state;
    st_evq *q = st_evq_new(0);
    st_event ev;
    for (int i = 0; i < 10; i++)
        st_evq_push(q, i, noop, NULL, 0);
    size_t pool = st_evq_pool_size(q);
    assert_int_equal(pool, 10);
    /* The hold model: pop one, push one, a million times. */
    for (int i = 0; i < 1000000; i++) {
        assert_true(st_evq_pop(q, &ev));
        uint32_t slot = st_evq_push(q, ev.time + 1, noop, NULL, 0);
        assert_true(slot < 10);
    }
    assert_int_equal(st_evq_pool_size(q), pool);
    assert_int_equal(st_evq_size(q), 10);
    st_evq_free(q);
}

/* Interleaved pushes, pops and peeks against a plain list scanned for its
 * minimum: pops leave the root open for the next push, so every mix of
 * operations must still give exactly the (time, insertion) order. */
typedef struct ref_event {
    double time;
    uint64_t arg;
} ref_event;

static void test_interleaved_matches_reference(void **state)
{
    (void)state;
    enum { OPS = 100000, MAX = 3000 };
    st_evq *q = st_evq_new(0);
    ref_event *ref = malloc(MAX * sizeof *ref);
    assert_non_null(ref);
    size_t n = 0;
    uint64_t next_arg = 0;
    gsl_rng *r = st_rng_stream(11, "test");
    double now = 0;
    st_event ev;
    for (int i = 0; i < OPS; i++) {
        /* Drift between filling and draining so the size sweeps the range
         * where the heap grows; times on a grid so ties are common. */
        int fill = (i / 20000) % 2 == 0;
        double u = gsl_rng_uniform(r);
        if (n < MAX && (n == 0 || u < (fill ? 0.6 : 0.4))) {
            double t = now + (double)gsl_rng_uniform_int(r, 50);
            st_evq_push(q, t, noop, NULL, next_arg);
            ref[n++] = (ref_event){t, next_arg++};
        } else if (u < 0.95 || n == 0) {
            size_t best = 0;   /* earliest time, first pushed on a tie */
            for (size_t j = 1; j < n; j++)
                if (ref[j].time < ref[best].time ||
                    (ref[j].time == ref[best].time && ref[j].arg < ref[best].arg))
                    best = j;
            assert_true(st_evq_pop(q, &ev));
            assert_true(ev.time == ref[best].time);
            assert_int_equal(ev.arg, ref[best].arg);
            assert_int_equal(ev.seq, ref[best].arg);
            now = ev.time;
            memmove(&ref[best], &ref[best + 1], (n - best - 1) * sizeof *ref);
            n--;
        } else {
            double min = INFINITY;
            for (size_t j = 0; j < n; j++)
                if (ref[j].time < min)
                    min = ref[j].time;
            assert_true(st_evq_peek_time(q) == min);
        }
        assert_int_equal(st_evq_size(q), n);
    }
    while (n > 0) {
        assert_true(st_evq_pop(q, &ev));
        n--;
    }
    assert_false(st_evq_pop(q, &ev));
    assert_true(isinf(st_evq_peek_time(q)));
    gsl_rng_free(r);
    free(ref);
    st_evq_free(q);
}

/* ---------- large queues: the far tier against a reference heap ---------- */

/* A textbook binary heap on (time, seq): the order the queue must give. */
typedef struct ref_heap {
    ref_event *a;
    size_t n, cap;
} ref_heap;

static int ref_before(ref_event x, ref_event y)
{
    return x.time < y.time || (x.time == y.time && x.arg < y.arg);
}

static void ref_push(ref_heap *h, ref_event e)
{
    if (h->n == h->cap) {
        h->cap = h->cap ? 2 * h->cap : 1024;
        h->a = realloc(h->a, h->cap * sizeof *h->a);
        assert_non_null(h->a);
    }
    size_t i = h->n++;
    for (; i > 0 && ref_before(e, h->a[(i - 1) / 2]); i = (i - 1) / 2)
        h->a[i] = h->a[(i - 1) / 2];
    h->a[i] = e;
}

static ref_event ref_pop(ref_heap *h)
{
    ref_event top = h->a[0], e = h->a[--h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && ref_before(h->a[c + 1], h->a[c]))
            c++;
        if (!ref_before(h->a[c], e))
            break;
        h->a[i] = h->a[c];
        i = c;
    }
    h->a[i] = e;
    return top;
}

/* The queue and the reference side by side. */
typedef struct pair {
    st_evq *q;
    ref_heap ref;
    uint64_t next;
    gsl_rng *r;
} pair;

static pair pair_new(uint64_t seed)
{
    return (pair){st_evq_new(0), {0}, 0, st_rng_stream(seed, "test")};
}

static void pair_free(pair *p)
{
    gsl_rng_free(p->r);
    free(p->ref.a);
    st_evq_free(p->q);
}

static void pair_push(pair *p, double t)
{
    st_evq_push(p->q, t, noop, NULL, p->next);
    ref_push(&p->ref, (ref_event){t, p->next++});
}

/* Pops both and checks they agree, the peeked time and size too. */
static double pair_pop(pair *p)
{
    st_event ev;
    assert_true(st_evq_peek_time(p->q) == p->ref.a[0].time);
    ref_event want = ref_pop(&p->ref);
    assert_true(st_evq_pop(p->q, &ev));
    if (!(ev.time == want.time) || ev.arg != want.arg || ev.seq != want.arg)
        fail_msg("popped (%.17g, %llu), expected (%.17g, %llu)", ev.time,
                 (unsigned long long)ev.arg, want.time,
                 (unsigned long long)want.arg);
    assert_int_equal(st_evq_size(p->q), p->ref.n);
    return ev.time;
}

/* A new event's delay after now, by kind: 0 Exp(1); 1 whole seconds 0-3
 * (ties, and due at once); 2 mostly Exp(1), sometimes far off, never
 * (infinity) or a burst of one shared time. */
static double delay(pair *p, int kind)
{
    double u = gsl_rng_uniform(p->r);
    if (kind == 1)
        return (double)gsl_rng_uniform_int(p->r, 4);
    if (kind == 2 && u < 0.01)
        return u < 0.002 ? INFINITY : u < 0.005 ? 1e6 * u : 0.5;
    return gsl_ran_exponential(p->r, 1.0);
}

static void pair_drain(pair *p)
{
    while (p->ref.n > 0 && !isinf(p->ref.a[0].time))
        pair_pop(p);
    while (p->ref.n > 0)   /* the never-due ones, in insertion order */
        pair_pop(p);
    st_event ev;
    assert_false(st_evq_pop(p->q, &ev));
    assert_int_equal(st_evq_size(p->q), 0);
}

/* The hold model at `size` pending (its filling, steady state, and
 * draining), twice on one queue so the far tier starts again. */
static void hold_against_reference(size_t size, int kind, uint64_t seed)
{
    pair p = pair_new(seed);
    for (int round = 0; round < 2; round++) {
        double now = 0;
        for (size_t i = 0; i < size; i++)
            pair_push(&p, now + delay(&p, kind));
        for (size_t i = 0; i < 2 * size + 1000; i++) {
            if (isinf(p.ref.a[0].time))
                break;
            now = pair_pop(&p);
            pair_push(&p, now + delay(&p, kind));
        }
        pair_drain(&p);
    }
    pair_free(&p);
}

static void test_large_queue_matches_reference(void **state)
{
    (void)state;
    /* Below, at and well past the size at which the far tier starts. */
    size_t sizes[] = {100, 5000, 9000, 40000, 150000};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
        for (int kind = 0; kind < 3; kind++)
            hold_against_reference(sizes[i], kind, 100 + 3 * i + (size_t)kind);
}

/* Sizes swinging between a few and a hundred thousand (the far tier
 * engaged, laid out again as it grows and shrinks, stopped), times on a
 * coarse grid, some in the past of the last pop. */
static void test_growing_and_shrinking_matches_reference(void **state)
{
    (void)state;
    pair p = pair_new(21);
    double now = 0;
    for (int phase = 0; phase < 6; phase++) {
        size_t target = phase % 2 ? 10 : (size_t)20000 << phase / 2;
        while (p.ref.n != target) {
            int grow = p.ref.n < target;
            if (p.ref.n == 0 || gsl_rng_uniform(p.r) < (grow ? 0.8 : 0.2)) {
                double u = gsl_rng_uniform(p.r);
                pair_push(&p, now - 1 + floor(100 * u * u) / 8);
            } else {
                now = pair_pop(&p);
            }
        }
    }
    pair_drain(&p);
    pair_free(&p);
}

/* The hold model on whole seconds (ties with the sinking key and among
 * the children, at every level), a third of the pushes with a seq
 * reserved a few pushes earlier (a tie the lower seq must win from
 * below), below and above the heap size at which sifts prefetch. */
static void test_ties_and_reserved_seqs_match_reference(void **state)
{
    (void)state;
    size_t sizes[] = {100, 3000};
    for (size_t s = 0; s < 2; s++) {
        pair p = pair_new(23 + s);
        uint64_t held[4];
        size_t n_held = 0;
        double now = 0;
        for (size_t i = 0; i < sizes[s] + 20 * sizes[s]; i++) {
            if (i >= sizes[s])
                now = pair_pop(&p);
            double t = now + 1 + (double)gsl_rng_uniform_int(p.r, 4);
            if (n_held < 4 && gsl_rng_uniform(p.r) < 0.3) {
                held[n_held++] = st_evq_reserve_seq(p.q);
                p.next++;   /* the reference numbers it alike */
            }
            if (n_held > 0 && gsl_rng_uniform(p.r) < 0.3) {
                uint64_t seq = held[--n_held];
                st_evq_push_seq(p.q, t, seq, noop, NULL, seq);
                ref_push(&p.ref, (ref_event){t, seq});
            } else {
                pair_push(&p, t);
            }
        }
        pair_drain(&p);
        pair_free(&p);
    }
}

/* Fifty thousand events at one time (the times do not spread over
 * buckets): insertion order, and the queue still works after. */
static void test_one_time_many_events(void **state)
{
    (void)state;
    pair p = pair_new(22);
    for (int i = 0; i < 50000; i++)
        pair_push(&p, 7);
    for (int i = 0; i < 25000; i++)
        pair_pop(&p);
    for (int i = 0; i < 50000; i++)
        pair_push(&p, 7 + delay(&p, 0));
    pair_drain(&p);
    pair_free(&p);
}

typedef struct clock_check {
    st_sim *s;
    double last;
    int bad, fired;
} clock_check;

static void tick(void *ctx, void *obj, uint64_t arg)
{
    clock_check *c = ctx;
    (void)obj;
    double now = st_sim_now(c->s);
    if (now < c->last)
        c->bad++;
    c->last = now;
    c->fired++;
    if (arg < 1000) {
        st_sim_after(c->s, (double)(arg % 3), tick, NULL, arg + 1);
        st_sim_at(c->s, now - 1, tick, NULL, 5000);  /* in the past: clamped */
    }
}

static void test_sim_clock_monotone(void **state)
{
    (void)state;
    clock_check c = {0};
    c.s = st_sim_new(&c);
    st_sim_at(c.s, 0, tick, NULL, 0);
    st_sim_run_until(c.s, 1e9);
    assert_int_equal(c.bad, 0);
    assert_int_equal(c.fired, 2001);
    assert_int_equal(st_sim_clamped(c.s), 1000);
    assert_int_equal(st_sim_events(c.s), 2001);
    st_sim_free(c.s);
}

/* A program of events that schedule others, the same whichever loop runs
 * it: event a schedules up to three more, due now, a whole number of
 * seconds later (so ties are common) or in the past (clamped to now),
 * each choice a hash of a.  Each run lists the order the events ran in. */
typedef struct program {
    st_sim *s;          /* the event loop under test, or */
    st_evq *q;          /* the bare queue the reference loop pops */
    double now;
    uint64_t next_arg, ran[20000];
    size_t n_ran;
} program;

/* Two runs' lists of what ran, the same? */
static void assert_same_order(const uint64_t *a, const uint64_t *b, size_t n,
                              const char *a_is, const char *b_is)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            fail_msg("event %zu: %s ran %llu, %s %llu", i, a_is,
                     (unsigned long long)a[i], b_is, (unsigned long long)b[i]);
}

static uint64_t mix(uint64_t x)
{
    x = (x ^ (x >> 31)) * 0x7fb5d329728ea185u;
    x = (x ^ (x >> 27)) * 0x81dadef4bc2dd44du;
    return x ^ (x >> 33);
}

static void step(void *ctx, void *obj, uint64_t arg)
{
    program *p = ctx;
    (void)obj;
    double now = p->s ? st_sim_now(p->s) : p->now;
    p->ran[p->n_ran++] = arg;
    uint64_t h = mix(arg);
    for (int k = 0; k < (int)(h % 4) && p->next_arg < 20000; k++) {
        int kind = (int)((h >> (8 * k + 2)) % 8);
        double t = kind < 3 ? now : kind < 7 ? now + (double)(kind - 2)
                                             : now - 1;
        if (p->s)
            st_sim_at(p->s, t, step, NULL, p->next_arg++);
        else
            st_evq_push(p->q, t < now ? now : t, step, NULL, p->next_arg++);
    }
}

/* Seeds a (the loop) and b (the bare queue) with the same events due at
 * seeds[0..n), runs both, a up to `pause` first and then to the end, and
 * checks that they ran the same events in the same order. */
static void run_both(program *a, program *b, st_event_fn fn,
                     const double *seeds, size_t n, double pause)
{
    *a = (program){0};
    *b = (program){0};
    a->s = st_sim_new(a);
    b->q = st_evq_new(0);
    for (size_t i = 0; i < n; i++) {
        st_sim_at(a->s, seeds[i], fn, NULL, a->next_arg++);
        st_evq_push(b->q, seeds[i], fn, NULL, b->next_arg++);
    }
    uint64_t events = st_sim_run_until(a->s, pause);
    assert_true(events > 0);
    assert_true(st_sim_pending(a->s) > 0);
    events += st_sim_run_until(a->s, 1e9);
    st_event ev;
    while (st_evq_pop(b->q, &ev)) {
        b->now = ev.time;
        ev.fn(b, ev.obj, ev.arg);
    }
    assert_int_equal(events, a->n_ran);
    assert_int_equal(st_sim_events(a->s), a->n_ran);
    assert_int_equal(a->n_ran, b->n_ran);
    for (size_t i = 0; i < a->n_ran; i++)
        if (a->ran[i] != b->ran[i])
            fail_msg("event %zu: the loop ran %llu, the queue %llu", i,
                     (unsigned long long)a->ran[i],
                     (unsigned long long)b->ran[i]);
    assert_int_equal(st_sim_pending(a->s), 0);
    st_evq_free(b->q);
}

/* Events due now skip the heap, yet the loop runs them in exactly the
 * (time, insertion) order of the bare queue. */
static void test_sim_now_events_keep_order(void **state)
{
    (void)state;
    static program a, b;
    const double seeds[] = {0, 0, 2, 3};   /* four seeds, two due at 0 */
    run_both(&a, &b, step, seeds, 4, 1);
    assert_true(a.n_ran > 1000);
    assert_true(st_sim_clamped(a.s) > 0);
    st_sim_free(a.s);
}

/* Like step, with times in continuous time, scheduled by st_sim_at or
 * st_sim_soon: many new events are due before everything pending (one
 * held by st_sim_soon then runs without the queue), some tie with one
 * already pending, some are due now. */
static void step_continuous(void *ctx, void *obj, uint64_t arg)
{
    program *p = ctx;
    (void)obj;
    double now = p->s ? st_sim_now(p->s) : p->now;
    p->ran[p->n_ran++] = arg;
    uint64_t h = mix(arg);
    for (int k = 0; k < (int)(h % 2) + 1 && p->next_arg < 20000; k++) {
        uint64_t g = mix(h + (uint64_t)k);
        int kind = (int)(g % 8);
        double u = (double)(g >> 11) / 9007199254740992.0;   /* [0, 1) */
        double t = kind == 0 ? now
                 : kind == 1 ? floor(now) + 1   /* ties with others */
                 : kind == 2 ? now + u * 1e-3   /* before the rest, mostly */
                 : now + u * kind;
        if (p->s)   /* either way, the same order */
            (g & 256 ? st_sim_soon : st_sim_at)(p->s, t, step_continuous,
                                                NULL, p->next_arg++);
        else
            st_evq_push(p->q, t, step_continuous, NULL, p->next_arg++);
    }
}

/* The order step_continuous's program runs in, by the loop and by the
 * bare queue, is the same. */
static void test_sim_held_events_keep_order(void **state)
{
    (void)state;
    static program a, b;
    const double seeds[] = {0, 0, 0, 0, 1, 1, 1, 1};
    run_both(&a, &b, step_continuous, seeds, 8, 3);
    assert_true(a.n_ran > 5000);
    st_sim_free(a.s);
}

/* An event scheduled last and due before all the rest still waits for a
 * stop, and for the horizon. */
typedef struct held {
    st_sim *s;
    int ran_b, stop;
} held;

static void held_b(void *ctx, void *obj, uint64_t arg)
{
    (void)obj;
    (void)arg;
    ((held *)ctx)->ran_b++;
}

static void held_a(void *ctx, void *obj, uint64_t arg)
{
    held *h = ctx;
    (void)obj;
    st_sim_soon(h->s, st_sim_now(h->s) + arg, held_b, NULL, 0);
    if (h->stop)
        st_sim_stop(h->s);
}

static void test_sim_held_event_waits_for_stop_and_horizon(void **state)
{
    (void)state;
    held h = {.stop = 1};
    h.s = st_sim_new(&h);
    st_sim_at(h.s, 1, held_a, NULL, 1);
    st_sim_at(h.s, 5, noop, NULL, 0);
    assert_int_equal(st_sim_run_until(h.s, 100), 1);   /* stopped */
    assert_int_equal(h.ran_b, 0);
    assert_int_equal(st_sim_pending(h.s), 2);
    h.stop = 0;
    st_sim_soon(h.s, 3, held_a, NULL, 10);   /* b due at 13, after 5 */
    assert_int_equal(st_sim_run_until(h.s, 12), 3);   /* b at 2, a, noop */
    assert_int_equal(h.ran_b, 1);
    assert_true(st_sim_now(h.s) == 5);
    assert_int_equal(st_sim_pending(h.s), 1);   /* b at 13: past 12 */
    assert_int_equal(st_sim_run_until(h.s, 13), 1);
    assert_int_equal(h.ran_b, 2);
    assert_int_equal(st_sim_events(h.s), 5);
    st_sim_free(h.s);
}

/* st_sim_alone_now: true only when nothing queued, in the ring or held
 * is due at the current time. */
typedef struct alone {
    st_sim *s;
    int seen[5];
} alone;

static void alone_probe(void *ctx, void *obj, uint64_t arg)
{
    alone *a = ctx;
    (void)obj;
    double now = st_sim_now(a->s);
    if (arg == 0) {   /* at 1, with another event due at 1 queued */
        a->seen[0] = st_sim_alone_now(a->s);
    } else if (arg == 1) {   /* the last one at 1, then held and ring */
        a->seen[1] = st_sim_alone_now(a->s);
        st_sim_soon(a->s, now + 1, noop, NULL, 0);
        a->seen[2] = st_sim_alone_now(a->s);   /* held, but later */
        st_sim_soon(a->s, now, noop, NULL, 0);  /* held, due now */
        a->seen[3] = !st_sim_alone_now(a->s);
        st_sim_at(a->s, now + 3, noop, NULL, 0);   /* that one to the ring */
        a->seen[4] = !st_sim_alone_now(a->s);
    }
}

static void test_sim_alone_now(void **state)
{
    (void)state;
    alone a = {0};
    a.s = st_sim_new(&a);
    st_sim_at(a.s, 1, alone_probe, NULL, 0);
    st_sim_at(a.s, 1, alone_probe, NULL, 1);
    st_sim_at(a.s, 2.5, noop, NULL, 0);
    assert_int_equal(st_sim_run_until(a.s, 10), 6);
    assert_false(a.seen[0]);
    assert_true(a.seen[1]);
    assert_true(a.seen[2]);
    assert_true(a.seen[3]);
    assert_true(a.seen[4]);
    st_sim_free(a.s);
}

/* A program of events and timers, run once with st_timers and once with
 * every timer a plain event that a cancel only marks (checked when it
 * runs, as a stale timeout once was).  Event a schedules up to two plain
 * events and up to two timers a whole number of seconds ahead (1-4 s:
 * ties with each other and with plain events are common, and a new timer
 * is often earlier than pending ones), and may cancel a pending timer,
 * each choice a hash of a. */
#define TP_MAX 20000
typedef struct timer_program {
    st_sim *s;
    st_timers *t;                  /* NULL: timers are plain events */
    uint64_t next_arg, ran[TP_MAX];
    size_t n_ran;
    uint32_t handle[TP_MAX];
    unsigned char cancelled[TP_MAX];
    uint64_t pending[TP_MAX];      /* timers set and not yet run */
    size_t n_pending, cancels, fired;
    int spread;                    /* more delays than timers has lanes */
} timer_program;

static void tp_step(void *ctx, void *obj, uint64_t arg);

static void tp_unpend(timer_program *p, size_t i)
{
    p->pending[i] = p->pending[--p->n_pending];
}

/* A timer's event (obj non-NULL marks a timer). */
static void tp_timer(void *ctx, void *obj, uint64_t arg)
{
    timer_program *p = ctx;
    if (!p->t && p->cancelled[arg])
        return;
    for (size_t i = 0; i < p->n_pending; i++)
        if (p->pending[i] == arg)
            tp_unpend(p, i);
    p->fired++;
    tp_step(ctx, obj, arg);
}

static void tp_set(timer_program *p, double delay)
{
    uint64_t a = p->next_arg++;
    p->pending[p->n_pending++] = a;
    if (p->t)
        p->handle[a] = st_timers_set(p->t, delay, p, a);
    else
        st_sim_at(p->s, st_sim_now(p->s) + delay, tp_timer, p, a);
}

static void tp_step(void *ctx, void *obj, uint64_t arg)
{
    timer_program *p = ctx;
    (void)obj;
    double now = st_sim_now(p->s);
    p->ran[p->n_ran++] = arg;
    uint64_t h = mix(arg);
    for (int k = 0; k < 4 && p->next_arg < TP_MAX - 1; k++) {
        int kind = (int)((h >> (6 * k)) % 8);
        if (kind < 2)
            st_sim_at(p->s, now + (double)kind, tp_step, NULL, p->next_arg++);
        else if (kind < 6)   /* 1-4 s, or 12 delays in quarters */
            tp_set(p, p->spread ? 0.25 * (double)(1 + (h >> (6 * k + 3)) % 12)
                                : (double)(kind - 1));
    }
    if (p->n_pending && (h >> 40) % 3 == 0) {   /* call one off */
        size_t i = (size_t)((h >> 44) % p->n_pending);
        uint64_t a = p->pending[i];
        tp_unpend(p, i);
        p->cancels++;
        if (p->t)
            st_timers_cancel(p->t, p->handle[a]);
        else
            p->cancelled[a] = 1;
    }
}

static void tp_run(timer_program *p, int timers, int spread)
{
    p->spread = spread;
    p->s = st_sim_new(p);
    p->t = timers ? st_timers_new(p->s, tp_timer) : NULL;
    for (int i = 0; i < 3; i++)
        st_sim_at(p->s, i, tp_step, NULL, p->next_arg++);
    st_sim_run_until(p->s, 1e9);
}

static void test_timers_run_where_events_would(void **state)
{
    (void)state;
    static timer_program a, b;
    for (int spread = 0; spread < 2; spread++) {
        a = (timer_program){0};
        b = (timer_program){0};
        tp_run(&a, 1, spread);
        tp_run(&b, 0, spread);
        assert_true(a.n_ran > 5000 && a.fired > 1000 && a.cancels > 1000);
        assert_int_equal(a.n_ran, b.n_ran);
        assert_int_equal(a.fired, b.fired);
        assert_same_order(a.ran, b.ran, a.n_ran, "with timers",
                          "with plain events");
        assert_int_equal(st_timers_pending(a.t), 0);
        /* the queue held only the earliest timer: fewer events */
        assert_true(st_sim_events(a.s) < st_sim_events(b.s));
        st_timers_free(a.t);
        st_sim_free(a.s);
        st_sim_free(b.s);
    }
}

static void test_run_until_stops_at_horizon(void **state)
{
    (void)state;
    st_sim *s = st_sim_new(NULL);
    for (int i = 1; i <= 10; i++)
        st_sim_at(s, i, noop, NULL, 0);
    assert_int_equal(st_sim_run_until(s, 4.5), 4);
    assert_true(st_sim_now(s) == 4);
    assert_int_equal(st_sim_pending(s), 6);
    st_sim_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_and_ties),
        cmocka_unit_test(test_reserved_seq_orders_as_pushed_then),
        cmocka_unit_test(test_random_order_matches_sort),
        cmocka_unit_test(test_pool_reuses_events),
        cmocka_unit_test(test_interleaved_matches_reference),
        cmocka_unit_test(test_large_queue_matches_reference),
        cmocka_unit_test(test_growing_and_shrinking_matches_reference),
        cmocka_unit_test(test_ties_and_reserved_seqs_match_reference),
        cmocka_unit_test(test_one_time_many_events),
        cmocka_unit_test(test_sim_clock_monotone),
        cmocka_unit_test(test_sim_now_events_keep_order),
        cmocka_unit_test(test_sim_held_events_keep_order),
        cmocka_unit_test(test_sim_held_event_waits_for_stop_and_horizon),
        cmocka_unit_test(test_sim_alone_now),
        cmocka_unit_test(test_run_until_stops_at_horizon),
        cmocka_unit_test(test_timers_run_where_events_would),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
