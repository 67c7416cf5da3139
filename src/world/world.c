/* world.c - the simulated world: devices, links and nodes, and the request
 * lifecycle driven by the engine (see world.h for the lifecycle).  Building,
 * running and tearing down a world is build.c; what it measures is in
 * measure.c, what a policy sees of it in view.c.
 *
 * Modelling choices (DESIGN section 2), each stated where it is made:
 * - A link direction serves transfers in FIFO order: a transfer starts when
 *   both it and the link are ready, and ends at the exact solution of the
 *   trace integral; propagation (half an RTT draw) follows and does not
 *   occupy the link.  A device class with `transport: tcp` sends over its
 *   access link round by round instead (src/trace/tcp.h; access_finish),
 *   one connection state per device and direction.
 * - Each device instance has its own access link (its own trace, assigned
 *   round-robin over its class's traces, at a seeded offset); links between
 *   nodes are shared by every transfer crossing them.
 * - A node runs `executors` requests at once from one FIFO queue.  A model
 *   not resident is loaded on the executor that needs it (cold start: busy
 *   and billed); room is made by evicting least-recently-used models that
 *   no running request holds.  If nothing can be evicted the model is run
 *   from a transient load and not kept.  A request for a model another
 *   executor is still loading waits for that load instead of reloading.
 * - A device class with `dispatch` holds arriving requests in a queue of
 *   its own (FIFO, or earliest deadline first) served by `workers`: the
 *   policy decides when a worker takes a request, and the worker stays
 *   busy until that request's outcome (LayerCake's phone library).  The
 *   queue is an engine event queue keyed by arrival or deadline, so equal
 *   keys leave in arrival order.
 * - Device k of a class attaches to the class's attach node k mod their
 *   number; a class with a task popularity draws each request's task from
 *   the "tasks" stream.  A policy may load and evict models itself at a
 *   slot boundary (st_view_set_resident): such a load makes the model
 *   usable after its load time without holding an executor.  Ticks come
 *   every tick_s up to and including the end of arrivals.
 * - Arrivals stop at `duration`; the run continues `drain` seconds so late
 *   requests can finish, and whatever is still in flight then is
 *   "unfinished".  Requests arriving before `warmup` are simulated but not
 *   measured.
 */
#include "world/runtime.h"
#include "base/rng.h"
#include "base/xalloc.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---------- requests ---------- */

/* A request off the free list, zero but for dec and pub, which its caller
 * writes whole, and the access leg's line (see request). */
static request *req_alloc(world *w)
{
    if (!w->free_reqs) {
        /* calloc'd (fresh zero pages: nothing to clear) and aligned by
         * hand, which aligned_alloc and a memset would not spare */
        unsigned char *block = st_xmalloc(sizeof(chunk) + 63);
        chunk *c = (chunk *)(void *)(block + (-(uintptr_t)block & 63));
        c->block = block;
        c->next = w->chunks;
        w->chunks = c;
        for (size_t i = 0; i < 1024; i++) {
            c->reqs[i].in_flight = 0;
            c->reqs[i].next = w->free_reqs;
            w->free_reqs = &c->reqs[i];
        }
    }
    request *r = w->free_reqs;
    w->free_reqs = r->next;
    memset((unsigned char *)r + sizeof r->dec, 0,
           offsetof(request, pub) - sizeof r->dec);
    memset(&r->t_node, 0, offsetof(request, acc_start) -
                          offsetof(request, t_node));
    return r;
}

/* r no longer holds back a policy's eviction of its model. */
static void leave_inbound(world *w, request *r)
{
    if (!r->inbound)
        return;
    r->inbound = 0;
    w->nodes[r->dec.node].inbound[r->dec.model]--;
    world_evict_if_idle(w, r->dec.node, r->dec.model);
}

/* r's attempt has ended: its timeout is called off. */
static void drop_timeout(world *w, request *r)
{
    if (r->timer) {
        st_timers_cancel(w->timeouts, r->timer - 1);
        r->timer = 0;
    }
}

void req_release(world *w, request *r)
{
    drop_timeout(w, r);
    leave_inbound(w, r);
    r->in_flight = 0;
    r->next = w->free_reqs;
    w->free_reqs = r;
}


