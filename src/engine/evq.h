/* evq.h - the pending-event set: a priority queue ordered by (time, seq).
 *
 * seq is the insertion counter, so events at equal times pop in the order
 * they were pushed: ties never depend on heap layout, which keeps runs
 * deterministic.  Event bodies live in a pool with a free list; a popped
 * event's slot is reused by the next push, so steady state does no malloc.
 * (evq.c explains the heap's layout, and the time buckets that keep a
 * large queue's later events out of the heap.)
 */
#ifndef STRATA_EVQ_H
#define STRATA_EVQ_H

#include <stddef.h>
#include <stdint.h>

typedef void (*st_event_fn)(void *ctx, void *obj, uint64_t arg);

typedef struct st_event {
    double time;
    uint64_t seq;
    st_event_fn fn;
    void *obj;
    uint64_t arg;
} st_event;

typedef struct st_evq st_evq;

st_evq *st_evq_new(size_t capacity_hint);
void st_evq_free(st_evq *q);

/* Returns the pool slot used (exposed for tests of reuse). */
uint32_t st_evq_push(st_evq *q, double time, st_event_fn fn, void *obj,
                     uint64_t arg);
/* The seq the next push would get, taken: an event pushed later with
 * st_evq_push_seq and this seq is ordered as if pushed now. */
uint64_t st_evq_reserve_seq(st_evq *q);
/* st_evq_push with a seq from st_evq_reserve_seq (each used once). */
uint32_t st_evq_push_seq(st_evq *q, double time, uint64_t seq,
                         st_event_fn fn, void *obj, uint64_t arg);
/* Pops the earliest event into *out; returns 0 when the queue is empty. */
int st_evq_pop(st_evq *q, st_event *out);
/* Same, but only if the earliest event's time is <= t_end (else 0). */
int st_evq_pop_until(st_evq *q, double t_end, st_event *out);
/* Earliest pending time, or +inf when empty. */
double st_evq_peek_time(const st_evq *q);
size_t st_evq_size(const st_evq *q);
/* Number of bodies the pool has ever allocated (grows only when more
 * events are pending at once than ever before). */
size_t st_evq_pool_size(const st_evq *q);

/* Memory bounds, for sizing a run before it starts: bytes a queue takes
 * at most per event pending at its peak (its key in the heap or in a
 * bucket, each array's growth slack and a bucket re-layout's second copy
 * included; its body in the pool), and the queue's own fixed size. */
double st_evq_bytes_per_event(void);
double st_evq_bytes_fixed(void);

#endif
