/* estimate.h - what the `layercake`, `oracle` and `infaas` policies share:
 * the response-time estimate of a (model, location) pair, LayerCake's
 * selection rule over such pairs, and a client's network estimator (RTT
 * and bandwidth from its own probes and calls).  Private to src/policy.
 *
 * The selection is a pure function of hand-made candidates, so tests can
 * check a choice worked out by hand.
 */
#ifndef STRATA_POLICY_ESTIMATE_H
#define STRATA_POLICY_ESTIMATE_H

#include <stddef.h>
#include "policy/bwest.h"
#include "policy/execfig.h"
#include "strata/policy.h"

/* ---------- the estimate and the rule ---------- */

/* One (model, location) pair as the rule sees it. */
typedef struct lc_cand {
    int model, node;
    int local;           /* runs on the device itself */
    double accuracy;
    double exec_s;       /* the pair's latency figure (e.g. the 90th
                            percentile of its measured latencies) */
    double net_s;        /* estimated network time; 0 when local */
    double queue_s;      /* estimated wait at the location */
    double load_s;       /* estimated load time if not resident */
    int unavailable;     /* busy, or marked cold: skipped */
    int pending;         /* net_s is only a lower bound so far: the rule
                            asks lc_select_lazy's `complete` for a better
                            one, or the exact value, while the bound
                            cannot decide */
} lc_cand;

typedef enum lc_fallback {
    LC_FALLBACK_FASTEST_LOCAL,  /* LayerCake's code */
    LC_FALLBACK_SMALLEST        /* the general form: smallest estimate */
} lc_fallback;

typedef struct lc_rule {
    double safety;       /* T = safety * (B - margin - fetch) */
    double margin_s;
    double fetch_s;      /* time to fetch the remote list, if waited for */
    double min_accuracy;
    int local_precheck;  /* no local pair's figure fits B: run the fastest
                            local one, without looking at remote pairs */
    lc_fallback fallback;
} lc_rule;

/* net + queue + load + exec. */
double lc_estimate(const lc_cand *c);
/* The index of the chosen candidate given the time budget B, or -1 when
 * n == 0.  Candidates are considered in order, so listing local pairs
 * first makes ties in accuracy go to the device, as in LayerCake. */
int lc_select(const lc_rule *r, const lc_cand *c, size_t n, double budget_s);
/* What the rule works out from a list of candidates before it chooses,
 * which a caller that keeps its list can keep too: whether there are
 * local and remote candidates, the smallest local estimate that is a
 * number (NaN: none) and the fastest local candidate (-1: none), which
 * stand while no local estimate changes; and the candidates in order of
 * falling accuracy, the first listed first on ties, which stands while
 * the list does (NULL when some accuracy is not a number). */
typedef struct lc_kept {
    int any_local, any_remote, fastest;
    double min_s;
    int *by_accuracy;
} lc_kept;
/* Sets k up for c[0..n). */
void lc_kept_init(lc_kept *k, const lc_cand *c, size_t n);
/* Works the local part out again (a local estimate has changed). */
void lc_kept_locals(lc_kept *k, const lc_cand *c, size_t n);
void lc_kept_free(lc_kept *k);
/* Takes candidate c[i] a step nearer its exact net_s: a tighter lower
 * bound (pending left set) or the exact value (pending cleared). */
typedef void (*lc_complete_fn)(void *ctx, lc_cand *c, int i);
/* lc_select_lazy (complete NULL: none is pending), with k set up for c
 * and kept up to date by the caller: the same choice (the most accurate
 * candidate that fits is then the first in k's order that does). */
int lc_select_with(const lc_rule *r, lc_cand *c, size_t n, double budget_s,
                   const lc_kept *k, lc_complete_fn complete, void *ctx);
/* lc_select where some candidates may be pending (their exact net_s is
 * costly: the oracle's foreseen upload and download): each is taken a
 * step further only when the rule's choice depends on it, so the choice
 * is lc_select's on completed candidates.  Remote candidates only; the
 * chosen one comes back complete. */
int lc_select_lazy(const lc_rule *r, lc_cand *c, size_t n, double budget_s,
                   lc_complete_fn complete, void *ctx);

/* ---------- the network estimator ---------- */

