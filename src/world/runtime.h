/* runtime.h - the world's run-time state, shared by the lifecycle
 * (world.c), its measurements (measure.c) and the policy-facing view
 * (view.c).  Private to src/world.
 */
#ifndef STRATA_WORLD_RUNTIME_H
#define STRATA_WORLD_RUNTIME_H

#include "world/world.h"
#include "world/measure.h"
#include "engine/evq.h"
#include "engine/sim.h"
#include "engine/timers.h"
#include "trace/tcp.h"

#include <gsl/gsl_randist.h>
#include <stddef.h>

#define NO_NODE (-1)

/* A request in flight: 256 bytes, four cache lines, laid out by the
 * events that touch them (records start on a line: chunk, below).  An
 * event's object is fetched ahead by the event queue, which brings line 0
 * only, so line 0 holds what every later event reads first: the
 * decision, the flags, where the payload is and the hop token.
 *   line 0: dec, the flags, at, the timeout, next, acc_token;
 *   line 1: pub up to budget_s (the device, its class and node, the
 *           arrival, SLO and accuracy floor: the download, the outcome);
 *   line 2: pub.attempt and the times the outcome reports, with t_node,
 *           written at the node and read at the start and the end;
 *   line 3: the access leg's times, which only an access transfer and a
 *           client timeout touch (req_alloc does not clear them: each is
 *           written before it is read), so a request that stays on its
 *           device never touches the line.
 * Derived, so not kept: the billed time (charge), the start of the
 * upload (pub.decide_s), the start time (only queue_s was read). */
typedef struct request {
    _Alignas(64) st_decision dec;
    unsigned in_flight : 1, measured : 1, cold : 1, worker : 1;
    /* An attempt its device abandoned at its timeout, still running its
     * course on the node side (not in flight: not a request any more);
     * on_access: its current leg crosses the device's access link; dead:
     * its next event only releases it. */
    unsigned ghost : 1, on_access : 1, dead : 1;
    /* counted in its node's inbound[] for its model until it starts (or
     * is released without starting) */
    unsigned inbound : 1;
    unsigned acc_listed : 1;  /* in its access link's FIFO (accq.c) */
    int at;                   /* where the payload is: NO_NODE = device */
    uint32_t timer;           /* the attempt's timeout (handle + 1), 0: none */
    struct request *next;     /* node queue, or free list */
    /* the token the access leg's hop event carries (0: not in a FIFO) */
    uint64_t acc_token;
    st_request pub;
    /* Reached the node, until the start; from the executor's end, the
     * start of the download. */
    union {
        double t_node, t_down;
    };
    double up_s, down_s, rtt_s, load_s, exec_s, queue_s;
    double acc_start, acc_end;  /* the access-link leg's time on the link */
    /* The access leg as accq.c re-times it: when it was offered to the
     * link, its round-trip draw, the leg queued after it (a ring). */
    double acc_ready, acc_rtt;
    struct request *acc_next;
} request;
_Static_assert(offsetof(request, pub) == 64 &&
               offsetof(request, t_node) == 128 + sizeof(double) &&
               offsetof(request, acc_start) == 192 && sizeof(request) == 256,
               "the request's lines (see above)");

typedef struct endpoint endpoint;   /* serverless.c */

/* Requests waiting in arrival order, linked through request.next in a
 * ring: tail->next is the head (one pointer, as every device has one). */
typedef struct fifo {
    request *tail;
} fifo;

/* What every node that runs requests has, an infrastructure node and a
 * device alike: its executors' FIFO queue and the memory its resident
 * models take. */
typedef struct station {
    fifo queue;
    double used_mb;
    int busy, qlen;
} station;

/* An infrastructure node (there are few): the station, its spec, and
 * per-model arrays.  Devices have the slimmer device_rt instead. */
