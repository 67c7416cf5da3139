/* timers.h - cancellable timers over the event loop, for deadlines that
 * are usually called off before they come (a client's timeout on a call
 * that is answered in time).
 *
 * A timer fires fn(ctx, obj, arg) at its time, in exactly the place among
 * the other events that st_sim_at(s, time, fn, obj, arg) called when the
 * timer was set would have given it: it takes its insertion sequence
 * number then.  But the timers wait in lists of their own, and
 * only the earliest of them has an event in the loop's queue at a time;
 * a cancelled timer is simply removed.  So a timer costs the event queue
 * nothing while later ones are pending, and a cancelled one costs it
 * nothing at all unless it was the earliest.
 */
#ifndef STRATA_TIMERS_H
#define STRATA_TIMERS_H

#include <stdint.h>
#include "engine/sim.h"

typedef struct st_timers st_timers;

/* Timers on s that fire fn (with the loop's ctx); NULL if out of memory. */
st_timers *st_timers_new(st_sim *s, st_event_fn fn);
void st_timers_free(st_timers *t);

/* Sets a timer delay (> 0) after the clock, at now + delay, for
 * fn(ctx, obj, arg); returns its handle, valid until it fires or is
 * cancelled.  Setting and cancelling cost O(1) while at most 8 distinct
 * delays are in use (a timer of a further delay is inserted in order
 * among those of the others beyond the 7th). */
uint32_t st_timers_set(st_timers *t, double delay, void *obj, uint64_t arg);
/* Calls off a pending timer. */
void st_timers_cancel(st_timers *t, uint32_t handle);
/* Timers pending. */
size_t st_timers_pending(const st_timers *t);

#endif
