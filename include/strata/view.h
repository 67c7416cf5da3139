/* view.h - what a placement policy may see of the simulated world, and the
 * few things it may do to it.
 *
 * A policy is handed an st_view in every call (see policy.h).  Through it
 * the policy sees the static scenario and what a real system could know
 * now: queue lengths and resident models as nodes report them, the time,
 * the profile of a model on a node.  Functions are grouped by who may use
 * them:
 *
 *   - every policy: the first group;
 *   - ORACLE ONLY: functions that reveal the future of a trace or the true
 *     state of a link, which no deployable policy knows;
 *   - ALLOCATING POLICIES (the inference-delivery-network family): making
 *     models resident on nodes at slot boundaries, and recording per-slot
 *     series and run metrics.
 *
 * Node indices: infrastructure nodes are 0..st_view_n_nodes()-1 (in the
 * scenario's order, st_scenario.nodes); device d is st_view_n_nodes() + d.
 * Model indices refer to st_scenario.models.  Times are in seconds.
 */
#ifndef STRATA_VIEW_H
#define STRATA_VIEW_H

#include "strata/scenario.h"

typedef struct st_view st_view;

/* ---- every policy ------------------------------------------------------ */

/* The resolved scenario: models, hardware, nodes, device classes. */
const st_scenario *st_view_scenario(const st_view *v);
/* The simulated time now. */
double st_view_now(const st_view *v);
/* The number of infrastructure nodes (devices are numbered after them). */
int st_view_n_nodes(const st_view *v);
/* The node's hardware: an index into st_scenario.hardware. */
int st_view_node_hardware(const st_view *v, int node);
/* The node's tier (ST_TIER_DEVICE for a device). */
st_tier st_view_node_tier(const st_view *v, int node);
/* Requests waiting or in service at the node, as the node reports it. */
int st_view_queue_len(const st_view *v, int node);
/* The node's parallel executors. */
int st_view_executors(const st_view *v, int node);
/* 1 if the model is resident on the node (loaded, or loading after an
 * allocating policy's st_view_set_resident), else 0. */
int st_view_resident(const st_view *v, int node, int model);
/* 1 if the model is resident and its load has finished: a request sent
 * to it now does not wait for a load. */
int st_view_loaded(const st_view *v, int node, int model);
/* The remote node a device's access link reaches. */
int st_view_attach(const st_view *v, int device);
/* "The cloud" for a device: the first node of tier cloud on the path up
 * from its attachment point (the attachment point if none is). */
int st_view_cloud(const st_view *v, int device);
/* The profile of model on the node's hardware (execution-time
 * distribution, load time, memory); NULL if the node cannot run it. */
const st_profile *st_view_profile(const st_view *v, int node, int model);
/* A measurement probe, as a real client sends one: up_bytes go up the
 * device's access link starting now (FIFO behind what is queued there),
 * and down_bytes come back as soon as they arrive (the downlink is
 * reserved at this call, so a download requested later queues behind
 * it).  Each leg adds half an RTT draw (from the "probe-rtt" stream, so
 * probing does not reshuffle the RTTs requests draw).  (0, 0) is an empty
 * echo: one RTT plus any wait for the link.  Returns the time the reply
 * arrives.  The probe's duration is a measurement the client only has
 * then: a policy must not use it before st_view_now() reaches that
 * time.  Its bytes are counted in the run's probe_bytes metric. */
double st_view_probe(const st_view *v, int device, double up_bytes,
                     double down_bytes);

/* ---- ORACLE ONLY: the true future, which no deployable policy knows ----- */

/* The true time for `bytes` to go up (up = 1) or down (up = 0) the
 * device's access link starting at t0, excluding propagation. */
double st_view_oracle_transfer_s(const st_view *v, int device, int up,
                                 double t0, double bytes);
/* out_s[k] = st_view_oracle_transfer_s(v, device, up, t0, bytes[k]) for
 * k < n, bit for bit, for less than n calls cost: several sizes foreseen
 * from one instant. */
void st_view_oracle_transfers_s(const st_view *v, int device, int up,
                                double t0, const double *bytes, size_t n,
                                double *out_s);
/* The mean RTT of the device's access link. */
double st_view_oracle_rtt_s(const st_view *v, int device);

/* ---- ALLOCATING POLICIES (the IDN family): residency and records ------- */

/* A node's memory budget for resident models, in MB (INFINITY: none). */
double st_view_memory_mb(const st_view *v, int node);
/* Makes model resident (on = 1) or not on an infrastructure node, as a
 * system does at a slot boundary.  A load occupies memory at once and
 * the model can serve after its load time (requests for it wait); it
 * occupies no executor and is counted as a reallocation load (metric
 * realloc_loads), not as a request's cold start.  An eviction waits for
 * the requests already decided for the model there (on their way, queued
 * or running): the model is no longer resident to the policy at once,
 * and leaves memory when the last of them starts and ends; its memory
 * counts as free for loads meanwhile.  0, or -1 (nothing changes) when
 * the node cannot run the model or it does not fit the free memory. */
int st_view_set_resident(const st_view *v, int node, int model, int on);
/* Records value under name for a slot in the run's timeseries table (each
 * (slot, name) once; name a string literal). */
void st_view_emit(const st_view *v, long slot, const char *name, double value);
/* Sets a run metric the policy measured, replacing an earlier value of
 * the same name (name a string literal).  It joins the run's metrics. */
void st_view_metric(const st_view *v, const char *name, double value);

#endif
