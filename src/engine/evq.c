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
 * Bodies stay put in the pool and are recycled through a free list, so
 * steady state does no malloc.
 */
#include "strata/evq.h"

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
#define LEAD (LINE / sizeof(key) - 1)

struct st_evq {
    key *heap;            /* heap[0] is the earliest; inside raw */
    unsigned char *raw;   /* the allocation heap points into */
    size_t n, cap;
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
                q->n * sizeof(key));
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
        abort();   /* out of memory in the engine: nothing sane to do */
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

uint32_t st_evq_push(st_evq *q, double time, st_event_fn fn, void *obj,
                     uint64_t arg)
{
    uint32_t slot = alloc_body(q);
    body *b = &q->pool[slot];
    b->seq = q->next_seq++;
    b->u.fn = fn;
    b->obj = obj;
    b->arg = arg;
    if (q->n == q->cap && heap_reserve(q, next_cap(q->cap)))
        abort();
    sift_up(q, q->n++, (key){time, slot});
    return slot;
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

/* Fills the hole at the root with k.  Floyd's bottom-up method: the hole
 * first sinks to a leaf along the smallest children, then k rises from
 * there.  k was the last leaf, so it rarely rises far, and the descent
 * needs no "has k found its place?" test, a branch no predictor can
 * learn. */
static void sift_down(st_evq *q, key k)
{
    key *h = q->heap;
    size_t i = 0, n = q->n, c;
    while ((c = ARITY * i + 1) + ARITY <= n) {
        /* The grandchildren of i are 16 consecutive keys (four lines):
         * fetching them now overlaps the next level's misses with this
         * level's comparisons. */
        size_t g = ARITY * c + 1;
        if (g < n) {
            const char *p = (const char *)&h[g];
            __builtin_prefetch(p);
            __builtin_prefetch(p + LINE);
            __builtin_prefetch(p + 2 * LINE);
            __builtin_prefetch(p + 3 * LINE);
        }
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

int st_evq_pop(st_evq *q, st_event *out)
{
    if (q->n == 0)
        return 0;
    key top = q->heap[0];
    body *b = &q->pool[top.slot];
    *out = (st_event){top.time, b->seq, b->u.fn, b->obj, b->arg};
    b->u.next_free = q->free_head;
    q->free_head = top.slot;
    if (--q->n > 0) {
        sift_down(q, q->heap[q->n]);
        /* The next pop reads the new earliest event's body, usually after
         * the caller has run this one: start fetching it now. */
        __builtin_prefetch(&q->pool[q->heap[0].slot]);
    }
    return 1;
}

int st_evq_pop_until(st_evq *q, double t_end, st_event *out)
{
    if (q->n == 0 || !(q->heap[0].time <= t_end))
        return 0;
    return st_evq_pop(q, out);
}

double st_evq_peek_time(const st_evq *q)
{
    return q->n ? q->heap[0].time : INFINITY;
}

size_t st_evq_size(const st_evq *q) { return q->n; }
size_t st_evq_pool_size(const st_evq *q) { return q->pool_n; }
