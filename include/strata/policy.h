/* policy.h - the placement-policy interface, in the manner of SQLite's VFS:
 * a struct of function pointers (st_policy_ops) the world calls, knowing
 * nothing of any particular policy, and the values passed through it: a
 * request, the policy's decision about it, and the request's outcome.
 *
 * A policy sees the world only through st_view (view.h) and reads its
 * parameters through its declared table (params.h).  Built-in policies
 * live in src/policy/, one file each, and are listed in the registry; a
 * policy outside the tree is a shared object that exports the entry point
 * declared at the end of this file, loaded with `strata run --plugin FILE`.
 *
 * The life of one policy in one run:
 *   init    once, before the first request (parameters already validated);
 *   decide  for every request, when it arrives (or when a device's
 *           dispatch queue hands it to a worker);
 *   observe for every request that ends (met, missed, dropped), in order;
 *   tick    every tick_s seconds if init set tick_s > 0;
 *   fini    once at the end, also after a failed init.
 * All calls come from one thread; the same scenario and seed give the same
 * sequence of calls, so a policy that draws randomness only from its rng
 * is deterministic.
 */
#ifndef STRATA_POLICY_H
#define STRATA_POLICY_H

#include <stdint.h>
#include <gsl/gsl_rng.h>
#include "strata/error.h"
#include "strata/metrics.h"
#include "strata/params.h"
#include "strata/scenario.h"
#include "strata/view.h"

typedef struct st_policy st_policy;

/* One inference request, as the policy is asked about it. */
typedef struct st_request {
    uint64_t id;         /* unique within the run, in arrival order */
    int device;          /* device instance, 0..n_devices-1 */
    int device_class;    /* index into st_scenario.devices */
    int device_node;     /* node index of the device itself */
    int task;            /* index into st_scenario.tasks */
    double arrival_s;    /* when it arrived */
    double slo_s;        /* its latency target, from arrival */
    double min_accuracy; /* the accuracy floor (0: none) */
    /* When the policy is asked: the arrival, or, when the device class has
     * a dispatch queue, the moment a worker took the request. */
    double decide_s;
    /* Time left to the deadline then: slo_s - (decide_s - arrival_s). */
    double budget_s;
    /* 1 for the first decision; n when the policy decides again after
     * n - 1 attempts were abandoned at their timeout. */
    int attempt;
} st_request;

/* What the policy decided: refuse, or run a model on a node. */
typedef struct st_decision {
    int drop;            /* 1: refuse the request */
    int model;           /* index into st_scenario.models, of the task */
    int node;            /* a node index (see view.h); the device's own
                            node (st_request.device_node) runs it locally */
    /* The policy's estimate of the latency (completion - arrival, so a
     * policy deciding after a dispatch wait adds the time waited), NAN if
     * none; the world reports its error against the actual latency. */
    double estimate_s;
    /* Client-side timeout of an offloaded attempt, in seconds from the
     * decision (0: none; ignored when the request runs on its device).
     * At expiry the device abandons the attempt: the rest of its upload
     * or download over the access link is cancelled (the link is free
     * from then, and the transfers queued behind it move up, in order:
     * docs/links.md), the device stops waiting, the policy observes the abandoned attempt
     * (st_outcome.abandoned) and is asked again with the remaining budget
     * (st_request.attempt + 1).  What the node does with work already
     * sent is the node's `on_abandon` (scenario.h).  A request is dropped
     * after 100 attempts. */
    double timeout_s;
} st_decision;

/* How a request ended, passed to observe. */
typedef struct st_outcome {
    const st_request *req;
    st_decision decision;
    st_outcome_kind kind;        /* met, missed, dropped */
    double latency_s;            /* NAN unless completed */
    double upload_s, download_s; /* transfer times incl. propagation */
    double rtt_s;                /* round trip drawn for the access link */
    double queue_s, load_s, exec_s;  /* waiting, cold start, execution */
    double bytes_up, bytes_down;
    int cold;                    /* 1 if the model had to be loaded */
    /* 1: not the request's outcome but one attempt the device abandoned
     * at its timeout (kind ST_OUT_UNFINISHED, latency NAN, the legs done
     * so far filled in); the policy is then asked again.  The final
     * outcome of a request comes once, with req->attempt attempts made,
     * the last being the one that completed when it completed. */
    int abandoned;
} st_outcome;