typedef struct node_rt {
    station st;
    int hw, executors;
    double memory_mb;
    double up_busy, down_busy;    /* uplink to the parent */
    uint64_t *resident;           /* bit m: model m is resident */
    unsigned *pinned;             /* running requests per model */
    unsigned *inbound;            /* decided for the model here, not started */
    unsigned char *evicting;      /* evicted by the policy, waiting for the
                                   * model's pinned and inbound requests */
    double evicting_mb;           /* their memory */
    double *last_use, *ready_at;  /* LRU stamp; end of a pending load */
    endpoint *eps;                /* [n_models] on a serverless node */
} node_rt;

/* A device: one record of dev_stride bytes, its hot fields first; its
 * hardware, executors and memory are its class's.  After the record come
 * its per-model state: the resident bit mask (res_words words), one stamp
 * per model and a pin count per model (one byte when no class has more
 * than 255 executors, else two: a device has at most 1024).  A device's stamp is the end of a pending load while
 * that load is on (the loading request pins the model, so no eviction
 * reads it) and the LRU stamp otherwise: its last release. */
typedef struct device_rt {
    station st;                  /* the device as a node */
    double up_busy, down_busy;   /* access link, per direction */
    double offset;               /* trace time = sim time + offset */
    int cls;
    int attach;                  /* the node its access link reaches */
    st_trace_cursor up_cur, down_cur;   /* where each last transfer ended */
} device_rt;

/* What only some devices need, kept apart (NULL unless some class needs
 * it): the arrival process's state, the dispatch queue, the job count. */
typedef struct device_aux {
    union {
        double on_end;           /* onoff: end of the current on period */
        size_t next_time;        /* file: index of the next arrival time */
    };
    st_evq *dq;                  /* dispatch queue, created on first use */
    int workers_busy, dispatching;
    long jobs;                   /* requests so far (SLO phases) */
} device_aux;

/* Requests are allocated 1024 at a time, the records aligned to a cache
 * line (req_alloc) and the links after them. */
typedef struct chunk {
    request reqs[1024];
    struct chunk *next;
    void *block;                  /* what was allocated, for free() */
} chunk;

struct st_view {
    struct world *w;
};

typedef struct world {
    const st_scenario *sc;
    st_sim *sim;
    st_policy pol;
    st_view view;
    const st_run_opts *opts;
    int n_infra, n_all;
    node_rt *nodes;               /* [n_infra] */
    unsigned char *devs;          /* device records, dev_stride bytes each */
    size_t dev_stride, res_words; /* res_words: bit mask words per node */
    size_t off_stamp, off_pins;   /* a device's per-model arrays */
    int wide_pins;                /* a device's pin counts are uint16_t */
    long *cls_first;              /* each class's first device */
    device_aux *aux;              /* [devices] or NULL */
    unsigned char *blocks;        /* per-model arrays of the infra nodes */
    chunk *chunks;
    request *free_reqs;
    uint64_t next_id;
    st_timers *timeouts;          /* the attempts' client timeouts */
    uint64_t next_token;          /* the access legs' hop events (accq.c) */
    gsl_rng *r_arrivals, *r_exec, *r_rtt, *r_slo, *r_probe;
    int ending;                    /* recording what is left in flight */
    double end_arrivals;           /* = duration */
    measure meas;
    /* tasks drawn from a class's popularity (NULL: a single task) */
    gsl_rng *r_tasks;
    gsl_ran_discrete_t **task_tables;
    /* what the policy records */
    st_timeseries *ts;
    st_metrics pol_metrics;
    st_tcp_conn *conns;            /* [2 * devices] when a class uses tcp */
    /* Each access link direction's FIFO of legs, a ring by its tail
     * ([2 * devices], from the first decision with a timeout; accq.c) */
    request **accq;
} world;

/* ---------- nodes, infrastructure or device ---------- */

static inline device_rt *dev_rt(const world *w, long dev)
{
    return (device_rt *)(void *)(w->devs + (size_t)dev * w->dev_stride);
}

/* The device behind node (node >= n_infra). */
static inline device_rt *node_dev(const world *w, int node)
{
    return dev_rt(w, node - w->n_infra);
}

