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
#include "trace/tcp.h"

#include <gsl/gsl_randist.h>

#define NO_NODE (-1)

typedef struct request {
    st_request pub;
    st_decision dec;
    struct request *next;     /* node queue, or free list */
    int at;                   /* where the payload is: NO_NODE = device */
    unsigned in_flight : 1, measured : 1, cold : 1, worker : 1;
    /* An attempt its device abandoned at its timeout, still running its
     * course on the node side (not in flight: not a request any more);
     * on_access: its current leg crosses the device's access link; dead:
     * its next event only releases it. */
    unsigned ghost : 1, on_access : 1, dead : 1;
    /* counted in its node's inbound[] for its model until it starts (or
     * is released without starting) */
    unsigned inbound : 1;
    uint64_t token;           /* the attempt's timeout event, 0: none */
    double acc_start, acc_end;  /* the access-link leg's time on the link */
    double t_node, t_start;   /* reached the node; got an executor */
    double up_s, down_s, rtt_s, load_s, exec_s, queue_s, busy_s;
    double t_leg;             /* start of the current upload/download leg */
} request;

typedef struct endpoint endpoint;   /* serverless.c */

/* Requests waiting in arrival order, linked through request.next. */
typedef struct fifo {
    request *head, *tail;
} fifo;

typedef struct node_rt {
    int hw;
    int executors, busy;
    int qlen;                     /* (the ints together: no padding, as
                                   * every device has one of these) */
    double memory_mb, used_mb;
    fifo queue;
    double up_busy, down_busy;    /* uplink to the parent (infra nodes) */
    unsigned char *resident;      /* [n_models] */
    unsigned *pinned;             /* running requests per model */
    unsigned *inbound;            /* decided for the model here, not started */
    unsigned char *evicting;      /* evicted by the policy, waiting for the
                                   * model's pinned and inbound requests */
    double evicting_mb;           /* their memory */
    double *last_use, *ready_at;  /* LRU stamp; end of a pending load */
    endpoint *eps;                /* [n_models] on a serverless node */
} node_rt;

typedef struct device_rt {
    int cls;
    int attach;                  /* the node its access link reaches */
    double offset;               /* trace time = sim time + offset */
    double up_busy, down_busy;   /* access link, per direction */
    union {
        double on_end;           /* onoff: end of the current on period */
        size_t next_time;        /* file: index of the next arrival time */
    };
    const st_trace *up_tr, *down_tr;
    st_trace_cursor up_cur, down_cur;   /* where each last transfer ended */
    st_evq *dq;                  /* dispatch queue, created on first use */
    int workers_busy, dispatching;
    long jobs;                   /* requests so far (SLO phases) */
} device_rt;

typedef struct chunk {
    struct chunk *next;
    request reqs[1024];
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
    node_rt *nodes;
    device_rt *devs;
    unsigned char *blocks;        /* per-model arrays of all nodes */
    chunk *chunks;
    request *free_reqs;
    uint64_t next_id, next_token;
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
} world;

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

/* A policy's eviction of model m (st_view_set_resident) waits until no
 * request decided for it on the node is on its way, queued or running:
 * world_evict_if_idle completes it then; world_evicted clears the
 * pending mark when the model leaves another way. */
void world_evict_if_idle(world *w, int node, int m);
void world_evicted(world *w, node_rt *n, int m);

/* The request lifecycle's entry points that building and running a world
 * (build.c) needs from world.c: the gap to a device's next arrival, the
 * arrival and tick events, and recording what is still in flight at the
 * end as unfinished. */
double world_next_gap(world *w, device_rt *d, double now);
void world_ev_arrival(void *ctx, void *obj, uint64_t dev);
void world_ev_tick(void *ctx, void *obj, uint64_t arg);
void world_finish_unfinished(world *w);

#endif