/* ---------- outcomes ---------- */

static void try_dispatch(world *w, int dev);

/* Tells the policy how an attempt ended (abandoned: at its timeout). */
static void observe(world *w, const request *r, st_outcome_kind kind,
                    double latency, int abandoned)
{
    if (!w->pol.ops->observe)
        return;
    const st_scenario *sc = w->sc;
    int ran = !r->dec.drop && r->dec.model >= 0;
    st_outcome o = {
        .req = &r->pub, .decision = r->dec, .kind = kind,
        .latency_s = latency, .upload_s = r->up_s, .download_s = r->down_s,
        .rtt_s = r->rtt_s, .queue_s = r->queue_s, .load_s = r->load_s,
        .exec_s = r->exec_s, .cold = r->cold,
        .bytes_up = ran ? sc->models[r->dec.model].input_bytes : 0,
        .bytes_down = ran ? sc->models[r->dec.model].output_bytes : 0,
        .abandoned = abandoned};
    w->pol.ops->observe(&w->pol, &o, &w->view);
}

static void record(world *w, request *r, st_outcome_kind kind, double latency)
{
    const st_scenario *sc = w->sc;
    measure_in_system(&w->meas, st_sim_now(w->sim), -1);
    if (r->measured)
        measure_outcome(&w->meas, sc, &r->pub, &r->dec, r->cold, kind, latency);
    if (kind != ST_OUT_UNFINISHED)
        observe(w, r, kind, latency, 0);
    int dev = r->pub.device, held = r->worker;
    req_release(w, r);
    if (held) {
        dev_aux(w, dev)->workers_busy--;
        if (!w->ending)
            try_dispatch(w, dev);
    }
}

static void complete(world *w, request *r)
{
    double lat = st_sim_now(w->sim) - r->pub.arrival_s;
    int met = lat <= r->pub.slo_s &&
              w->sc->models[r->dec.model].accuracy >= r->pub.min_accuracy;
    record(w, r, met ? ST_OUT_MET : ST_OUT_MISSED, lat);
}


/* ---------- paths and links ---------- */

/* The next hop from `at` towards target going up, or towards the device
 * going down.  Up: device -> attach -> parent ... ; down: the reverse. */
static int next_up(const world *w, const request *r, int at)
{
    return at == NO_NODE ? dev_rt(w, r->pub.device)->attach
                         : w->sc->nodes[at].parent;
}

static int next_down(const world *w, const request *r, int at)
{
    int k = dev_rt(w, r->pub.device)->attach;
    if (k == at)
        return NO_NODE;
    while (w->sc->nodes[k].parent != at)
        k = w->sc->nodes[k].parent;
    return k;
}

/* Is target the device itself or an ancestor-or-self of its attach node? */
static int reachable(const world *w, const request *r, int target)
{
    if (target == r->pub.device_node)
        return 1;
    if (target < 0 || target >= w->n_infra)
        return 0;
    for (int k = dev_rt(w, r->pub.device)->attach; k >= 0;
         k = w->sc->nodes[k].parent)
        if (k == target)
            return 1;
    return 0;
}

/* The trace of one direction of device dev's access link (NULL: a
 * constant rate): its class's traces go round-robin over its devices. */
static const st_trace *dev_trace(const world *w, long dev, const device_rt *d,
                                 const st_link *l, int up)
{
    const st_link_dir *ld = up ? &l->up : &l->down;
    if (!ld->n_traces)
        return NULL;
    return ld->traces[(size_t)(dev - w->cls_first[d->cls]) % ld->n_traces];
}

/* Every transfer's end time comes from st_path_finish (src/trace/tcp.h):
 * the exact solution of the trace integral (trace time = sim time +
 * offset), or a constant rate; over TCP, once per round.
 *
 * The transport hook: a device class's `transport` decides whether its
 * access link moves bytes as a fluid or round by round over TCP (with
 * connection state c and round trip rtt; the upload opens a request's
 * connection), searching the trace from (and moving) *cur. */