typedef struct lc_net_cfg {
    st_bwest_kind bw_kind;
    double bw_alpha;          /* ewma weight of a new sample */
    int bw_k;                 /* harmonic window */
    double bw_init;           /* bytes/s before any sample */
    double rtt_alpha, rtt_init_s;
    double probe_period_s;    /* 0: no periodic probes */
    double probe_bytes;       /* echoed both ways */
    int startup_probes;       /* rounds sent back to back at start */
    int call_samples;         /* finished calls feed the bandwidth */
    int count_output;         /* add output bytes / bandwidth */
} lc_net_cfg;

/* The estimator's parameters, for a policy's table (ST_PARAM_INCLUDE). */
extern const st_param lc_net_params[];

/* Reads them from params (validated against a table including them). */
void lc_net_cfg_read(const st_params *p, lc_net_cfg *c);

typedef struct lc_pending {
    double t;            /* when the client has the measurement */
    double dur_s;        /* how long the echo took */
    int bw;              /* 1: a bandwidth probe, 0: an empty echo */
} lc_pending;

/* One device's view of its access network. */
typedef struct lc_net {
    st_bwest rtt, bw;    /* rtt in seconds, bw in bytes/s */
    lc_pending *pend;    /* probes in flight, by t */
    size_t n_pend, cap_pend;
    double next_probe;
    int rounds;          /* probe rounds sent */
} lc_net;

void lc_net_init(lc_net *n, const lc_net_cfg *c);
void lc_net_free(lc_net *n);
/* One device's estimator at most, in bytes: the record and its probes in
 * flight (a round of two at a time, in an array of four). */
double lc_net_bytes(void);
/* Takes in the probe results available by now and sends a probe round
 * (an empty echo and a bandwidth echo) when one is due and the last has
 * come back, as a fixed-rate timer that never overlaps itself does. */
void lc_net_update(lc_net *n, const lc_net_cfg *c, const st_view *v,
                   int device);
/* A finished call moved `bytes` up in net_s of network time (its whole
 * duration less the time at the server). */
void lc_net_call(lc_net *n, const lc_net_cfg *c, double bytes, double net_s);
/* RTT + input / bandwidth (+ output / bandwidth with count_output). */
double lc_net_time(const lc_net *n, const lc_net_cfg *c, double in_bytes,
                   double out_bytes);

/* ---------- helpers on the world's view ---------- */

/* Static time of the links beyond the access link, from the device's
 * attachment node up to node: bytes over each constant rate plus the mean
 * RTT of each hop (0 when node is the attachment node). */
double lc_path_extra_s(const st_scenario *sc, int attach, int node,
                       double in_bytes, double out_bytes);
/* ORACLE: the true network time of a call made now whose result is ready
 * at the node remote_s after the input arrives: the upload over the trace
 * (up_s: st_view_oracle_transfer_s of the input from now), the RTT
 * (rtt_s: st_view_oracle_rtt_s, fetched once), download over the trace
 * from then. */
double lc_oracle_net_s(const st_view *v, int device, double rtt_s,
                       double up_s, double out_bytes, double remote_s);
/* Expected wait at a node that holds qlen requests (waiting or running)
 * on `executors`, each taking about exec_s: nothing while an executor is
 * free, else the queue ahead shared among the executors. */
double lc_queue_wait_s(int qlen, int executors, double exec_s);

/* ---------- the client's timeout ---------- */

/* What a client of a fixed-location policy (`cloud`, `infaas`) does when
 * a call times out: run the request on the phone (LayerCake's library:
 * the endpoint is cold, its fastest local model is left) or send it again. */
typedef enum lc_on_timeout { LC_TIMEOUT_LOCAL, LC_TIMEOUT_RETRY } lc_on_timeout;

typedef struct lc_client {
    double timeout_s;            /* timeout_s (5; 0: none) */
    lc_on_timeout on_timeout;    /* on_timeout: local | retry */
} lc_client;

/* The client's parameters, for a policy's table (ST_PARAM_INCLUDE). */
extern const st_param lc_client_params[];
/* Reads them from params (validated against a table including them). */
void lc_client_read(const st_params *p, lc_client *c);
/* The device's fastest model for req's task (its mean, from fig, in
 * *lat), -1 if none. */
int lc_fastest_local(const st_view *v, const ef_table *fig,
                     const st_request *req, double *lat);
/* Applies the client to a decision made for req: sets the timeout, or,
 * on a retry with on_timeout local, replaces the decision by the fastest
 * local model (fig: the execution means).  Returns 1 if it replaced it. */
int lc_client_apply(const lc_client *c, const st_view *v, const ef_table *fig,
                    const st_request *req, st_decision *out);

#endif
