/* scenario.h - a resolved scenario: the world to simulate, fully checked.
 *
 * Loaded from YAML (libyaml's document API, so every error carries the
 * file, line and column), with optional "dotted.path=value" overrides
 * applied to the document before it is read.  Times are in seconds, sizes
 * in the unit their field names; indices refer into the arrays here.
 */
#ifndef STRATA_SCENARIO_H
#define STRATA_SCENARIO_H

#include <stddef.h>
#include <stdint.h>
#include "strata/dist.h"
#include "strata/error.h"
#include "strata/params.h"
#include "strata/trace.h"

/* Resource limits a hostile file could otherwise exhaust. */
#define ST_MAX_MODELS 4096
#define ST_MAX_NODES 100000
#define ST_MAX_DEVICES 10000000L
#define ST_MAX_POLICIES 64
/* (nodes + devices) x models: every node and device keeps per-model state. */
#define ST_MAX_MODEL_SLOTS 100000000L
/* Expected arrivals over the run (devices x rate x duration). */
#define ST_MAX_REQUESTS 1e9
/* Slots (of a task mix, or of a slotted policy) over one run: per-slot
 * state and records are kept for each. */
#define ST_MAX_SLOTS 1e6
/* Segments of all the traces a scenario loads (each takes 24 bytes). */
#define ST_MAX_TRACE_SEGMENTS 1e8

/* A policy plugin the scenario names (its 'plugins' key). */
typedef struct st_plugin_spec {
    char *path;          /* resolved against the scenario's directory */
    char *sha256;        /* the file's expected SHA-256 (hex), or NULL */
    size_t line, col;    /* where it was named */
} st_plugin_spec;

typedef struct st_policy_spec {
    char *name;
    st_params params;
    char *params_text;   /* canonical "k=v;k=v" (sorted), "" if none */
    size_t line, col;    /* where it was named */
} st_policy_spec;

typedef struct st_model {
    char *name;
    int task;            /* index into st_scenario.tasks */
    double accuracy;     /* top-1, in [0,1] */
    double size_mb;
    double input_bytes;
    double output_bytes;
} st_model;

/* One (hardware, model) measurement. */
typedef struct st_profile {
    int present;         /* 0: this hardware cannot run the model */
    st_dist exec_s;      /* execution time */
    double load_s;       /* cold start: load into memory */
    double memory_mb;    /* resident footprint */
} st_profile;

typedef struct st_hardware {
    char *name;
    st_profile *per_model;   /* [n_models] */
} st_hardware;

/* One direction of a link: a trace (one per device, round-robin over the
 * list) or a constant rate. */
typedef struct st_link_dir {
    st_trace **traces;   /* borrowed from st_scenario.traces */
    size_t n_traces;
    double bps;          /* when n_traces == 0 */
    double scale;        /* multiplies the rate */
} st_link_dir;

/* How transfers use a device's access link (src/trace/tcp.h).  FLUID: a
 * transfer ends when the trace's integral reaches its size.  TCP: round
 * by round, each round sending at most the congestion window (slow start,
 * then congestion avoidance past ssthresh), loss-free. */
typedef enum st_transport_kind {
    ST_TRANSPORT_FLUID, ST_TRANSPORT_TCP
} st_transport_kind;

/* Connection set-up: REUSED = one connection per device, open before the
 * run; TCP = a new connection per request (one round trip first); TLS =
 * a new TCP + TLS 1.3 connection per request (two round trips first). */
typedef enum st_handshake {
    ST_HANDSHAKE_REUSED, ST_HANDSHAKE_TCP, ST_HANDSHAKE_TLS
} st_handshake;

typedef struct st_transport {
    st_transport_kind kind;
    double init_cwnd;    /* segments (default 10, RFC 6928) */
    double mss;          /* bytes per segment (default 1448) */
    double ssthresh;     /* bytes; slow start below it (default +inf) */
    int idle_restart;    /* back to the initial window after an idle RTO
                            (Linux's tcp_slow_start_after_idle; default 1) */
    st_handshake handshake;
} st_transport;

typedef struct st_link {
    st_link_dir up, down;
    st_dist rtt_s;       /* round trip; each transfer adds half of a draw */
    int random_offset;   /* start each device at a seeded trace offset */
    st_transport transport;   /* device access links only */
} st_link;