/* One direction of device dev's access link l (d: the device's record)
 * searched from cur, and when a transfer offered at `from` starts on it
 * (*start: once the link is free).  The callers pass d and l they already
 * hold: this runs for every access transfer. */
static st_path access_path(const world *w, int dev, const device_rt *d,
                           const st_link *l, int up, double from,
                           st_trace_cursor *cur, double *start)
{
    double busy = up ? d->up_busy : d->down_busy;
    *start = busy > from ? busy : from;
    return (st_path){up ? &l->up : &l->down, dev_trace(w, dev, d, l, up),
                     d->offset, cur};
}

/* An access transfer over TCP, kept out of line: inlined, its rounds
 * made every fluid transfer save and restore registers it never used. */
__attribute__((noinline))
static double tcp_end(const st_link *l, st_tcp_conn *c, const st_path *p,
                      double start, double bytes, double rtt, int up)
{
    return st_tcp_send(&l->transport, c, p, start, bytes, rtt, up, NULL);
}

/* Always inlined: out of line, its frame (the registers saved and
 * restored around the path search) cost 13 instructions a transfer, and
 * every request makes two. */
__attribute__((always_inline))
static inline double access_end(const world *w, int dev, const device_rt *d,
                                int up, double from, double bytes,
                                double rtt, st_tcp_conn *c,
                                st_trace_cursor *cur)
{
    const st_link *l = &dev_class(w, d)->link;
    double start;
    st_path p = access_path(w, dev, d, l, up, from, cur, &start);
    if (l->transport.kind != ST_TRANSPORT_TCP)
        return st_path_finish(&p, start, bytes * 8);
    return tcp_end(l, c, &p, start, bytes, rtt, up);
}

/* access_end without moving the link's cursor, for looking ahead (the
 * oracle, probes). */
double access_finish(const world *w, int dev, int up, double from,
                     double bytes, double rtt, st_tcp_conn *c)
{
    const device_rt *d = dev_rt(w, dev);
    st_trace_cursor cur = up ? d->up_cur : d->down_cur;   /* a copy: this
                                                           * only looks */
    return access_end(w, dev, d, up, from, bytes, rtt, c, &cur);
}

void access_finish_many(const world *w, int dev, int up, double from,
                        const double *bytes, size_t n, double rtt, double *end)
{
    const device_rt *d = dev_rt(w, dev);
    const st_link *l = &dev_class(w, d)->link;
    const st_tcp_conn *c = access_conn(w, dev, up);
    if (l->transport.kind == ST_TRANSPORT_TCP) {
        for (size_t k = 0; k < n; k++) {
            st_tcp_conn copy = c ? *c : (st_tcp_conn){0};
            end[k] = access_finish(w, dev, up, from, bytes[k], rtt, &copy);
        }
        return;
    }
    st_trace_cursor cur = up ? d->up_cur : d->down_cur;   /* a copy */
    double start;
    st_path p = access_path(w, dev, d, l, up, from, &cur, &start);
    st_path_finish_many(&p, start, bytes, n, end);
}

st_tcp_conn *access_conn(const world *w, int dev, int up)
{
    return w->conns ? &w->conns[2 * (size_t)dev + (up ? 1 : 0)] : NULL;
}

/* access_send on device dev's record d. */
static double device_send(world *w, int dev, device_rt *d, int up,
                          double from, double bytes, double rtt)
{
    double end = access_end(w, dev, d, up, from, bytes, rtt,
                            access_conn(w, dev, up),
                            up ? &d->up_cur : &d->down_cur);
    *(up ? &d->up_busy : &d->down_busy) = end;
    return end;
}

double access_send(world *w, int dev, int up, double from, double bytes,
                   double rtt)
{
    return device_send(w, dev, dev_rt(w, dev), up, from, bytes, rtt);
}

/* Sends `bytes` over the link between `lower` (NO_NODE = the device) and
 * its next node up, in direction up or down; returns the arrival time at
 * the far end and adds half an RTT draw of that link. */
