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
 * smaller key.  Order is exactly (time, seq), as before.
 *
 * A pop leaves the root empty rather than refilling it at once: nearly
 * every event schedules another, and putting that new event straight into
 * the empty root (sinking it only as far as it belongs, often nowhere for
 * an event due soon) does one sift where pop-then-push would do two.  If
 * no push comes first, the next pop refills the root from the last leaf.
 *
 * Bodies stay put in the pool and are recycled through a free list, so
 * steady state does no malloc.
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
};

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

st_evq *st_evq_new(size_t capacity_hint)
{
    st_evq *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->free_head = NO_SLOT;
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

/* Same for a full group of four: a tournament on times alone, in index
 * arithmetic so it compiles without branches, and the exact order only
 * when a time is shared (then the full comparison decides). */
static inline size_t min_child(const st_evq *q, size_t c)
{
    const key *h = q->heap;
    double t0 = h[c].time, t1 = h[c + 1].time;
    double t2 = h[c + 2].time, t3 = h[c + 3].time;
    size_t a = c + (size_t)(t1 < t0);
    size_t b = c + 2 + (size_t)(t3 < t2);
    double ta = h[a].time, tb = h[b].time;
    size_t b_wins = (size_t)0 - (size_t)(tb < ta);   /* all ones or 0 */
    size_t m = a ^ ((a ^ b) & b_wins);
    int tie = (t0 == t1) | (t2 == t3) | (ta == tb);
    if (__builtin_expect(tie, 0))
        return min_child_slow(q, c, ARITY);
    return m;
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

/* Puts k, a new key, in the empty root of a heap of q->n keys, sinking
 * it while a child is earlier.  A new event is often due soon, and then
 * it stops at once. */
static void sink(st_evq *q, key k)
{
    key *h = q->heap;
    size_t i = 0, n = q->n;
    for (;;) {
        size_t c = ARITY * i + 1;
        if (c >= n)
            break;
        prefetch_grandchildren(q, c);
        c = n - c >= ARITY ? min_child(q, c) : min_child_slow(q, c, n - c);
        if (!before(q, h[c], k))
            break;
        h[i] = h[c];
        i = c;
    }
    h[i] = k;
    /* The next pop reads the root's body, usually after the caller has
     * finished the event that pushed this one: fetch it meanwhile. */
    __builtin_prefetch(&q->pool[h[0].slot]);
}

/* Refills the empty root from the last leaf (no push came to fill it).
 * Floyd's bottom-up method: the hole first sinks to a leaf along the
 * smallest children, then the leaf's key rises from there.  That key
 * belongs near the bottom, so it rarely rises far, and the descent needs
 * no "has it found its place?" test, a branch no predictor can learn. */
static void fill_hole(st_evq *q)
{
    key *h = q->heap, k = h[q->n];
    size_t i = 0, n = q->n, c;
    q->hole = 0;
    while ((c = ARITY * i + 1) + ARITY <= n) {
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

uint32_t st_evq_push(st_evq *q, double time, st_event_fn fn, void *obj,
                     uint64_t arg)
{
    uint32_t slot = alloc_body(q);
    body *b = &q->pool[slot];
    b->seq = q->next_seq++;
    b->u.fn = fn;
    b->obj = obj;
    b->arg = arg;
    key k = {time, slot};
    if (q->hole) {
        q->hole = 0;
        q->n++;
        sink(q, k);
        return slot;
    }
    if (q->n == q->cap && heap_reserve(q, next_cap(q->cap)))
        st_oom("the event heap");
    sift_up(q, q->n++, k);
    return slot;
}

int st_evq_pop(st_evq *q, st_event *out)
{
    if (q->hole)
        fill_hole(q);
    if (q->n == 0)
        return 0;
    key top = q->heap[0];
    body *b = &q->pool[top.slot];
    *out = (st_event){top.time, b->seq, b->u.fn, b->obj, b->arg};
    b->u.next_free = q->free_head;
    q->free_head = top.slot;
    q->n--;
    q->hole = q->n > 0;
    return 1;
}

int st_evq_pop_until(st_evq *q, double t_end, st_event *out)
{
    if (q->hole)
        fill_hole(q);
    if (q->n == 0 || !(q->heap[0].time <= t_end))
        return 0;
    return st_evq_pop(q, out);
}

double st_evq_peek_time(const st_evq *q)
{
    if (q->hole) {   /* the earliest is one of the root's children */
        size_t last = q->n < ARITY ? q->n : ARITY;
        double t = q->heap[1].time;
        for (size_t j = 2; j <= last; j++)
            if (q->heap[j].time < t)
                t = q->heap[j].time;
        return t;
    }
    return q->n ? q->heap[0].time : INFINITY;
}

size_t st_evq_size(const st_evq *q) { return q->n; }
size_t st_evq_pool_size(const st_evq *q) { return q->pool_n; }
