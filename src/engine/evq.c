/* evq.c - the pending-event set: a cache-aligned 4-ary min-heap of small
 * keys over a pool of event bodies.
 *
 * Why this layout: a pop is a sift-down, and a sift-down's cost is one
 * cache miss and one unpredictable "which child is smallest" branch per
 * level.  A 4-ary heap has half the levels of a binary one; a key is
 * 16 bytes (time, pool slot), so the four children of a node fill exactly
 * one 64-byte cache line when the array is aligned as below, and the
 * smallest child is picked with conditional moves rather than branches.
 *
 * The insertion sequence number that breaks ties lives in the body, not
 * the key: equal times are rare in continuous time, so the extra load they
 * cost is paid almost never, while every key comparison benefits from the
 * smaller key.  Order is exactly (time, seq), as before.  A push's sift
 * therefore compares times alone, and hands over to the full order at
 * the level where a time is shared, if one is.
 *
 * A pop leaves the root empty rather than refilling it at once: nearly
 * every event schedules another, and putting that new event straight into
 * the empty root (sinking it only as far as it belongs, often nowhere for
 * an event due soon) does one sift where pop-then-push would do two.  If
 * no push comes first, the next pop refills the root from the last leaf.
 *
 * A new key earlier than every pending one (and no root left empty to
 * put it in) waits in a front slot beside the heap rather than rising
 * through it: an upload due microseconds after the arrival that started
 * it, in a small world, is then pushed and popped without a sift.
 *
 * An event may also be pushed with a seq taken earlier
 * (st_evq_reserve_seq): it is then ordered as if pushed at that moment.
 *
 * Bodies stay put in the pool and are recycled through a free list, so
 * steady state does no malloc.
 *
 * A large queue (a million devices each with its next arrival pending)
 * would make every push and pop sink through ten levels of a 16 MB heap,
 * a cache miss each.  Past ENGAGE keys the queue therefore keeps only its
 * earliest keys in the heap and the later ones in a calendar of time
 * buckets (the "far" tier below, a one-rung ladder queue): a key due at t
 * goes to bucket floor((t - base) / width), an append; when the heap runs
 * empty the next non-empty bucket is poured into it.  The bucket index is
 * a monotone function of t, so every key in the heap is earlier than
 * every key in a bucket and buckets are in time order: the pop order is
 * still exactly (time, seq), whatever the width.  The width is chosen
 * from a sample of the keys so that a bucket holds about BUCKET_KEYS,
 * and laid out again when the calendar's key count doubles or falls to a
 * quarter, or its window of buckets runs out.
 */
#include "engine/evq.h"
#include "base/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct key {
    double time;
    uint32_t slot;
} key;

typedef struct body {
    uint64_t seq;
    union {
        st_event_fn fn;
        uint32_t next_free;   /* while the slot is free */
    } u;
    void *obj;
    uint64_t arg;
} body;

/* A bucket of the far tier: keys in no order. */
typedef struct bucket {
    key *k;
    size_t n, cap;
} bucket;

/* The far tier.  Keys with (t - base) * inv_w < next are in the heap; the
 * others in b[floor of that] if below nb, else in b[nb] (beyond the
 * window).  b[0..next) are empty. */
typedef struct far {
    int on;
    double base, inv_w;
    bucket *b;            /* nb + 1 buckets */
    size_t nb, next;
    size_t count;         /* keys in the buckets */
    size_t laid_out;      /* count when the buckets were last laid out */
} far;

#define NO_SLOT UINT32_MAX
#define ARITY 4
#define LINE 64
/* Keys before heap[0] that make heap[1], the first group of siblings,
 * start a cache line: then every group 4i+1..4i+4 does. */
#define KEYS_PER_LINE (LINE / sizeof(key))
#define LEAD (KEYS_PER_LINE - 1)