static double transfer(world *w, request *r, int lower, int up, double bytes)
{
    double now = st_sim_now(w->sim), end;
    const st_link *l = lower == NO_NODE
        ? &w->sc->devices[r->pub.device_class].link
        : &w->sc->nodes[lower].uplink;
    double rtt = st_dist_sample(&l->rtt_s, w->r_rtt), half_rtt = rtt / 2;
    if (lower == NO_NODE) {
        device_rt *d = dev_rt(w, r->pub.device);
        double busy = up ? d->up_busy : d->down_busy;
        r->acc_start = busy > now ? busy : now;
        end = r->acc_end = device_send(w, r->pub.device, d, up, now, bytes,
                                       rtt);
        r->on_access = 1;
        accq_sent(w, r, up, now, rtt);
    } else {
        node_rt *n = &w->nodes[lower];
        double *busy = up ? &n->up_busy : &n->down_busy;
        double start = *busy > now ? *busy : now;
        st_path p = {up ? &l->up : &l->down, NULL, 0, NULL};
        end = st_path_finish(&p, start, bytes * 8);
        *busy = end;
    }
    if (lower == NO_NODE)
        r->rtt_s += half_rtt;
    return end + half_rtt;
}

/* ---------- nodes ---------- */

static void ev_hop_up(void *ctx, void *obj, uint64_t arg);

void world_evicted(world *w, node_rt *n, int m)
{
    if (n->evicting[m]) {
        n->evicting[m] = 0;
        n->evicting_mb -= w->sc->hardware[n->hw].per_model[m].memory_mb;
    }
}

void world_evict_if_idle(world *w, int node, int m)
{
    if (node >= w->n_infra)   /* a policy evicts from infra nodes only */
        return;
    node_rt *n = &w->nodes[node];
    if (!n->evicting[m] || n->pinned[m] || n->inbound[m])
        return;
    bit_put(n->resident, m, 0);
    n->st.used_mb -= w->sc->hardware[n->hw].per_model[m].memory_mb;
    world_evicted(w, n, m);
}

/* Makes room for model m on node n; returns 1 if it can stay resident. */
static int make_room(world *w, const node_ref *n, int node, int m, double need)
{
    const st_scenario *sc = w->sc;
    const st_profile *pm = sc->hardware[n->hw].per_model;
    while (n->st->used_mb + need > n->memory_mb) {
        int victim = -1;
        for (int k = 0; k < (int)sc->n_models; k++)
            if (bit_get(n->res, k) && !ref_pinned(n, k) && k != m &&
                (victim < 0 || n->last_use[k] < n->last_use[victim]))
                victim = k;
        if (victim < 0)
            return 0;
        bit_put(n->res, victim, 0);
        if (node < w->n_infra)
            world_evicted(w, &w->nodes[node], victim);
        n->st->used_mb -= pm[victim].memory_mb;
    }
    return 1;
}

/* The LRU stamp is written when a request releases the model (whatever
 * the start wrote would be overwritten before any eviction reads it: a
 * running model is never a victim).  A device's stamp that still holds a
 * later pending load's end keeps it (see device_rt). */
static void start_service(world *w, int node, request *r)
{
    node_ref n = node_ref_of(w, node);
    int m = r->dec.model;
    const st_profile *pr = &w->sc->hardware[n.hw].per_model[m];
    double now = st_sim_now(w->sim), ready = now;
    n.st->busy++;
    if (r->inbound) {   /* pinned from here: the eviction still waits */
        r->inbound = 0;
        w->nodes[node].inbound[m]--;
    }
    r->queue_s = now - r->t_node;
    if (bit_get(n.res, m)) {
        if (n.ready_at[m] > now)
            ready = n.ready_at[m];   /* another executor is loading it */
    } else {
        ready = now + pr->load_s;
        r->cold = 1;
        if (r->measured)
            w->meas.n_loads++;
        if (make_room(w, &n, node, m, pr->memory_mb)) {
            bit_put(n.res, m, 1);
            n.st->used_mb += pr->memory_mb;
            n.ready_at[m] = ready;
        }
    }
    ref_pin(&n, m, +1);
    r->load_s = ready - now;
    r->exec_s = st_dist_sample(&pr->exec_s, w->r_exec);
    st_sim_soon(w->sim, ready + r->exec_s, world_exec_done, r, (uint64_t)node);
}

