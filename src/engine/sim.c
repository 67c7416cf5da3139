/* sim.c - the clock and the event loop over an evq (see sim.h). */
#include "engine/sim.h"

#include <stdlib.h>

struct st_sim {
    st_evq *q;
    void *ctx;
    double now;
    uint64_t events;
    uint64_t clamped;
    int stop;
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
    free(s);
}

double st_sim_now(const st_sim *s) { return s->now; }

void st_sim_at(st_sim *s, double t, st_event_fn fn, void *obj, uint64_t arg)
{
    if (!(t >= s->now)) {   /* also catches NaN */
        s->clamped++;
        t = s->now;
    }
    st_evq_push(s->q, t, fn, obj, arg);
}

void st_sim_after(st_sim *s, double dt, st_event_fn fn, void *obj,
                  uint64_t arg)
{
    st_sim_at(s, s->now + dt, fn, obj, arg);
}

uint64_t st_sim_run_until(st_sim *s, double t_end)
{
    uint64_t ran = 0;
    st_event ev;
    s->stop = 0;
    while (!s->stop && st_evq_pop_until(s->q, t_end, &ev)) {
        s->now = ev.time;
        ev.fn(s->ctx, ev.obj, ev.arg);
        ran++;
    }
    s->events += ran;
    return ran;
}

void st_sim_stop(st_sim *s) { s->stop = 1; }
uint64_t st_sim_events(const st_sim *s) { return s->events; }
size_t st_sim_pending(const st_sim *s) { return st_evq_size(s->q); }
uint64_t st_sim_clamped(const st_sim *s) { return s->clamped; }