struct st_evq {
    key *heap;            /* heap[0] is the earliest; inside raw */
    unsigned char *raw;   /* the allocation heap points into */
    size_t n, cap;        /* keys held, and room for */
    int hole;             /* heap[0] is empty: keys are at heap[1..n] and
                           * the root's subtrees are heaps */
    body *pool;
    size_t pool_n, pool_cap;
    uint32_t free_head;
    uint64_t next_seq;
    key front;            /* if has_front: earlier than every other key */
    int has_front;
    far far;
    size_t engage_at;     /* heap size at which the far tier starts */
};

/* Tuning of the far tier (measured with bench/bench_engine, the hold
 * model, at 3k-1M pending; 64-1024 keys a bucket, windows of 2-8 and
 * engaging at 4k-16k are within noise of these): the heap size that
 * engages it, the keys a bucket is laid out to hold, the window's span
 * (WINDOW * count / BUCKET_KEYS buckets), and how many times are sampled
 * to plan a layout. */
#define ENGAGE 8192
#define BUCKET_KEYS 256
#define WINDOW 4
#define SAMPLE 512

/* Offset (in keys) from raw at which heap[1] is line-aligned. */
static size_t lead_for(const unsigned char *raw)
{
    uintptr_t first = (uintptr_t)raw + sizeof(key);
    size_t mis = (size_t)(first % LINE);
    return (mis ? (LINE - mis) : 0) / sizeof(key);
}

/* Grows the key array to cap keys, keeping heap[1] line-aligned.  realloc
 * keeps large arrays in place or remaps them without copying, so growing
 * costs no transient second copy; if the new block's alignment differs,
 * the keys are shifted inside it. */
static int heap_reserve(st_evq *q, size_t cap)
{
    size_t old_lead = q->raw ? (size_t)(q->heap - (key *)q->raw) : 0;
    unsigned char *raw = realloc(q->raw, (cap + LEAD) * sizeof(key));
    if (!raw)
        return -1;
    size_t lead = lead_for(raw);
    if (q->raw && lead != old_lead)
        memmove(raw + lead * sizeof(key), raw + old_lead * sizeof(key),
                (q->n + (size_t)q->hole) * sizeof(key));
    q->raw = raw;
    q->heap = (key *)raw + lead;
    q->cap = cap;
    return 0;
}

static int pool_reserve(st_evq *q, size_t cap)
{
    body *p = realloc(q->pool, cap * sizeof *p);
    if (!p)
        return -1;
    q->pool = p;
    q->pool_cap = cap;
    return 0;
}

static size_t next_cap(size_t cap)
{
    return cap ? cap * 2 : 64;
}

double st_evq_bytes_per_event(void)
{
    /* The pool and the heap double (2x); a bucket grows by 1.5x from 16
     * keys and there are WINDOW / BUCKET_KEYS buckets a key, and while
     * the calendar is laid out again the old buckets are still there
     * (2x again). */
    double buckets = 2 * (1.5 + 16.0 * WINDOW / BUCKET_KEYS) * sizeof(key) +
                     2.0 * WINDOW / BUCKET_KEYS * sizeof(bucket);
    return 2.0 * sizeof(body) + 2.0 * sizeof(key) + buckets;
}

double st_evq_bytes_fixed(void)
{
    return sizeof(st_evq) + LEAD * sizeof(key) + 64.0 * sizeof(body);
}

st_evq *st_evq_new(size_t capacity_hint)
{
    st_evq *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->free_head = NO_SLOT;
    q->engage_at = ENGAGE;
    /* No hint, no allocation: queues created in bulk cost nothing until
     * used. */
    if (capacity_hint &&
        (heap_reserve(q, capacity_hint) || pool_reserve(q, capacity_hint))) {
        st_evq_free(q);
        return NULL;
    }
    return q;
}

void st_evq_free(st_evq *q)
{
    if (!q)
        return;
    if (q->far.b)
        for (size_t j = 0; j <= q->far.nb; j++)
            free(q->far.b[j].k);
    free(q->far.b);
    free(q->raw);
    free(q->pool);
    free(q);
}