/* Does node drop r, an abandoned attempt, before it starts? */
int world_cancels(const world *w, int node, const request *r)
{
    return r->ghost && node < w->n_infra && w->sc->nodes[node].cancel_abandoned;
}

void fifo_push(fifo *q, request *r)
{
    if (q->tail) {
        r->next = q->tail->next;
        q->tail->next = r;
    } else {
        r->next = r;
    }
    q->tail = r;
}

request *fifo_pop(fifo *q)
{
    request *t = q->tail;
    if (!t)
        return NULL;
    request *r = t->next;
    if (r == t)
        q->tail = NULL;
    else
        t->next = r->next;
    return r;
}

/* The next request node serves from its queue, NULL if none. */
static request *queue_pop(world *w, int node)
{
    station *st = node_station(w, node);
    request *q;
    while ((q = fifo_pop(&st->queue))) {
        st->qlen--;
        if (!world_cancels(w, node, q))
            return q;
        req_release(w, q);
    }
    return NULL;
}

static int serverless(const world *w, int node)
{
    return node < w->n_infra && w->nodes[node].eps;
}

static void enqueue(world *w, int node, request *r)
{
    if (world_cancels(w, node, r)) {
        req_release(w, r);
        return;
    }
    if (serverless(w, node)) {
        sl_arrive(w, node, r);
        return;
    }
    station *st = node_station(w, node);
    r->t_node = st_sim_now(w->sim);
    if (st->busy < node_executors(w, node)) {
        start_service(w, node, r);
        return;
    }
    fifo_push(&st->queue, r);
    st->qlen++;
}

static void charge(world *w, int node, request *r)
{
    if (node >= w->n_infra || !r->measured)
        return;
    const st_node_spec *ns = &w->sc->nodes[node];
    const st_serverless *s = &ns->serverless;
    double rate = ns->price_per_s, busy = r->load_s + r->exec_s;
    if (s->on) {   /* a cold start is billed if the node says so */
        rate += s->memory_mb / 1024 * s->price_per_gb_s;
        busy = r->exec_s + (s->bill_cold_start ? r->load_s : 0);
    }
    measure_charge(&w->meas, w->sc, ns, &w->sc->models[r->dec.model], busy,
                   rate);
}

/* Is a hop event (arg: accq_leg_arg when it was scheduled) still due, not
 * replaced by a re-timed leg's?  An access leg leaves its FIFO here. */
static int hop_due(world *w, request *r, uint64_t arg, int up)
{
    if (arg != accq_leg_arg(r))
        return 0;
    if (r->on_access)
        accq_arrived(w, r, up);
    r->on_access = 0;
    return 1;
}

static void ev_hop_down(void *ctx, void *obj, uint64_t arg)
{
    world *w = ctx;
    request *r = obj;
    if (!hop_due(w, r, arg, 0))
        return;
    if (r->dead) {
        req_release(w, r);
        return;
    }
    if (r->at == NO_NODE) {
        r->down_s = st_sim_now(w->sim) - r->t_down;
        complete(w, r);
        return;
    }
    int lower = next_down(w, r, r->at);
    if (lower == NO_NODE && r->ghost) {   /* its device no longer listens */
        req_release(w, r);
        return;
    }
    double t = transfer(w, r, lower, 0, w->sc->models[r->dec.model].output_bytes);
    r->at = lower;
    if (lower == NO_NODE && t == st_sim_now(w->sim) && st_sim_alone_now(w->sim))
        ev_hop_down(w, r, accq_leg_arg(r));   /* it arrives now, next in any order */
    else
        st_sim_soon(w->sim, t, ev_hop_down, r, accq_leg_arg(r));
}

/* Frees r's executor at ordinary node `node` and starts the next queued. */
static void release_executor(world *w, int node, request *r)
{
    node_ref n = node_ref_of(w, node);
    int m = r->dec.model;
    double now = st_sim_now(w->sim);
    n.st->busy--;
    ref_pin(&n, m, -1);
    world_evict_if_idle(w, node, m);
    if (!(n.last_use[m] > now))   /* a device's pending load keeps its end */
        n.last_use[m] = now;
    request *q = queue_pop(w, node);
    if (q)
        start_service(w, node, q);
}

