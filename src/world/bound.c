/* bound.c - the most memory a run's world takes (st_world_size_of in
 * world.h), from the sizes of what build.c and world.c allocate: the
 * bound a study is checked against before it starts. */
#include "world/runtime.h"
#include "config/size.h"

/* A device's record with its per-model arrays, as device_layout lays it
 * out (pin counts of two bytes, the wider case). */
static double device_record(const st_scenario *sc)
{
    double words = (double)((sc->n_models + 63) / 64);
    double rec = sizeof(device_rt) + words * sizeof(uint64_t) +
                 (double)sc->n_models * (sizeof(double) + 2);
    return rec + 8;   /* rounded up to 8 */
}

/* What some devices need besides: arrival and dispatch state, an
 * on-device dispatch queue once used (its fixed part; what it holds is a
 * request in flight), two TCP connections. */
static double device_extra(const st_scenario *sc)
{
    double extra = 0;
    for (size_t c = 0; c < sc->n_device_classes; c++) {
        const st_device_class *dc = &sc->devices[c];
        double e = 0;
        if (dc->arrival.kind == ST_ARRIVAL_ONOFF ||
            dc->arrival.kind == ST_ARRIVAL_TIMES ||
            dc->dispatch != ST_DISPATCH_NONE || dc->n_slo_phases)
            e = sizeof(device_aux);   /* then every device has one */
        if (dc->dispatch != ST_DISPATCH_NONE)
            e += st_evq_bytes_fixed();
        if (dc->link.transport.kind == ST_TRANSPORT_TCP)
            e += 2 * sizeof(st_tcp_conn);
        if (e > extra)
            extra = e;
    }
    return extra;
}

/* An infrastructure node: its record, its per-model arrays and, when
 * serverless, an endpoint per model with its instances' stamps. */
static double node_bytes(const st_scenario *sc, size_t k)
{
    double nm = (double)sc->n_models;
    double b = sizeof(node_rt) + 8.0 * (double)((sc->n_models + 63) / 64) +
               nm * (2 * sizeof(double) + 2 * sizeof(unsigned) + 1) + 8;
    const st_serverless *s = &sc->nodes[k].serverless;
    if (s->on)
        b += nm * (sl_endpoint_bytes() +
                   (double)s->max_concurrency * sizeof(double));
    return b;
}

void st_world_size_of(const st_scenario *sc, const st_run_opts *o,
                      st_world_size *out)
{
    double nd = (double)sc->n_devices, live;
    *out = (st_world_size){0};
    conf_workload_size(sc, &out->requests, &live);
    out->devices = nd * (device_record(sc) + device_extra(sc)) + 64 +
                   (double)sc->n_device_classes * sizeof(long);
    /* and the run's random streams (a Mersenne twister's state is 5 KB) */
    out->nodes = 8 * 5200.0;
    for (size_t k = 0; k < sc->n_nodes; k++)
        out->nodes += node_bytes(sc, k);
    double ev = st_evq_bytes_per_event();
    out->pending = st_evq_bytes_fixed() + nd * ev;
    /* A request in flight: its record in a chunk of 1024 (one chunk more
     * for the rounding), and at most three events (its next step, its
     * timeout, its place in a dispatch queue); an attempt abandoned at
     * its timeout keeps running as a second record. */
    out->in_flight = (live * 2 + 1024) * sizeof(request) + live * 3 * ev;
    /* Latencies and estimate errors grow by doubling (two doubles each,
     * at most twice what they hold), and sorting one takes a scratch
     * copy. */
    out->results = out->requests * (2 * 2 + 1) * sizeof(double);
    if (o && o->log_requests)
        out->log = out->requests * 2 * sizeof(st_request_rec);
}