/* (time, seq) order; seq is fetched only on a tie. */
static inline int before(const st_evq *q, key a, key b)
{
    if (a.time != b.time)
        return a.time < b.time;
    return q->pool[a.slot].seq < q->pool[b.slot].seq;
}

static uint32_t alloc_body(st_evq *q)
{
    if (q->free_head != NO_SLOT) {
        uint32_t s = q->free_head;
        q->free_head = q->pool[s].u.next_free;
        return s;
    }
    if (q->pool_n == q->pool_cap && pool_reserve(q, next_cap(q->pool_cap)))
        st_oom("the event pool");   /* nothing sane to do */
    return (uint32_t)q->pool_n++;
}

static void sift_up(st_evq *q, size_t i, key k)
{
    key *h = q->heap;
    while (i > 0) {
        size_t parent = (i - 1) / ARITY;
        if (!before(q, k, h[parent]))
            break;
        h[i] = h[parent];
        i = parent;
    }
    h[i] = k;
}

/* Index of the earliest of the `count` siblings starting at c, by the full
 * (time, seq) order. */
static size_t min_child_slow(const st_evq *q, size_t c, size_t count)
{
    const key *h = q->heap;
    size_t best = c;
    for (size_t j = c + 1; j < c + count; j++)
        if (before(q, h[j], h[best]))
            best = j;
    return best;
}

/* The earliest of a full group of four siblings by time, index m and
 * time t; tie if a time is shared where it could matter (or is NaN), and
 * then m is only one of the earliest.  A tournament in index arithmetic,
 * so it compiles without branches.  The winners' times are selected from
 * the values already loaded rather than loaded again through their
 * indices, which shortens the chain of dependent loads that every level
 * of a sift waits on. */
typedef struct group_min {
    size_t m;
    double t;
    int tie;
} group_min;

static inline group_min min_of_four(const key *h, size_t c)
{
    double t0 = h[c].time, t1 = h[c + 1].time;
    double t2 = h[c + 2].time, t3 = h[c + 3].time;
    size_t a = c + (size_t)(t1 < t0);
    size_t b = c + 2 + (size_t)(t3 < t2);
    double ta = t1 < t0 ? t1 : t0, tb = t3 < t2 ? t3 : t2;
    size_t b_wins = (size_t)0 - (size_t)(tb < ta);   /* all ones or 0 */
    /* islessgreater is false on equal or unordered: one flag test where
     * == would need two (a NaN taking the exact path is harmless). */
    int tie = !__builtin_islessgreater(t0, t1) |
              !__builtin_islessgreater(t2, t3) |
              !__builtin_islessgreater(ta, tb);
    return (group_min){a ^ ((a ^ b) & b_wins), tb < ta ? tb : ta, tie};
}

/* min_child_slow for a full group: times alone, and the exact order only
 * when a time is shared. */
static inline size_t min_child(const st_evq *q, size_t c)
{
    group_min g = min_of_four(q->heap, c);
    if (__builtin_expect(g.tie, 0))
        return min_child_slow(q, c, ARITY);
    return g.m;
}

/* The grandchildren of a node whose children start at c are 16
 * consecutive keys (four lines): fetching them while comparing the
 * children overlaps the next level's cache misses with this level's work
 * in a heap too large for the cache.  (always_inline: GCC deems a call
 * that only prefetches free of effects, and deletes it.) */
__attribute__((always_inline))
static inline void prefetch_grandchildren(const st_evq *q, size_t c)
{
    size_t g = ARITY * c + 1;
    if (g < q->n) {
        const key *p = &q->heap[g];
        __builtin_prefetch(p);
        __builtin_prefetch(p + KEYS_PER_LINE);
        __builtin_prefetch(p + 2 * KEYS_PER_LINE);
        __builtin_prefetch(p + 3 * KEYS_PER_LINE);
    }
}

