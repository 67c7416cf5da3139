/* evq.c - binary min-heap of (time, seq) keys over a pool of event bodies.
 *
 * The heap holds small keys (time, seq, slot) so sifting moves 24 bytes,
 * not whole events; bodies stay put in the pool and are recycled through a
 * free list.
 */
#include "strata/evq.h"

#include <math.h>
#include <stdlib.h>

typedef struct key {
    double time;
    uint64_t seq;
    uint32_t slot;
} key;

typedef struct body {
    st_event_fn fn;
    void *obj;
    uint64_t arg;
    uint32_t next_free;
} body;

#define NO_SLOT UINT32_MAX

struct st_evq {
    key *heap;
    size_t n, cap;
    body *pool;
    size_t pool_n, pool_cap;
    uint32_t free_head;
    uint64_t next_seq;
};

static void *grow(void *p, size_t *cap, size_t elem)
{
    size_t nc = *cap ? *cap * 2 : 64;
    void *np = realloc(p, nc * elem);
    if (!np)
        abort();   /* out of memory in the engine: nothing sane to do */
    *cap = nc;
    return np;
}

st_evq *st_evq_new(size_t capacity_hint)
{
    st_evq *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->free_head = NO_SLOT;
    if (capacity_hint) {
        q->cap = q->pool_cap = capacity_hint;
        q->heap = malloc(q->cap * sizeof *q->heap);
        q->pool = malloc(q->pool_cap * sizeof *q->pool);
        if (!q->heap || !q->pool) {
            st_evq_free(q);
            return NULL;
        }
    }
    return q;
}

void st_evq_free(st_evq *q)
{
    if (!q)
        return;
    free(q->heap);
    free(q->pool);
    free(q);
}

static inline int before(const key *a, const key *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static uint32_t alloc_body(st_evq *q)
{
    if (q->free_head != NO_SLOT) {
        uint32_t s = q->free_head;
        q->free_head = q->pool[s].next_free;
        return s;
    }
    if (q->pool_n == q->pool_cap)
        q->pool = grow(q->pool, &q->pool_cap, sizeof *q->pool);
    return (uint32_t)q->pool_n++;
}

uint32_t st_evq_push(st_evq *q, double time, st_event_fn fn, void *obj,
                     uint64_t arg)
{
    uint32_t slot = alloc_body(q);
    q->pool[slot] = (body){fn, obj, arg, NO_SLOT};
    if (q->n == q->cap)
        q->heap = grow(q->heap, &q->cap, sizeof *q->heap);
    key k = {time, q->next_seq++, slot};
    size_t i = q->n++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(&k, &q->heap[parent]))
            break;
        q->heap[i] = q->heap[parent];
        i = parent;
    }
    q->heap[i] = k;
    return slot;
}

static void sift_down(st_evq *q, key k)
{
    size_t i = 0, n = q->n;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && before(&q->heap[c + 1], &q->heap[c]))
            c++;
        if (!before(&q->heap[c], &k))
            break;
        q->heap[i] = q->heap[c];
        i = c;
    }
    q->heap[i] = k;
}

int st_evq_pop(st_evq *q, st_event *out)
{
    if (q->n == 0)
        return 0;
    key top = q->heap[0];
    body *b = &q->pool[top.slot];
    *out = (st_event){top.time, top.seq, b->fn, b->obj, b->arg};
    b->next_free = q->free_head;
    q->free_head = top.slot;
    if (--q->n > 0)
        sift_down(q, q->heap[q->n]);
    return 1;
}

double st_evq_peek_time(const st_evq *q)
{
    return q->n ? q->heap[0].time : INFINITY;
}

size_t st_evq_size(const st_evq *q) { return q->n; }
size_t st_evq_pool_size(const st_evq *q) { return q->pool_n; }