typedef enum st_tier {
    ST_TIER_DEVICE, ST_TIER_ACCESS, ST_TIER_EDGE, ST_TIER_REGIONAL,
    ST_TIER_CLOUD
} st_tier;

const char *st_tier_name(st_tier t);

/* A node made of serverless endpoints, one per model (SageMaker
 * Serverless Inference style), instead of `executors` sharing one queue.
 * Each endpoint runs at most max_concurrency requests at once; one beyond
 * that is throttled (an immediate error its client sees, which the policy
 * observes as an abandoned attempt) or, with queue_throttled, waits in the
 * endpoint's FIFO queue.  An instance idle longer than keep_alive_s is
 * gone (scale to zero); a request finding no warm instance pays a cold
 * start, the model's load time on the node's hardware.  Billed: memory_mb
 * / 1024 x price_per_gb_s per second of execution, plus the cold start
 * when bill_cold_start, plus the node's price_per_request. */
typedef struct st_serverless {
    int on;                    /* 0: an ordinary node */
    int max_concurrency;       /* per endpoint (1) */
    int queue_throttled;       /* on_throttle: error (0) | queue (1) */
    double keep_alive_s;       /* (600 s) */
    double memory_mb;          /* per instance, for billing (6144) */
    double price_per_gb_s;     /* (0) */
    int bill_cold_start;       /* (false) */
} st_serverless;

typedef struct st_node_spec {
    char *name;
    st_tier tier;
    int hardware;
    int executors;
    double memory_mb;
    double price_per_s;        /* dollars per busy second (load + exec) */
    double price_per_request;
    /* What the node does with a request whose client abandoned it at its
     * timeout: finish (default) runs it to completion, billed, and drops
     * the result; cancel removes it unbilled if it has not started
     * (running work still finishes and is billed: no preemption). */
    int cancel_abandoned;
    st_serverless serverless;
    int parent;                /* -1: a root */
    st_link uplink;            /* to the parent (constant rates only) */
    unsigned char *preload;    /* [n_models] 1 = resident at start */
} st_node_spec;

typedef enum st_arrival_kind {
    ST_ARRIVAL_POISSON, ST_ARRIVAL_CONSTANT, ST_ARRIVAL_ONOFF,
    ST_ARRIVAL_TIMES
} st_arrival_kind;

typedef struct st_arrival {
    st_arrival_kind kind;
    double rate;          /* requests/s (during "on" for onoff) */
    double on_s, off_s;   /* mean on/off durations (exponential) */
    double *times;        /* ST_ARRIVAL_TIMES: sorted offsets, seconds */
    size_t n_times;
} st_arrival;

/* How a device hands its requests to the policy.  NONE: the policy
 * decides at arrival.  FIFO/EDF: requests wait in a per-device queue
 * (by arrival, or by deadline = arrival + SLO) until one of `workers`
 * is free; the policy decides then, and the worker stays busy until the
 * request completes, wherever it ran (LayerCake's phone library). */
typedef enum st_dispatch_kind {
    ST_DISPATCH_NONE, ST_DISPATCH_FIFO, ST_DISPATCH_EDF
} st_dispatch_kind;

/* A device's task drawn per request from a Zipf popularity over `n`
 * tasks: the task of rank k (0 = most popular) has weight 1/(k+1)^zipf.
 * Stationary when shift_every is 0; otherwise the ranking rotates by
 * shift_by places every shift_every slots of slot_s seconds (a sliding
 * popularity).  n == 0: the class has the single task `task`. */
typedef struct st_task_mix {
    size_t n;
    int *tasks;           /* [n] task indices, in rank order at time 0 */
    double zipf;          /* exponent, >= 0 (0 = uniform) */
    long shift_every;     /* slots; 0 = stationary */
    long shift_by;        /* places the ranking rotates at each shift */
    double slot_s;
} st_task_mix;