/* Below this many keys the heap sits in the first-level cache, where
 * prefetching the grandchildren only costs instructions at every level. */
#define PREFETCH_HEAP 2048

/* Sinks k from the empty node i by the full (time, seq) order: the
 * general case, which also takes over from the fast loop below whenever
 * a time is shared. */
static void sink_from(st_evq *q, size_t i, key k)
{
    key *h = q->heap;
    size_t n = q->n;
    for (;;) {
        size_t c = ARITY * i + 1;
        if (c >= n)
            break;
        c = n - c >= ARITY ? min_child(q, c) : min_child_slow(q, c, n - c);
        if (!before(q, h[c], k))
            break;
        h[i] = h[c];
        i = c;
    }
    h[i] = k;
}

/* Out of line and cold: inlined, its registers would crowd the fast
 * loop's. */
__attribute__((noinline, cold))
static void sink_tied(st_evq *q, size_t i, key k)
{
    sink_from(q, i, k);
}

/* The fast sink through full groups of children by times alone (a
 * constant `prefetch`, so each caller gets a loop without the test).
 * Decides exactly as sink_from while no time is shared: a tie among the
 * children or with k, or a NaN, hands over to it where it happens. */
__attribute__((always_inline))
static inline void sink_loop(st_evq *q, key k, int prefetch)
{
    key *h = q->heap;
    size_t i = 0, n = q->n, c;
    double kt = k.time;
    while ((c = ARITY * i + 1) + ARITY <= n) {
        if (prefetch)
            prefetch_grandchildren(q, c);
        group_min g = min_of_four(h, c);
        if (!(g.t < kt)) {   /* k stays here, unless the times are tied */
            if (g.t > kt)
                h[i] = k;
            else
                sink_tied(q, i, k);
            return;
        }
        if (__builtin_expect(g.tie, 0)) {   /* which child moves up */
            sink_tied(q, i, k);
            return;
        }
        h[i] = h[g.m];
        i = g.m;
    }
    if (c < n)   /* a last, partial group of children */
        sink_from(q, i, k);
    else
        h[i] = k;
}

/* Puts k, a new key, in the empty root of a heap of q->n keys, sinking
 * it while a child is earlier.  A new event is often due soon, and then
 * it stops at once. */
static void sink(st_evq *q, key k)
{
    if (q->n >= PREFETCH_HEAP)
        sink_loop(q, k, 1);
    else
        sink_loop(q, k, 0);
    /* The next pop reads the root's body, usually after the caller has
     * finished the event that pushed this one: fetch it meanwhile. */
    __builtin_prefetch(&q->pool[q->heap[0].slot]);
}

/* Refills the empty root from the last leaf (no push came to fill it).
 * Floyd's bottom-up method: the hole first sinks to a leaf along the
 * smallest children, then the leaf's key rises from there.  That key
 * belongs near the bottom, so it rarely rises far, and the descent needs
 * no "has it found its place?" test, a branch no predictor can learn. */
__attribute__((always_inline))
static inline void fill_hole_loop(st_evq *q, int prefetch)
{
    key *h = q->heap, k = h[q->n];
    size_t i = 0, n = q->n, c;
    q->hole = 0;
    while ((c = ARITY * i + 1) + ARITY <= n) {
        if (prefetch)
            prefetch_grandchildren(q, c);
        c = min_child(q, c);
        h[i] = h[c];
        i = c;
    }
    if (c < n) {   /* a last, partial group of children */
        c = min_child_slow(q, c, n - c);
        h[i] = h[c];
        i = c;
    }
    sift_up(q, i, k);
}

static void fill_hole(st_evq *q)
{
    if (q->n >= PREFETCH_HEAP)
        fill_hole_loop(q, 1);
    else
        fill_hole_loop(q, 0);
}

