/* timers.c - cancellable timers over the event loop (see timers.h).
 *
 * Timers set the same delay after the clock fall due in the order they
 * were set (the clock never goes back, and rounding now + delay is
 * monotone in now), so each delay gets a lane: a doubly linked list in
 * (time, seq) order, where a new timer is appended and a cancelled one
 * unlinked, both O(1) however many are pending (a client's calls all
 * time out after the same delay).  Up to LANES delays get a lane of
 * their own; timers of further delays share the last lane and are
 * inserted in order from its tail.  The earliest pending timer is the
 * earliest lane head.
 *
 * One engine event is "armed": it is due no later than the earliest
 * timer, in (time, seq) order, and when it runs it fires that timer if
 * it is the timer's own event, and otherwise (its timer was cancelled)
 * arms the earliest.  A timer set earlier than the armed event arms a
 * new one; the old event then finds itself superseded (its generation is
 * not the current one) and does nothing.  Since every event is pushed
 * with the seq its timer took when it was set, the loop runs timers
 * exactly where events pushed at those moments would have run.
 */
#include "engine/timers.h"
#include "base/xalloc.h"

#include <stdlib.h>

#define NONE UINT32_MAX
#define LANES 8

typedef struct slot {
    double time;
    uint64_t seq;
    void *obj;
    uint64_t arg;
    uint32_t prev, next;  /* in its lane; next: the free list while free */
    int lane;
} slot;

typedef struct lane {
    double delay;
    uint32_t head, tail;
} lane;

struct st_timers {
    st_sim *sim;
    st_event_fn fn;
    slot *slots;
    uint32_t n_slots, cap_slots, free_head;
    size_t pending;
    lane lanes[LANES];
    int n_lanes;
    int armed;            /* an armed event is pending, for (at, at_seq) */
    double at;
    uint64_t at_seq, gen; /* gen: the armed event's generation */
};

st_timers *st_timers_new(st_sim *s, st_event_fn fn)
{
    st_timers *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->sim = s;
    t->fn = fn;
    t->free_head = NONE;
    return t;
}

void st_timers_free(st_timers *t)
{
    if (!t)
        return;
    free(t->slots);
    free(t);
}

size_t st_timers_pending(const st_timers *t) { return t->pending; }

static int earlier(double ta, uint64_t sa, double tb, uint64_t sb)
{
    return ta < tb || (ta == tb && sa < sb);
}

static int slot_earlier(const st_timers *t, uint32_t a, uint32_t b)
{
    return earlier(t->slots[a].time, t->slots[a].seq, t->slots[b].time,
                   t->slots[b].seq);
}

/* The earliest pending timer, NONE if there is none. */
static uint32_t earliest(const st_timers *t)
{
    uint32_t best = NONE;
    for (int l = 0; l < t->n_lanes; l++) {
        uint32_t h = t->lanes[l].head;
        if (h != NONE && (best == NONE || slot_earlier(t, h, best)))
            best = h;
    }
    return best;
}

/* The lane for delay: its own, a new one, or the shared last one. */
static int lane_for(st_timers *t, double delay)
{
    for (int l = 0; l < t->n_lanes; l++)
        if (t->lanes[l].delay == delay)
            return l;
    if (t->n_lanes == LANES)
        return LANES - 1;
    t->lanes[t->n_lanes] = (lane){delay, NONE, NONE};
    return t->n_lanes++;
}

/* Links slot s into lane l after every earlier timer (from the tail: at
 * once in a lane of one delay). */
static void link_in(st_timers *t, int l, uint32_t s)
{
    lane *ln = &t->lanes[l];
    uint32_t after = ln->tail;
    while (after != NONE && slot_earlier(t, s, after))
        after = t->slots[after].prev;
    slot *x = &t->slots[s];
    x->lane = l;
    x->prev = after;
    x->next = after == NONE ? ln->head : t->slots[after].next;
    if (after == NONE)
        ln->head = s;
    else
        t->slots[after].next = s;
    if (x->next == NONE)
        ln->tail = s;
    else
        t->slots[x->next].prev = s;
}

/* Unlinks slot s and frees it. */
static void unlink_free(st_timers *t, uint32_t s)
{
    slot *x = &t->slots[s];
    lane *ln = &t->lanes[x->lane];
    if (x->prev == NONE)
        ln->head = x->next;
    else
        t->slots[x->prev].next = x->next;
    if (x->next == NONE)
        ln->tail = x->prev;
    else
        t->slots[x->next].prev = x->prev;
    x->next = t->free_head;
    t->free_head = s;
    t->pending--;
}

static void on_armed(void *ctx, void *obj, uint64_t gen);

/* Arms an event for timer s (the earliest, or earlier than it). */
static void arm(st_timers *t, uint32_t s)
{
    t->armed = 1;
    t->at = t->slots[s].time;
    t->at_seq = t->slots[s].seq;
    st_sim_at_seq(t->sim, t->at, t->at_seq, on_armed, t, ++t->gen);
}

static void on_armed(void *ctx, void *obj, uint64_t gen)
{
    st_timers *t = obj;
    if (gen != t->gen)   /* superseded by an earlier timer's event */
        return;
    t->armed = 0;
    uint32_t s = earliest(t);
    if (s == NONE)
        return;
    if (t->slots[s].seq != t->at_seq) {   /* its timer was cancelled */
        arm(t, s);
        return;
    }
    void *fobj = t->slots[s].obj;
    uint64_t farg = t->slots[s].arg;
    unlink_free(t, s);
    if ((s = earliest(t)) != NONE)
        arm(t, s);
    t->fn(ctx, fobj, farg);
}

uint32_t st_timers_set(st_timers *t, double delay, void *obj, uint64_t arg)
{
    uint32_t s = t->free_head;
    if (s != NONE) {
        t->free_head = t->slots[s].next;
    } else {
        if (t->n_slots == t->cap_slots) {
            t->cap_slots = t->cap_slots ? 2 * t->cap_slots : 64;
            t->slots = st_xreallocarray(t->slots, t->cap_slots, sizeof *t->slots);
        }
        s = t->n_slots++;
    }
    slot *x = &t->slots[s];
    x->time = st_sim_now(t->sim) + delay;
    x->seq = st_sim_reserve_seq(t->sim);
    x->obj = obj;
    x->arg = arg;
    link_in(t, lane_for(t, delay), s);
    t->pending++;
    if (!t->armed || earlier(x->time, x->seq, t->at, t->at_seq))
        arm(t, s);
    return s;
}

void st_timers_cancel(st_timers *t, uint32_t handle)
{
    unlink_free(t, handle);
}