typedef struct st_device_class {
    char *name;
    long count;
    int hardware;
    int executors;
    double memory_mb;
    int attach;           /* node the device's access link reaches */
    /* Devices spread round-robin over these nodes (device k of the class
     * attaches to attach_nodes[k % n_attach]); attach == attach_nodes[0]. */
    int *attach_nodes;
    size_t n_attach;
    st_link link;
    unsigned char *preload;   /* [n_models] */
    int task;             /* the task, or with a mix its rank-0 task */
    st_task_mix mix;
    st_arrival arrival;
    st_dist slo_s;
    /* SLO phases by job: device k's request j (0-based, warm-up included)
     * takes its SLO from the first phase whose [from_job, to_job] holds
     * j, else from slo_s (LayerCake's harness DO_LATENCY_PIVOT). */
    struct st_slo_phase {
        long from_job, to_job;
        st_dist slo_s;
    } *slo_phases;
    size_t n_slo_phases;
    double min_accuracy;  /* 0 = none */
    st_dispatch_kind dispatch;
    int dispatch_workers; /* with a dispatch queue; >= 1 */
} st_device_class;

typedef struct st_scenario {
    char *file;           /* path it came from (for messages) */
    char *name;
    uint64_t seed;
    double duration_s;    /* arrivals happen in [0, duration) */
    double warmup_s;      /* requests arriving before are not measured */
    double drain_s;       /* after duration, in-flight requests may finish */
    char **tasks;
    size_t n_tasks;
    st_model *models;
    size_t n_models;
    st_hardware *hardware;
    size_t n_hardware;
    st_node_spec *nodes;
    size_t n_nodes;
    st_device_class *devices;
    size_t n_device_classes;
    long n_devices;       /* sum of counts */
    st_policy_spec *policies;
    size_t n_policies;
    st_plugin_spec *plugins;  /* loaded before the policies are checked */
    size_t n_plugins;
    double price_per_gb;  /* bytes to/from priced nodes */
    st_trace **traces;    /* owned, loaded once each */
    size_t n_traces;
    char *text;           /* canonical resolved text */
    char hash[17];        /* hash of text */
    char **overrides;     /* the "path=yaml" overrides it was loaded with,
                           * in the order applied (a run records them) */
    size_t n_overrides;
} st_scenario;

/* ---- strata's own: loading and querying a scenario.  A policy plugin
 * reads the structures above (st_view_scenario) and needs none of these. */

/* Loads and checks a scenario.  overrides: "dotted.path=yaml-value"
 * strings applied before checking (sequence items by index:
 * devices.0.count=10).  Relative paths inside resolve against the
 * scenario file's directory.  Returns 0, or -1 with err set. */
int st_scenario_load(const char *path, const char *const *overrides,
                     size_t n_overrides, st_scenario **out, st_error *err);
/* Same from text in memory; relative paths resolve against base_dir. */
int st_scenario_load_text(const char *label, const char *text, size_t len,
                          const char *base_dir, const char *const *overrides,
                          size_t n_overrides, st_scenario **out,
                          st_error *err);
/* Loads only the model zoo and hardware profiles of a file: a scenario, or
 * a hardware-profile file (top-level 'models' and 'hardware' lists, as
 * 'strata profile import' writes and a scenario's 'include' merges).
 * Includes are merged; the two lists are checked as in a scenario; other
 * top-level keys are not read.  Only models, tasks and hardware are set. */
int st_scenario_load_profiles(const char *path, st_scenario **out,
                              st_error *err);
void st_scenario_free(st_scenario *sc);

/* The task a mix gives rank `rank` at time t (seconds), and the
 * probability of that rank (the weights normalised); src/world/taskmix.c. */
int st_task_mix_task(const st_task_mix *m, size_t rank, double t);
double st_task_mix_prob(const st_task_mix *m, size_t rank);

/* Index of a named thing, or -1. */
int st_scenario_model(const st_scenario *sc, const char *name);
int st_scenario_node(const st_scenario *sc, const char *name);

/* Replaces the policy list with these policies (by name), keeping the
 * params of any the scenario listed.  0, or -1 (unknown or repeated). */
int st_scenario_select_policies(st_scenario *sc, const char *const *names,
                                size_t n, st_error *err);

/* hex run key = hash(config hash, policy name, params, seed). */
void st_scenario_run_key(const st_scenario *sc, size_t policy,
                         char out[17]);

#endif