void world_exec_done(void *ctx, void *obj, uint64_t arg)
{
    world *w = ctx;
    request *r = obj;
    int node = (int)arg;
    charge(w, node, r);
    if (serverless(w, node))
        sl_done(w, node, r);
    else
        release_executor(w, node, r);
    if (r->ghost) {   /* served, billed, and the result dropped */
        req_release(w, r);
        return;
    }
    if (node == r->pub.device_node) {
        complete(w, r);
        return;
    }
    r->t_down = st_sim_now(w->sim);
    ev_hop_down(w, r, 0);
}

static void ev_hop_up(void *ctx, void *obj, uint64_t arg)
{
    world *w = ctx;
    request *r = obj;
    if (!hop_due(w, r, arg, 1))
        return;
    if (r->dead) {
        req_release(w, r);
        return;
    }
    if (r->at == r->dec.node) {
        r->up_s = st_sim_now(w->sim) - r->pub.decide_s;   /* sent then */
        enqueue(w, r->dec.node, r);
        return;
    }
    double t = transfer(w, r, r->at, 1, w->sc->models[r->dec.model].input_bytes);
    r->at = next_up(w, r, r->at);
    st_sim_soon(w->sim, t, ev_hop_up, r, accq_leg_arg(r));
}

/* ---------- arrivals ---------- */

double world_next_gap(world *w, long dev, double now)
{
    const st_arrival *a = &dev_class(w, dev_rt(w, dev))->arrival;
    device_aux *d = a->kind == ST_ARRIVAL_ONOFF || a->kind == ST_ARRIVAL_TIMES
        ? dev_aux(w, dev) : NULL;
    switch (a->kind) {
    case ST_ARRIVAL_CONSTANT:
        return 1 / a->rate;
    case ST_ARRIVAL_ONOFF: {
        double t = now + st_ran_exponential(w->r_arrivals, 1 / a->rate);
        /* Arrivals falling past the on period move to the next one; by
         * memorylessness the leftover gap can be redrawn there. */
        while (t > d->on_end) {
            double on_start = d->on_end + st_ran_exponential(w->r_arrivals, a->off_s);
            d->on_end = on_start + st_ran_exponential(w->r_arrivals, a->on_s);
            t = on_start + st_ran_exponential(w->r_arrivals, 1 / a->rate);
        }
        return t - now;
    }
    case ST_ARRIVAL_TIMES:
        /* Replayed: times are absolute; none left means no more arrivals. */
        if (d->next_time >= a->n_times)
            return INFINITY;
        return a->times[d->next_time++] - now;
    case ST_ARRIVAL_POISSON:
    default:
        return st_ran_exponential(w->r_arrivals, 1 / a->rate);
    }
}

/* Attempts after which a request is dropped, so that a policy resending
 * to an endpoint that throttles it at once cannot spin. */
#define MAX_ATTEMPTS 100

/* 0 (none) or at least a millisecond, so retries cannot spin. */
static int valid_timeout(double t)
{
    return t == 0 || (t >= 1e-3 && t < INFINITY);
}

static void ev_timeout(void *ctx, void *obj, uint64_t arg);