static inline const st_device_class *dev_class(const world *w,
                                               const device_rt *d)
{
    return &w->sc->devices[d->cls];
}

/* What only some devices need (w->aux exists when some class needs it). */
static inline device_aux *dev_aux(const world *w, long dev)
{
    return &w->aux[dev];
}

static inline station *node_station(const world *w, int node)
{
    return node < w->n_infra ? &w->nodes[node].st : &node_dev(w, node)->st;
}

static inline int node_hw(const world *w, int node)
{
    return node < w->n_infra ? w->nodes[node].hw
                             : dev_class(w, node_dev(w, node))->hardware;
}

static inline int node_executors(const world *w, int node)
{
    return node < w->n_infra ? w->nodes[node].executors
                             : dev_class(w, node_dev(w, node))->executors;
}

static inline double node_memory_mb(const world *w, int node)
{
    return node < w->n_infra ? w->nodes[node].memory_mb
                             : dev_class(w, node_dev(w, node))->memory_mb;
}

/* The resident bit mask of node. */
static inline uint64_t *node_resident(const world *w, int node)
{
    if (node < w->n_infra)
        return w->nodes[node].resident;
    return (uint64_t *)(void *)(node_dev(w, node) + 1);
}

static inline int bit_get(const uint64_t *bits, int m)
{
    return (int)(bits[m >> 6] >> (m & 63) & 1);
}

static inline void bit_put(uint64_t *bits, int m, int on)
{
    uint64_t b = (uint64_t)1 << (m & 63);
    bits[m >> 6] = on ? bits[m >> 6] | b : bits[m >> 6] & ~b;
}

/* A device's per-model stamps (see device_rt). */
static inline double *dev_stamps(const world *w, const device_rt *d)
{
    return (double *)(void *)((unsigned char *)(uintptr_t)d + w->off_stamp);
}

static inline void *dev_pins(const world *w, const device_rt *d)
{
    return (unsigned char *)(uintptr_t)d + w->off_pins;
}

/* Node's ends of pending loads (a device's stamps, see device_rt). */
static inline double *node_ready_at(const world *w, int node)
{
    return node < w->n_infra ? w->nodes[node].ready_at
                             : dev_stamps(w, node_dev(w, node));
}

/* A node's state resolved once, for the lifecycle's steps that touch
 * several parts of it (an infrastructure node or a device alike). */
typedef struct node_ref {
    station *st;
    uint64_t *res;
    double *last_use, *ready_at;   /* one array on a device */
    void *pins;                    /* running requests per model */
    int pin_bytes;                 /* 1 or 2 on a device, else unsigned's */
    int hw, executors;
    double memory_mb;
} node_ref;

static inline node_ref node_ref_of(const world *w, int node)
{
    if (node < w->n_infra) {
        node_rt *n = &w->nodes[node];
        return (node_ref){&n->st, n->resident, n->last_use, n->ready_at,
                          n->pinned, (int)sizeof(unsigned), n->hw,
                          n->executors, n->memory_mb};
    }
    device_rt *d = node_dev(w, node);
    const st_device_class *dc = dev_class(w, d);
    double *stamps = dev_stamps(w, d);
    return (node_ref){&d->st, (uint64_t *)(void *)(d + 1), stamps, stamps,
                      dev_pins(w, d), w->wide_pins ? 2 : 1, dc->hardware,
                      dc->executors, dc->memory_mb};
}

/* Requests running model m on the node. */
static inline unsigned ref_pinned(const node_ref *n, int m)
{
    if (n->pin_bytes == 1)
        return ((const uint8_t *)n->pins)[m];
    if (n->pin_bytes == 2)
        return ((const uint16_t *)n->pins)[m];
    return ((const unsigned *)n->pins)[m];
}

static inline void ref_pin(const node_ref *n, int m, int delta)
{
    if (n->pin_bytes == 1)
        ((uint8_t *)n->pins)[m] += (uint8_t)delta;
    else if (n->pin_bytes == 2)
        ((uint16_t *)n->pins)[m] += (uint16_t)delta;
    else
        ((unsigned *)n->pins)[m] += (unsigned)delta;
}