/* Adds k to the heap (into the empty root if a pop left one). */
static void heap_insert(st_evq *q, key k)
{
    if (q->hole) {
        q->hole = 0;
        q->n++;
        sink(q, k);
        return;
    }
    if (q->n == q->cap && heap_reserve(q, next_cap(q->cap)))
        st_oom("the event heap");
    sift_up(q, q->n++, k);
}

/* ---------- the far tier ---------- */

static void bucket_add(bucket *b, key k)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap + b->cap / 2 : 16;   /* 1.5x: less slack */
        b->k = st_xreallocarray(b->k, b->cap, sizeof *b->k);
    }
    b->k[b->n++] = k;
}

/* The bucket a key due at t goes to, NULL for the heap.  Monotone in t,
 * which is all the ordering needs (a NaN goes to the heap). */
static inline bucket *far_bucket(const far *f, double t)
{
    double x = (t - f->base) * f->inv_w;
    if (!(x >= (double)f->next))
        return NULL;
    return x < (double)f->nb ? &f->b[(size_t)x] : &f->b[f->nb];
}

static void far_route(st_evq *q, key k)
{
    bucket *b = q->far.on ? far_bucket(&q->far, k.time) : NULL;
    if (!b) {
        heap_insert(q, k);
        return;
    }
    bucket_add(b, k);
    q->far.count++;
}

/* Routes every key of old[0..n_old) under the current layout, freeing
 * old.  A large bucket (the one beyond the window can hold most of the
 * queue) is taken from its end and given back as it empties, so the old
 * and the new layout are not both held whole. */