/* Asks the policy where r runs, and starts it there. */
static void decide_and_start(world *w, request *r)
{
    double now = st_sim_now(w->sim);
    r->pub.decide_s = now;
    r->pub.budget_s = r->pub.slo_s - (now - r->pub.arrival_s);
    r->pub.attempt++;
    r->dec = (st_decision){.model = -1, .node = -1, .estimate_s = NAN};
    if (r->pub.attempt > MAX_ATTEMPTS) {   /* a client that never gives up */
        r->dec.drop = 1;
        record(w, r, ST_OUT_DROPPED, NAN);
        return;
    }
    w->pol.ops->decide(&w->pol, &r->pub, &w->view, &r->dec);
    if (!r->dec.drop && (r->dec.model < 0 || (size_t)r->dec.model >= w->sc->n_models ||
                         !reachable(w, r, r->dec.node) ||
                         !st_view_profile(&w->view, r->dec.node, r->dec.model) ||
                         !valid_timeout(r->dec.timeout_s))) {
        w->meas.n_invalid += r->measured;
        r->dec.drop = 1;
    }
    if (r->dec.drop) {
        record(w, r, ST_OUT_DROPPED, NAN);
        return;
    }
    if (r->measured && r->dec.node != r->pub.device_node)
        measure_sent(&w->meas, &w->sc->models[r->dec.model]);
    if (r->dec.node < w->n_infra) {   /* a policy's eviction waits for it */
        w->nodes[r->dec.node].inbound[r->dec.model]++;
        r->inbound = 1;
    }
    if (r->dec.node == r->pub.device_node) {
        enqueue(w, r->dec.node, r);
        return;
    }
    if (r->dec.timeout_s > 0) {
        accq_enable(w);   /* legs can be cancelled from now on */
        if (!w->timeouts && !(w->timeouts = st_timers_new(w->sim, ev_timeout)))
            st_oom("the client timeouts");
        r->timer = st_timers_set(w->timeouts, r->dec.timeout_s, r, 0) + 1;
    }
    ev_hop_up(w, r, 0);
}

/* ---------- client timeouts ---------- */

/* Cancels the rest of r's access-link leg at now: the link is free from
 * then (or from when the leg would have started), and the transfers
 * queued behind it move up, in order (accq.c).  An upload whose last bit
 * has left still reaches the node, and nothing moves.  Over TCP, a
 * cancelled leg's connection starts again from the initial window. */
static void cancel_access(world *w, request *r, double now)
{
    int down = r->at == NO_NODE;
    if (r->acc_end > now)
        accq_cancel(w, r, !down, now, down ? ev_hop_down : ev_hop_up);
    if (down || r->acc_end > now)
        r->dead = 1;
}

/* A fresh copy of r is decided again; r goes on as a ghost. */
static void retry(world *w, request *r)
{
    request *live = req_alloc(w);
    *live = (request){.pub = r->pub, .in_flight = 1, .measured = r->measured,
                      .worker = r->worker, .at = NO_NODE};
    drop_timeout(w, r);
    r->in_flight = r->worker = 0;
    r->ghost = 1;
    decide_and_start(w, live);
}

/* The device gives up on r's current attempt: the policy observes it, the
 * attempt goes on as a ghost on the node side (or dies with its access
 * leg), and a fresh copy of the request is decided again. */
static void abandon(world *w, request *r)
{
    double now = st_sim_now(w->sim);
    if (r->on_access)
        cancel_access(w, r, now);
    observe(w, r, ST_OUT_UNFINISHED, NAN, 1);
    retry(w, r);
}

void world_throttled(world *w, request *r)
{
    observe(w, r, ST_OUT_UNFINISHED, NAN, 1);
    retry(w, r);
    req_release(w, r);
}

/* An attempt's timeout, due: an attempt that ends first calls it off
 * (drop_timeout), so r is still in flight on it. */
static void ev_timeout(void *ctx, void *obj, uint64_t arg)
{
    world *w = ctx;
    request *r = obj;
    (void)arg;
    r->timer = 0;
    if (r->in_flight && !r->ghost)
        abandon(w, r);
}

/* A free worker of r's device takes r. */
static void take_worker(world *w, device_aux *d, request *r)
{
    r->worker = 1;
    d->workers_busy++;
    decide_and_start(w, r);
}

/* Hands queued requests to free workers.  A decision can end a request at
 * once (a drop), which frees its worker inside this loop: the flag keeps
 * that from recursing, and the loop picks the worker up again. */
static void try_dispatch(world *w, int dev)
{
    device_aux *d = dev_aux(w, dev);
    int workers = dev_class(w, dev_rt(w, dev))->dispatch_workers;
    if (d->dispatching)
        return;
    d->dispatching = 1;
    st_event e;
    while (d->workers_busy < workers && d->dq && st_evq_pop(d->dq, &e))
        take_worker(w, d, e.obj);
    d->dispatching = 0;
}