/* The lifecycle's pieces the serverless endpoints use (world.c). */
void fifo_push(fifo *q, request *r);
request *fifo_pop(fifo *q);   /* NULL when empty */
void req_release(world *w, request *r);
/* The event ending r's execution at node arg. */
void world_exec_done(void *ctx, void *obj, uint64_t arg);
/* r, arriving at a node, is refused at once: its device sees the error
 * as a failed attempt, and the request is decided again. */
void world_throttled(world *w, request *r);
/* Does node drop r, an abandoned attempt, before it starts? */
int world_cancels(const world *w, int node, const request *r);

/* Serverless nodes (serverless.c). */
void sl_setup(world *w);
/* The size of one endpoint's record (for the memory bound, bound.c). */
double sl_endpoint_bytes(void);
void sl_free(world *w);
/* r has reached serverless node: start, queue or throttle it. */
void sl_arrive(world *w, int node, request *r);
/* r's execution there ended: the instance idles, the queue moves. */
void sl_done(world *w, int node, request *r);
/* Has the endpoint a warm instance now (busy, or idle within keep-alive)? */
int sl_warm(const world *w, int node, int model);

/* When `bytes` sent from `from` over one direction of device dev's access
 * link would have left (the link reserved up to then is waited for), with
 * round trip rtt; does not occupy the link.  Over TCP it uses and updates
 * connection c (pass a copy to look ahead). */
double access_finish(const world *w, int dev, int up, double from,
                     double bytes, double rtt, st_tcp_conn *c);
/* end[k] = access_finish(w, dev, up, from, bytes[k], rtt, copy of dev's
 * connection) for k < n: several sizes foreseen from one instant, the
 * trace searched for that instant once. */
void access_finish_many(const world *w, int dev, int up, double from,
                        const double *bytes, size_t n, double rtt, double *end);
/* Device dev's connection state in one direction (NULL: all fluid). */
st_tcp_conn *access_conn(const world *w, int dev, int up);
/* Same as access_finish on dev's own connection, and occupies that
 * direction of the link until then. */
double access_send(world *w, int dev, int up, double from, double bytes,
                   double rtt);

/* The access links' FIFOs of legs, kept once a client timeout can cancel
 * one (accq.c).  accq_enable starts keeping them; accq_sent files r's leg
 * just sent from `ready` with round trip rtt if it waits for the link;
 * accq_leg_arg is the arg
 * r's next hop event carries, and a hop event whose arg differs is stale
 * (its leg was re-timed); accq_arrived takes r's leg (and any ahead of
 * it) off the FIFO at its hop; accq_cancel frees the link from r's leg at
 * now and re-times the legs queued behind it, moving their hop events
 * (`hop`, the direction's event). */
void accq_enable(world *w);
void accq_sent(world *w, request *r, int up, double ready, double rtt);
void accq_arrived(world *w, request *r, int up);
void accq_cancel(world *w, request *r, int up, double now, st_event_fn hop);
static inline uint64_t accq_leg_arg(const request *r)
{
    return r->on_access ? r->acc_token : 0;
}

/* A policy's eviction of model m (st_view_set_resident) waits until no
 * request decided for it on the node is on its way, queued or running:
 * world_evict_if_idle completes it then; world_evicted clears the
 * pending mark when the model leaves another way. */
void world_evict_if_idle(world *w, int node, int m);
void world_evicted(world *w, node_rt *n, int m);   /* infra nodes */

/* The request lifecycle's entry points that building and running a world
 * (build.c) needs from world.c: the gap to a device's next arrival, the
 * arrival and tick events, and recording what is still in flight at the
 * end as unfinished. */
double world_next_gap(world *w, long dev, double now);
void world_ev_arrival(void *ctx, void *obj, uint64_t dev);
void world_ev_tick(void *ctx, void *obj, uint64_t arg);
void world_finish_unfinished(world *w);

#endif