static void reroute(st_evq *q, bucket *old, size_t n_old)
{
    for (size_t j = 0; j < n_old; j++) {
        bucket *b = &old[j];
        while (b->n > 0) {
            far_route(q, b->k[--b->n]);
            if (b->cap >= 8192 && b->n <= b->cap / 4) {
                b->cap /= 2;
                b->k = st_xreallocarray(b->k, b->cap, sizeof *b->k);
            }
        }
        free(b->k);
    }
    free(old);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Up to SAMPLE finite times evenly strided over the n keys of
 * old[0..n_old), sorted; returns how many. */
static size_t sample_times(const bucket *old, size_t n_old, size_t n,
                           double *s)
{
    size_t stride = n / SAMPLE + 1, tick = 0, m = 0;
    for (size_t j = 0; j < n_old; j++)
        for (size_t i = 0; i < old[j].n; i++)
            if (++tick == stride) {
                tick = 0;
                if (m < SAMPLE && isfinite(old[j].k[i].time))
                    s[m++] = old[j].k[i].time;
            }
    qsort(s, m, sizeof *s, cmp_double);
    return m;
}

/* Chooses base, width and window for n keys from a sorted sample
 * s[0..m) of their times: buckets as wide as BUCKET_KEYS keys at the
 * density of the earliest sampled ones.  0 if the times do not spread. */
static int far_plan(far *f, const double *s, size_t m, size_t n)
{
    if (m < 2)
        return 0;
    size_t r = m <= 16 ? m - 1 : 16;
    while (r < m - 1 && s[r] == s[0])
        r++;
    double per_s = (double)r * ((double)n / (double)m) / (s[r] - s[0]);
    double inv_w = per_s / BUCKET_KEYS;
    if (!(s[r] > s[0]) || !(inv_w > 0) || !isfinite(inv_w))
        return 0;
    size_t want = WINDOW * (n / BUCKET_KEYS), nb = 8;
    while (nb < want && nb < ((size_t)1 << 22))
        nb *= 2;
    f->base = s[0];
    f->inv_w = inv_w;
    f->nb = nb;
    f->next = 0;
    return 1;
}

/* With the far tier on: the heap is laid out again with the buckets when
 * pushes have made it twice as large as after the last layout or pour,
 * plus a 16th of the queue (the buckets are far fuller than planned; a
 * bucket of one shared time is left alone): amortised, a few moves per
 * push. */
static void set_engage(st_evq *q)
{
    q->engage_at = ENGAGE + 2 * q->n + (q->n + q->far.count) / 16;
}

/* Lays the far tier out afresh for the n keys of old[0..n_old) (freed):
 * keys due before the new base go to the heap, the rest to the buckets.
 * If their times do not spread, all go to the heap and the far tier
 * stays off until the queue has doubled. */
static void far_layout(st_evq *q, bucket *old, size_t n_old, size_t n)
{
    far *f = &q->far;
    double s[SAMPLE];
    size_t m = sample_times(old, n_old, n, s);
    f->on = far_plan(f, s, m, n);
    f->b = f->on ? st_xcalloc(f->nb + 1, sizeof *f->b) : NULL;
    f->count = 0;
    reroute(q, old, n_old);
    f->laid_out = f->count;
    q->engage_at = 2 * n + ENGAGE;
    if (f->on)
        set_engage(q);
}

/* The far tier back into the heap (the queue has shrunk). */
static void far_stop(st_evq *q)
{
    far *f = &q->far;
    bucket *old = f->b;
    f->on = 0;
    f->b = NULL;
    f->count = 0;
    reroute(q, old, f->nb + 1);
    q->engage_at = ENGAGE;
}

/* The heap ran empty: pours the next non-empty bucket into it, laying the
 * calendar out again when its window is used up or it has shrunk to a
 * quarter. */
static void far_refill(st_evq *q)
{
    far *f = &q->far;
    while (q->n == 0 && f->on && f->count) {
        while (f->next < f->nb && f->b[f->next].n == 0)
            f->next++;
        if (f->count < ENGAGE / 2) {
            far_stop(q);
        } else if (f->next == f->nb || 4 * f->count < f->laid_out) {
            far_layout(q, f->b, f->nb + 1, f->count);
        } else {
            bucket *b = &f->b[f->next++];
            f->count -= b->n;
            for (size_t i = 0; i < b->n; i++) {
                /* Each will be popped soon, its body read: fetching them
                 * all now overlaps their cache misses. */
                __builtin_prefetch(&q->pool[b->k[i].slot]);
                heap_insert(q, b->k[i]);
            }
            free(b->k);   /* behind the window's start: never used again */
            *b = (bucket){0};
            set_engage(q);
        }
    }
}

/* The heap has reached engage_at: its keys and the buckets' are laid out
 * together afresh. */
static void far_engage(st_evq *q)
{
    far *f = &q->far;   /* (heap_insert has just filled any hole) */
    size_t n_old = f->on ? f->nb + 1 : 0, n = q->n + f->count;
    bucket *old = st_xreallocarray(f->b, n_old + 1, sizeof *old);
    old[n_old] = (bucket){st_xreallocarray(NULL, q->n, sizeof(key)), q->n,
                          q->n};
    memcpy(old[n_old].k, q->heap, q->n * sizeof(key));
    q->n = 0;
    f->b = NULL;
    far_layout(q, old, n_old + 1, n);
    far_refill(q);
}

/* ---------- the interface ---------- */

/* Adds k to the buckets or the heap, as the far tier says. */
static void insert(st_evq *q, key k)
{
    /* (An empty heap means empty buckets: the key is the earliest.) */
    bucket *far_b = q->far.on && q->n ? far_bucket(&q->far, k.time) : NULL;
    if (far_b) {
        bucket_add(far_b, k);
        if (++q->far.count > 2 * q->far.laid_out + ENGAGE)
            far_layout(q, q->far.b, q->far.nb + 1, q->far.count);
        return;
    }
    heap_insert(q, k);
    if (q->n >= q->engage_at)
        far_engage(q);
}

uint64_t st_evq_reserve_seq(st_evq *q)
{
    return q->next_seq++;
}

/* A push with its seq (the next one, or one reserved earlier: then the
 * front slot's test needs the full order). */
static inline uint32_t push(st_evq *q, double time, uint64_t seq,
                            st_event_fn fn, void *obj, uint64_t arg)
{
    uint32_t slot = alloc_body(q);
    body *b = &q->pool[slot];
    b->seq = seq;
    b->u.fn = fn;
    b->obj = obj;
    b->arg = arg;
    key k = {time, slot};
    if (q->has_front) {
        if (before(q, k, q->front)) {   /* the new earliest: the old one
                                         * joins the rest */
            key old = q->front;
            q->front = k;
            k = old;
        }
    } else if (!q->hole && (q->n == 0 || time < q->heap[0].time)) {
        q->front = k;   /* earlier than all: no sift, now or at its pop */
        q->has_front = 1;
        return slot;
    }
    insert(q, k);
    return slot;
}

uint32_t st_evq_push(st_evq *q, double time, st_event_fn fn, void *obj,
                     uint64_t arg)
{
    return push(q, time, q->next_seq++, fn, obj, arg);
}

uint32_t st_evq_push_seq(st_evq *q, double time, uint64_t seq,
                         st_event_fn fn, void *obj, uint64_t arg)
{
    return push(q, time, seq, fn, obj, arg);
}

/* The earliest of the root's children (1..ARITY, as many as there are)
 * while the root is empty, and its time in *time: the next key a pop
 * takes, unless an earlier one is pushed first. */
static inline size_t earliest_child(const st_evq *q, double *time)
{
    size_t last = q->n < ARITY ? q->n : ARITY, c = 1;
    double t = q->heap[1].time;
    for (size_t j = 2; j <= last; j++)
        if (q->heap[j].time < t) {
            t = q->heap[j].time;
            c = j;
        }
    *time = t;
    return c;
}

/* The next event's object (a request record, a device) is fetched while
 * the caller runs the event just popped, rather than missed when its
 * handler starts.  In a world of a million phones, whose requests in
 * flight are far more than any cache holds, that took a quarter off the
 * CPU time of a cloud run (bench/README.md); in a small one the objects
 * are in cache anyway and the search for the earliest child is all it
 * would add, so it is done only once the queue has held PREFETCH_AT
 * events at a time. */
#define PREFETCH_AT 4096

__attribute__((always_inline))
static inline void prefetch_next_obj(const st_evq *q)
{
    double t;
    __builtin_prefetch(q->pool[q->heap[earliest_child(q, &t)].slot].obj);
}

/* Hands the event of key top to *out and frees its body. */
static void take(st_evq *q, key top, st_event *out)
{
    body *b = &q->pool[top.slot];
    *out = (st_event){top.time, b->seq, b->u.fn, b->obj, b->arg};
    b->u.next_free = q->free_head;
    q->free_head = top.slot;
}

int st_evq_pop(st_evq *q, st_event *out)
{
    if (q->has_front) {
        q->has_front = 0;
        take(q, q->front, out);
        return 1;
    }
    if (q->hole)
        fill_hole(q);
    if (q->n == 0)
        return 0;
    take(q, q->heap[0], out);
    q->n--;
    q->hole = q->n > 0;
    if (q->hole && q->pool_n >= PREFETCH_AT)
        prefetch_next_obj(q);
    if (q->n == 0 && q->far.count)
        far_refill(q);
    return 1;
}

int st_evq_pop_until(st_evq *q, double t_end, st_event *out)
{
    if (q->has_front)
        return q->front.time <= t_end ? st_evq_pop(q, out) : 0;
    if (q->hole)
        fill_hole(q);
    if (q->n == 0 || !(q->heap[0].time <= t_end))
        return 0;
    return st_evq_pop(q, out);
}

double st_evq_peek_time(const st_evq *q)
{
    if (q->has_front)
        return q->front.time;
    double t;
    if (q->hole) {
        earliest_child(q, &t);
        return t;
    }
    return q->n ? q->heap[0].time : INFINITY;
}

size_t st_evq_size(const st_evq *q)
{
    return q->n + q->far.count + (size_t)q->has_front;
}
size_t st_evq_pool_size(const st_evq *q) { return q->pool_n; }
