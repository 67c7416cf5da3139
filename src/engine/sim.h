/* sim.h - the simulation clock and event loop.
 *
 * Simulated time is a double in seconds.  Traces, SLOs and rates are all
 * given in (fractions of) seconds and transfer ends are solved in closed
 * form, so a continuous type avoids rounding every computed instant to a
 * grid; a double keeps sub-nanosecond resolution for runs of many days.
 * Time never goes back: scheduling in the past is a programming error and
 * is clamped to now (and counted) rather than reordering history.
 */
#ifndef STRATA_SIM_H
#define STRATA_SIM_H

#include <stdint.h>
#include "engine/evq.h"

typedef struct st_sim st_sim;

st_sim *st_sim_new(void *ctx);
void st_sim_free(st_sim *s);

double st_sim_now(const st_sim *s);
void st_sim_at(st_sim *s, double t, st_event_fn fn, void *obj, uint64_t arg);
/* An insertion sequence number taken now for an event scheduled later:
 * st_sim_at_seq(s, t, seq, ...) then runs it exactly where
 * st_sim_at(s, t, ...) called at the reservation would have (t after the
 * clock then; it may equal the clock when the event is pushed, and still
 * runs before every event pushed for now since the reservation). */
uint64_t st_sim_reserve_seq(st_sim *s);
void st_sim_at_seq(st_sim *s, double t, uint64_t seq, st_event_fn fn,
                   void *obj, uint64_t arg);
void st_sim_after(st_sim *s, double dt, st_event_fn fn, void *obj,
                  uint64_t arg);
/* st_sim_at for an event likely due before everything pending (the end of
 * a short transfer or service): if nothing else is scheduled before the
 * current handler returns and it is then due strictly before every pending
 * event, the loop runs it next without queueing it.  Same order, fewer
 * trips through the queue. */
void st_sim_soon(st_sim *s, double t, st_event_fn fn, void *obj,
                 uint64_t arg);
/* Is nothing else due now (queued or held)?  Then an event scheduled now
 * for now would run next: a handler may as well do its work at once. */
int st_sim_alone_now(const st_sim *s);
/* Runs events with time <= t_end, in order; the clock ends at the last
 * event run (or stays put).  Returns the number of events run. */
uint64_t st_sim_run_until(st_sim *s, double t_end);
/* Asks run_until to return after the current event. */
void st_sim_stop(st_sim *s);
uint64_t st_sim_events(const st_sim *s);
size_t st_sim_pending(const st_sim *s);
/* Times clamped because they were earlier than now (should stay 0). */
uint64_t st_sim_clamped(const st_sim *s);

#endif