/* The memory a policy's state takes at most in one run, in bytes, by what
 * it grows with; the run's bound is
 *     fixed + per_device x devices + per_node x nodes
 *     + per_model_slot x (devices + nodes) x models + per_request x requests
 * (nodes: the infrastructure nodes; requests: what the workload makes over
 * the run).  Each part is an upper bound, never an average: strata adds it
 * to the world's own state and refuses, before anything runs or is
 * stored, a study whose bound is above the memory limit
 * (STRATA_MEMORY_LIMIT_MB, default half the physical memory), so an
 * under-estimate means a run that swaps or runs out of memory.  Derive the
 * parts from sizeof of the structures init allocates (what malloc adds to
 * each block is strata's to count, not the policy's). */
typedef struct st_state_size {
    double fixed;
    double per_device;
    double per_node;
    double per_model_slot;
    double per_request;
} st_state_size;

/* What a policy that declares no state_size is assumed to take: the
 * heaviest built-in policy's state on the LayerCake scenarios
 * (layercake's candidates and latency histories) with room to spare. */
#define ST_STATE_DEFAULT_PER_DEVICE 512.0
#define ST_STATE_DEFAULT_PER_MODEL_SLOT 768.0
#define ST_STATE_DEFAULT_PER_REQUEST 32.0

/* A policy: its name, its parameters, and the calls the world makes. */
typedef struct st_policy_ops {
    /* The name scenarios use (`policy: NAME`); unique among all policies. */
    const char *name;
    /* One line for listings (`strata run --help`, `strata policy list`). */
    const char *summary;
    /* Allocates p->state and reads the parameters (already validated
     * against `params`) with st_param_*; may set p->tick_s > 0 to be
     * ticked.  0, or -1 with err set (fini is still called). */
    int (*init)(st_policy *p, const st_params *params, const st_view *v,
                st_error *err);
    /* Fills *out for req.  Required. */
    void (*decide)(st_policy *p, const st_request *req, const st_view *v,
                   st_decision *out);
    /* Called once per request that ended; NULL if not wanted. */
    void (*observe)(st_policy *p, const st_outcome *o, const st_view *v);
    /* Called every p->tick_s seconds; NULL if not wanted. */
    void (*tick)(st_policy *p, const st_view *v);
    /* Frees p->state; NULL if there is nothing to free. */
    void (*fini)(st_policy *p);
    /* The declared parameters (params.h), ending with ST_PARAM_END; NULL
     * if the policy takes none. */
    const st_param *params;
    /* The most memory the policy's state can take in a run of sc with
     * these parameters (already validated), as st_state_size parts; see
     * there.  Called before any run starts, without a world.  NULL: the
     * conservative default (ST_STATE_DEFAULT_*). */
    void (*state_size)(const st_scenario *sc, const st_params *params,
                       st_state_size *out);
} st_policy_ops;

/* One policy instance in one run. */
struct st_policy {
    const st_policy_ops *ops;
    void *state;         /* the policy's own, set by init */
    gsl_rng *rng;        /* the "policy" random stream; draw only from it */
    double tick_s;       /* 0: no ticks */
};

/* ---- plugins ------------------------------------------------------------- */

/* The plugin interface's version.  It changes whenever anything a plugin
 * sees (these headers' structures or functions) changes incompatibly;
 * strata refuses a plugin built against another version.  Version 2 added
 * st_policy_ops.state_size. */
#define ST_PLUGIN_API_VERSION 2

/* What a plugin offers: the policies it adds. */
typedef struct st_plugin {
    int api_version;                    /* ST_PLUGIN_API_VERSION */
    const char *name;                   /* for messages, e.g. "bwthresh" */
    const st_policy_ops *const *policies;   /* NULL-ended */
} st_plugin;

/* The one entry point a plugin exports, under this name: it returns the
 * plugin's description, which must stay valid while strata runs.
 *
 *     static const st_policy_ops *const mine[] = {&my_policy, NULL};
 *     ST_PLUGIN_EXPORT const st_plugin *strata_plugin(void)
 *     {
 *         static const st_plugin p = {ST_PLUGIN_API_VERSION, "mine", mine};
 *         return &p;
 *     }
 */
#define ST_PLUGIN_ENTRY "strata_plugin"
#define ST_PLUGIN_EXPORT __attribute__((visibility("default")))
typedef const st_plugin *(*st_plugin_entry_fn)(void);

#endif
