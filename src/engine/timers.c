/* timers.c - cancellable timers over the event loop (see timers.h).
 *
 * The pending timers are a binary min-heap on (time, seq), each entry's
 * place kept in its slot so that a cancel removes it in O(log n).  One
 * engine event is "armed": it is due no later than the heap's root, in
 * (time, seq) order, and when it runs it fires the root if it is the
 * root's own event, and otherwise (its timer was cancelled) arms the
 * root.  A timer set earlier than the armed event arms a new one; the old
 * event then finds itself superseded (its generation is not the current
 * one) and does nothing.  Since every event is pushed with the seq its
 * timer took when it was set, the loop runs timers exactly where events
 * pushed at those moments would have run.
 */
#include "engine/timers.h"
#include "base/xalloc.h"

#include <stdlib.h>

typedef struct entry {
    double time;
    uint64_t seq;
    uint32_t slot;
} entry;

typedef struct slot {
    void *obj;
    uint64_t arg;
    uint32_t pos;         /* in the heap; the next free slot while free */
} slot;

struct st_timers {
    st_sim *sim;
    st_event_fn fn;
    entry *heap;
    size_t n, cap;
    slot *slots;
    uint32_t n_slots, cap_slots, free_head;
    int armed;            /* an armed event is pending, for (at, at_seq) */
    double at;
    uint64_t at_seq, gen; /* gen: the armed event's generation */
};

#define NO_SLOT UINT32_MAX

st_timers *st_timers_new(st_sim *s, st_event_fn fn)
{
    st_timers *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->sim = s;
    t->fn = fn;
    t->free_head = NO_SLOT;
    return t;
}

void st_timers_free(st_timers *t)
{
    if (!t)
        return;
    free(t->heap);
    free(t->slots);
    free(t);
}

size_t st_timers_pending(const st_timers *t) { return t->n; }

static int earlier(entry a, entry b)
{
    return a.time < b.time || (a.time == b.time && a.seq < b.seq);
}

static void place(st_timers *t, size_t i, entry e)
{
    t->heap[i] = e;
    t->slots[e.slot].pos = (uint32_t)i;
}

static void sift_up(st_timers *t, size_t i, entry e)
{
    while (i > 0 && earlier(e, t->heap[(i - 1) / 2])) {
        place(t, i, t->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    place(t, i, e);
}

static void sift_down(st_timers *t, size_t i, entry e)
{
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= t->n)
            break;
        if (c + 1 < t->n && earlier(t->heap[c + 1], t->heap[c]))
            c++;
        if (!earlier(t->heap[c], e))
            break;
        place(t, i, t->heap[c]);
        i = c;
    }
    place(t, i, e);
}

/* Takes entry i out of the heap and frees its slot. */
static void remove_at(st_timers *t, size_t i)
{
    uint32_t s = t->heap[i].slot;
    entry last = t->heap[--t->n];
    if (i < t->n) {
        if (i > 0 && earlier(last, t->heap[(i - 1) / 2]))
            sift_up(t, i, last);
        else
            sift_down(t, i, last);
    }
    t->slots[s].pos = t->free_head;
    t->free_head = s;
}

static void on_armed(void *ctx, void *obj, uint64_t gen);

/* Arms an event for e (the heap's root, or earlier than it). */
static void arm(st_timers *t, entry e)
{
    t->armed = 1;
    t->at = e.time;
    t->at_seq = e.seq;
    st_sim_at_seq(t->sim, e.time, e.seq, on_armed, t, ++t->gen);
}

static void on_armed(void *ctx, void *obj, uint64_t gen)
{
    st_timers *t = obj;
    if (gen != t->gen)   /* superseded by an earlier timer's event */
        return;
    t->armed = 0;
    if (t->n == 0)
        return;
    entry root = t->heap[0];
    if (root.seq != t->at_seq) {   /* its timer was cancelled */
        arm(t, root);
        return;
    }
    slot fired = t->slots[root.slot];
    remove_at(t, 0);
    if (t->n > 0)
        arm(t, t->heap[0]);
    t->fn(ctx, fired.obj, fired.arg);
}

uint32_t st_timers_set(st_timers *t, double time, void *obj, uint64_t arg)
{
    uint32_t s = t->free_head;
    if (s != NO_SLOT) {
        t->free_head = t->slots[s].pos;
    } else {
        if (t->n_slots == t->cap_slots) {
            t->cap_slots = t->cap_slots ? 2 * t->cap_slots : 64;
            t->slots = st_xreallocarray(t->slots, t->cap_slots, sizeof *t->slots);
        }
        s = t->n_slots++;
    }
    t->slots[s] = (slot){obj, arg, 0};
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 64;
        t->heap = st_xreallocarray(t->heap, t->cap, sizeof *t->heap);
    }
    entry e = {time, st_sim_reserve_seq(t->sim), s};
    sift_up(t, t->n++, e);
    if (!t->armed || earlier(e, (entry){t->at, t->at_seq, 0}))
        arm(t, e);
    return s;
}

void st_timers_cancel(st_timers *t, uint32_t handle)
{
    remove_at(t, t->slots[handle].pos);
}
