/* sim.c - the clock and the event loop over an evq (see sim.h).
 *
 * Events due now (a zero-byte transfer, a hand-off to the next stage) do
 * not go through the heap: they wait in a FIFO ring and run after every
 * heap event due now.  That is exactly the (time, insertion) order: an
 * event in the heap due now was pushed before the clock got here, so
 * before anything in the ring, and the ring keeps its own insertion
 * order.  A push and pop of the ring is a few stores and loads where the
 * heap's is a sift each.
 *
 * An event scheduled with st_sim_soon (one likely due before everything
 * pending) is held aside rather than queued: the next schedule queues it
 * first (so insertion order is kept), and if none comes before the handler
 * returns, the loop runs it at once when it is due strictly before
 * everything queued (and by the horizon), which is exactly when the queue
 * would have handed it out next.  An upload due microseconds after the
 * arrival that sent it, a service end before the next arrival, a zero-byte
 * download: each is then a few stores and a call, not a trip through the
 * heap or the ring.  It still counts as an event.
 */
#include "engine/sim.h"
#include "base/xalloc.h"

#include <stdlib.h>

typedef struct now_event {
    st_event_fn fn;
    void *obj;
    uint64_t arg;
} now_event;

struct st_sim {
    st_evq *q;
    void *ctx;
    double now;
    uint64_t events;
    uint64_t clamped;
    int stop;
    now_event *ring;        /* events due now, FIFO; cap a power of two */
    size_t ring_head, ring_n, ring_cap;
    now_event last;         /* if has_last: the latest event scheduled,
                             * by st_sim_soon, not queued yet */
    double last_t;          /* its time */
    int has_last;
};

st_sim *st_sim_new(void *ctx)
{
    st_sim *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->q = st_evq_new(1024);
    if (!s->q) {
        free(s);
        return NULL;
    }
    s->ctx = ctx;
    return s;
}

void st_sim_free(st_sim *s)
{
    if (!s)
        return;
    st_evq_free(s->q);
    free(s->ring);
    free(s);
}

double st_sim_now(const st_sim *s) { return s->now; }

/* Doubles the ring, unwrapping it to the front of the new one. */
static void ring_grow(st_sim *s)
{
    size_t cap = s->ring_cap ? 2 * s->ring_cap : 64;
    now_event *r = st_xmalloc(cap * sizeof *r);   /* out of memory in the engine: nothing sane to do */
    for (size_t i = 0; i < s->ring_n; i++)
        r[i] = s->ring[(s->ring_head + i) & (s->ring_cap - 1)];
    free(s->ring);
    s->ring = r;
    s->ring_head = 0;
    s->ring_cap = cap;
}

static void ring_push(st_sim *s, st_event_fn fn, void *obj, uint64_t arg)
{
    if (s->ring_n == s->ring_cap)
        ring_grow(s);
    s->ring[(s->ring_head + s->ring_n++) & (s->ring_cap - 1)] =
        (now_event){fn, obj, arg};
}

/* The held event joins the queue (the ring if due now). */
__attribute__((noinline))
static void queue_last(st_sim *s)
{
    s->has_last = 0;
    if (s->last_t > s->now)
        st_evq_push(s->q, s->last_t, s->last.fn, s->last.obj, s->last.arg);
    else
        ring_push(s, s->last.fn, s->last.obj, s->last.arg);
}

void st_sim_at(st_sim *s, double t, st_event_fn fn, void *obj, uint64_t arg)
{
    if (s->has_last)   /* scheduled before this one: queued first */
        queue_last(s);
    if (!(t > s->now)) {
        if (!(t == s->now))   /* earlier, or NaN */
            s->clamped++;
        ring_push(s, fn, obj, arg);
        return;
    }
    st_evq_push(s->q, t, fn, obj, arg);
}

void st_sim_soon(st_sim *s, double t, st_event_fn fn, void *obj,
                 uint64_t arg)
{
    if (s->has_last)
        queue_last(s);
    if (!(t > s->now)) {
        if (!(t == s->now))
            s->clamped++;
        t = s->now;
    }
    s->last = (now_event){fn, obj, arg};
    s->last_t = t;
    s->has_last = 1;
}

uint64_t st_sim_reserve_seq(st_sim *s)
{
    if (s->has_last)   /* scheduled before this one: numbered first */
        queue_last(s);
    return st_evq_reserve_seq(s->q);
}

void st_sim_at_seq(st_sim *s, double t, uint64_t seq, st_event_fn fn,
                   void *obj, uint64_t arg)
{
    if (s->has_last)
        queue_last(s);
    if (!(t >= s->now)) {   /* earlier, or NaN */
        s->clamped++;
        t = s->now;
    }
    st_evq_push_seq(s->q, t, seq, fn, obj, arg);
}

void st_sim_after(st_sim *s, double dt, st_event_fn fn, void *obj,
                  uint64_t arg)
{
    st_sim_at(s, s->now + dt, fn, obj, arg);
}

/* The next event due by t_end into *ev (its time is the clock's for one
 * from the ring); 0 if there is none. */
static int next_event(st_sim *s, double t_end, st_event *ev)
{
    if (s->ring_n == 0)
        return st_evq_pop_until(s->q, t_end, ev);
    if (!(s->now <= t_end))
        return 0;
    if (st_evq_peek_time(s->q) <= s->now)   /* pushed before the clock
                                             * got here: runs first */
        return st_evq_pop_until(s->q, t_end, ev);
    now_event *e = &s->ring[s->ring_head];
    ev->time = s->now;
    ev->fn = e->fn;
    ev->obj = e->obj;
    ev->arg = e->arg;
    s->ring_head = (s->ring_head + 1) & (s->ring_cap - 1);
    s->ring_n--;
    return 1;
}

/* Is the held event the next one by (time, insertion)?  It was scheduled
 * after everything queued, so only if it is due strictly before all of
 * that: before every heap key, and (due now or later) with nothing in the
 * ring of events due now. */
static int runs_next(const st_sim *s, double t_end)
{
    return s->ring_n == 0 && s->last_t <= t_end &&
           s->last_t < st_evq_peek_time(s->q);
}

int st_sim_alone_now(const st_sim *s)
{
    return s->ring_n == 0 && (!s->has_last || s->last_t > s->now) &&
           st_evq_peek_time(s->q) > s->now;
}

uint64_t st_sim_run_until(st_sim *s, double t_end)
{
    uint64_t ran = 0;
    st_event ev;
    s->stop = 0;
    if (s->has_last)
        queue_last(s);
    while (!s->stop && next_event(s, t_end, &ev)) {
        s->now = ev.time;
        ev.fn(s->ctx, ev.obj, ev.arg);
        ran++;
        while (s->has_last && !s->stop && runs_next(s, t_end)) {
            s->has_last = 0;
            s->now = s->last_t;
            s->last.fn(s->ctx, s->last.obj, s->last.arg);
            ran++;
        }
        if (s->has_last)
            queue_last(s);
    }
    s->events += ran;
    return ran;
}

void st_sim_stop(st_sim *s) { s->stop = 1; }
uint64_t st_sim_events(const st_sim *s) { return s->events; }
size_t st_sim_pending(const st_sim *s)
{
    return st_evq_size(s->q) + s->ring_n + (size_t)s->has_last;
}
uint64_t st_sim_clamped(const st_sim *s) { return s->clamped; }