static void dispatch_enqueue(world *w, const st_device_class *dc, request *r)
{
    device_aux *d = dev_aux(w, r->pub.device);
    int dev = r->pub.device;
    if (!d->dispatching && d->workers_busy < dc->dispatch_workers &&
        (!d->dq || st_evq_size(d->dq) == 0)) {
        /* a free worker and nobody ahead: r would be pushed and popped at
         * once */
        d->dispatching = 1;
        take_worker(w, d, r);
        d->dispatching = 0;
        return;   /* the queue is still empty: nothing to dispatch */
    }
    if (!d->dq && !(d->dq = st_evq_new(4)))   /* it grows */
        st_oom("a device's dispatch queue");
    double key = r->pub.arrival_s;
    if (dc->dispatch == ST_DISPATCH_EDF)
        key += r->pub.slo_s;
    st_evq_push(d->dq, key, NULL, r, 0);
    try_dispatch(w, dev);
}

/* The class's task, or one drawn from its popularity at time now. */
static int draw_task(world *w, const device_rt *d, double now)
{
    const st_device_class *dc = dev_class(w, d);
    if (!dc->mix.n)
        return dc->task;
    size_t rank = gsl_ran_discrete(w->r_tasks, w->task_tables[d->cls]);
    return st_task_mix_task(&dc->mix, rank, now);
}

/* The SLO distribution of a class's job number j (its phases'). */
static const st_dist *slo_of(const st_device_class *dc, long j)
{
    for (size_t k = 0; k < dc->n_slo_phases; k++)
        if (j >= dc->slo_phases[k].from_job && j <= dc->slo_phases[k].to_job)
            return &dc->slo_phases[k].slo_s;
    return &dc->slo_s;
}

void world_ev_arrival(void *ctx, void *obj, uint64_t dev)
{
    world *w = ctx;
    device_rt *d = obj;
    const st_device_class *dc = dev_class(w, d);
    double now = st_sim_now(w->sim);
    /* An upload that waits for its link is filed at the tail of the
     * link's FIFO (accq.c), a slot in an array of every device's: fetched
     * now, it is there by the time the decision sends the upload. */
    if (w->accq)
        __builtin_prefetch(&w->accq[2 * dev + 1]);
    /* the job count matters to SLO phases only (and lives apart) */
    long job = dc->n_slo_phases ? dev_aux(w, (long)dev)->jobs++ : 0;
    request *r = req_alloc(w);
    r->in_flight = 1;
    r->measured = now >= w->sc->warmup_s;
    r->at = NO_NODE;
    r->pub = (st_request){
        .id = w->next_id++, .device = (int)dev, .device_class = d->cls,
        .device_node = w->n_infra + (int)dev, .task = draw_task(w, d, now),
        .arrival_s = now, .slo_s = st_dist_sample(slo_of(dc, job), w->r_slo),
        .min_accuracy = dc->min_accuracy};
    measure_in_system(&w->meas, now, +1);

    double t = now + world_next_gap(w, (long)dev, now);
    if (t < w->end_arrivals)
        st_sim_at(w->sim, t, world_ev_arrival, d, dev);

    if (dc->dispatch != ST_DISPATCH_NONE) {
        /* undecided while queued (the run's end may record it so);
         * decide_and_start writes the decision itself */
        r->dec = (st_decision){.model = -1, .node = -1, .estimate_s = NAN};
        dispatch_enqueue(w, dc, r);
    } else {
        decide_and_start(w, r);
    }
}

void world_ev_tick(void *ctx, void *obj, uint64_t arg)
{
    world *w = ctx;
    (void)obj;
    (void)arg;
    w->pol.ops->tick(&w->pol, &w->view);
    double next = st_sim_now(w->sim) + w->pol.tick_s;
    /* A tick at the end of arrivals closes the last whole slot. */
    if (next <= w->end_arrivals)
        st_sim_at(w->sim, next, world_ev_tick, NULL, 0);
}

/* Records every request still in flight as unfinished (the run's end). */
void world_finish_unfinished(world *w)
{
    w->ending = 1;
    for (chunk *c = w->chunks; c; c = c->next)
        for (size_t i = 0; i < 1024; i++)
            if (c->reqs[i].in_flight)
                record(w, &c->reqs[i], ST_OUT_UNFINISHED, NAN);
}
