/* policy.h - the placement-policy interface, in the manner of SQLite's VFS:
 * a struct of function pointers the world calls, knowing nothing of any
 * particular policy.
 *
 * A policy sees the world only through st_view: the static scenario, and
 * what a real system could know now (queue lengths and resident models as
 * nodes report them, its own past outcomes).  The only exception is
 * st_view_oracle_transfer_s, which reveals the future of a trace and is
 * for the oracle alone.
 */
#ifndef STRATA_POLICY_H
#define STRATA_POLICY_H

#include <stdint.h>
#include <gsl/gsl_rng.h>
#include "strata/error.h"
#include "strata/metrics.h"
#include "strata/scenario.h"

typedef struct st_view st_view;
typedef struct st_policy st_policy;

typedef struct st_request {
    uint64_t id;
    int device;          /* device instance, 0..n_devices-1 */
    int device_class;
    int device_node;     /* node index of the device itself */
    int task;
    double arrival_s;
    double slo_s;
    double min_accuracy;
    /* When the policy is asked: the arrival, or, when the device class has
     * a dispatch queue, the moment a worker took the request. */
    double decide_s;
    /* Time left to the deadline then: slo_s - (decide_s - arrival_s). */
    double budget_s;
} st_request;

typedef struct st_decision {
    int drop;            /* 1: refuse the request */
    int model;
    int node;            /* a node index (see st_view_n_nodes) */
    /* The policy's estimate of the latency (completion - arrival, so a
     * policy deciding after a dispatch wait adds the time waited), NAN if
     * none; the world reports its error against the actual latency. */
    double estimate_s;
} st_decision;

typedef struct st_outcome {
    const st_request *req;
    st_decision decision;
    st_outcome_kind kind;
    double latency_s;            /* NAN unless completed */
    double upload_s, download_s; /* transfer times incl. propagation */
    double rtt_s;                /* round trip drawn for the access link */
    double queue_s, load_s, exec_s;
    double bytes_up, bytes_down;
    int cold;
} st_outcome;

typedef struct st_policy_ops {
    const char *name;
    const char *summary;   /* one line for --help listings */
    /* Reads params (rejecting unknown keys with file:line), allocates
     * p->state, may set p->tick_s > 0 to be ticked.  0 or -1. */
    int (*init)(st_policy *p, const st_params *params, const st_view *v,
                st_error *err);
    void (*decide)(st_policy *p, const st_request *req, const st_view *v,
                   st_decision *out);
    void (*observe)(st_policy *p, const st_outcome *o, const st_view *v);
    void (*tick)(st_policy *p, const st_view *v);
    void (*fini)(st_policy *p);
} st_policy_ops;

struct st_policy {
    const st_policy_ops *ops;
    void *state;
    gsl_rng *rng;        /* the "policy" stream */
    double tick_s;       /* 0: no ticks */
};

/* --- registry --- */
const st_policy_ops *st_policy_lookup(const char *name);
size_t st_policy_count(void);
const st_policy_ops *st_policy_at(size_t i);
/* Adds a policy (e.g. from a plugin); -1 if the name is taken. */
int st_policy_register(const st_policy_ops *ops);

/* --- the view (implemented by the world) --- */
const st_scenario *st_view_scenario(const st_view *v);
double st_view_now(const st_view *v);
/* Infrastructure nodes are 0..n_nodes-1; device d is n_nodes + d. */
int st_view_n_nodes(const st_view *v);
int st_view_node_hardware(const st_view *v, int node);
st_tier st_view_node_tier(const st_view *v, int node);
/* Requests waiting or in service at the node, and its executors. */
int st_view_queue_len(const st_view *v, int node);
int st_view_executors(const st_view *v, int node);
int st_view_resident(const st_view *v, int node, int model);
/* The remote node a device's access link reaches. */
int st_view_attach(const st_view *v, int device);
/* ORACLE ONLY: the true time for `bytes` to go up (up=1) or down over the
 * device's access link starting at t0, excluding propagation. */
double st_view_oracle_transfer_s(const st_view *v, int device, int up,
                                 double t0, double bytes);
/* ORACLE ONLY: the mean RTT of the device's access link. */
double st_view_oracle_rtt_s(const st_view *v, int device);
/* A measurement probe, as a real client sends one: up_bytes go up the
 * device's access link starting now (FIFO behind what is queued there),
 * and down_bytes come back as soon as they arrive (the downlink is
 * reserved at this call, so a download requested later queues behind
 * it).  Each leg adds half an RTT draw (from the "probe-rtt" stream, so
 * probing does not reshuffle the RTTs requests draw).  (0, 0) is an empty
 * echo: one RTT plus any wait for the link.  Returns the time the reply
 * arrives.  The probe's duration is a measurement the client only has
 * then: a policy must not use it before st_view_now() reaches that
 * time. */
double st_view_probe(const st_view *v, int device, double up_bytes,
                     double down_bytes);

/* --- allocations and records (the IDN policies) --- */
/* A node's memory budget for resident models, in MB (INFINITY: none). */
double st_view_memory_mb(const st_view *v, int node);
/* Makes model resident (on = 1) or not on an infrastructure node, as a
 * system does at a slot boundary.  A load occupies memory at once and
 * the model can serve after its load time (requests for it wait); it
 * occupies no executor and is counted as a reallocation load (metric
 * realloc_loads), not as a request's cold start.  Evicting a model does
 * not stop requests already running it.  -1 (nothing changes) when the
 * node cannot run the model or it does not fit the free memory. */
int st_view_set_resident(const st_view *v, int node, int model, int on);
/* Records value under name for a slot in the run's timeseries (each
 * (slot, name) once; name a string literal). */
void st_view_emit(const st_view *v, long slot, const char *name, double value);
/* Sets a run metric the policy measured, replacing an earlier value of
 * the same name (name a string literal).  It joins the run's metrics. */
void st_view_metric(const st_view *v, const char *name, double value);

/* --- policy parameters --- */
/* Fails (file:line) when params holds a key not in known (NULL-ended). */
int st_params_check(const st_params *p, const char *policy,
                    const char *const *known, st_error *err);
int st_params_double(const st_params *p, const char *key, double def,
                     double lo, double hi, double *out, st_error *err);
int st_params_int(const st_params *p, const char *key, long def, long lo,
                  long hi, long *out, st_error *err);
/* One of choices (NULL-ended); *out is the index. */
int st_params_choice(const st_params *p, const char *key,
                     const char *const *choices, int def, int *out,
                     st_error *err);

/* --- helpers policies share --- */
/* "The cloud" for a device: the first node of tier cloud on the path up
 * from its attachment point (the attachment point if none is). */
int st_view_cloud(const st_view *v, int device);
/* Profile of model m on the hardware of node; NULL if it cannot run. */
const st_profile *st_view_profile(const st_view *v, int node, int model);

#endif
