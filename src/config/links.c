/* links.c - access and node links: per-direction constant rates or traces
 * (files or directories of them, loaded once per scenario and shared), the
 * RTT distribution and trace reading options. */
#include "config/load.h"
#include "config/keys.h"
#include "base/xalloc.h"
#include "trace/trace_dir.h"
#include "trace/tcp.h"

#include <math.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Traces are loaded once per (file, reading options) and shared by every
 * link that names them. */
static int trace_cached(cfg *c, yaml_node_t *at, st_scenario *sc,
                        const char *path, const st_trace_opts *o,
                        st_trace **out)
{
    char label[4096];
    snprintf(label, sizeof label, "%s", path);
    if (o->format != ST_TRACE_AUTO || o->column || o->mahimahi_bin_ms > 0 ||
        o->no_loop)
        snprintf(label, sizeof label, "%s [%s%s%s, bin %g ms%s]", path,
                 st_trace_format_name(o->format), o->column ? ", column " : "",
                 o->column ? o->column : "", o->mahimahi_bin_ms,
                 o->no_loop ? ", no loop" : "");
    for (size_t i = 0; i < sc->n_traces; i++)
        if (strcmp(sc->traces[i]->name, label) == 0) {
            *out = sc->traces[i];
            return 0;
        }
    st_trace *tr;
    st_error terr;
    if (st_trace_load(path, o, &tr, &terr) != 0)
        return cfg_fail(c, at, "bad trace: %s", terr.msg);
    /* Each trace is capped, but a directory of small files that each
     * expand to many segments (Mahimahi bins) could still add up. */
    double segments = (double)tr->n;
    for (size_t i = 0; i < sc->n_traces; i++)
        segments += (double)sc->traces[i]->n;
    if (segments > ST_MAX_TRACE_SEGMENTS) {
        st_trace_free(tr);
        return cfg_fail(c, at, "the traces hold more than %.3g segments in "
                        "all (at '%s'), the limit for one scenario; expected "
                        "fewer or coarser traces", ST_MAX_TRACE_SEGMENTS, path);
    }
    free(tr->name);
    tr->name = st_xstrdup(label);
    sc->traces = st_xrealloc(sc->traces, (sc->n_traces + 1) * sizeof *sc->traces);
    sc->traces[sc->n_traces++] = tr;
    *out = tr;
    return 0;
}



static int read_trace_opts(cfg *c, yaml_node_t *m, st_trace_opts *o)
{
    const char *s;
    yaml_node_t *n;
    int loop = 1;
    char list[256];
    *o = (st_trace_opts){.format = ST_TRACE_AUTO};
    /* Read as the trace reader names formats (in any case); the words the
     * table lists are those names (tests/test_keyrange.c). */
    if ((n = cfg_get(c, m, "format"))) {
        if (cfg_str(c, n, "format", &s))
            return -1;
        if (st_trace_format_parse(s, &o->format) != 0)
            return cfg_fail(c, n, "unknown trace format '%s'; expected %s", s,
                            st_range_expected(&cfg_key_of(conf_keys_link_dir,
                                              "format")->range, list,
                                              sizeof list));
    }
    if ((n = cfg_get(c, m, "column")) && cfg_str(c, n, "column", &o->column))
        return -1;
    if (cfg_opt_value(c, m, conf_keys_link_dir, "bin_ms", &o->mahimahi_bin_ms))
        return -1;
    if ((n = cfg_get(c, m, "loop")) && cfg_bool(c, n, "loop", &loop))
        return -1;
    o->no_loop = !loop;
    return 0;
}

const cfg_key conf_keys_link_dir[] = {
    {"mbps", "number", "Mbit/s", "-", CFG_NUM(1e-9, 1e9), "a constant rate "
     "(give mbps or trace)"},
    {"trace", "path, or a list of paths", NULL, "-", CFG_ANY, "bandwidth "
     "traces (a directory: every trace in it); devices take them "
     "round-robin"},
    {"format", "string", NULL, "auto",
     CFG_ONE_OF("auto", "native", "cooked", "mahimahi", "csv"), "how the "
     "traces are read"},
    {"column", "string", NULL, "-", CFG_ANY, "CSV: the throughput column"},
    {"bin_ms", "number", "ms", "1", CFG_NUM(0.001, 1e6), "Mahimahi: bin width"},
    {"loop", "boolean", NULL, "true", CFG_ANY, "a trace repeats when it ends "
     "(false: the run must not outlast it)"},
    {"scale", "number", NULL, "1", CFG_NUM(1e-6, 1e6), "multiplies the rate"},
    CFG_KEYS_END};

static int read_link_dir(cfg *c, yaml_node_t *m, st_scenario *sc,
                         const char *what, st_link_dir *d)
{
    if (cfg_keys_in(c, m, conf_keys_link_dir, what))
        return -1;
    d->scale = 1;
    if (cfg_opt_value(c, m, conf_keys_link_dir, "scale", &d->scale))
        return -1;
    yaml_node_t *mb = cfg_get(c, m, "mbps"), *tr = cfg_get(c, m, "trace");
    if ((mb != NULL) == (tr != NULL))
        return cfg_fail(c, m, "%s needs exactly one of 'mbps' (a constant "
                        "rate) or 'trace'", what);
    if (mb) {
        double mbps;
        if (cfg_key_value(c, mb, conf_keys_link_dir, "mbps", &mbps))
            return -1;
        d->bps = mbps * 1e6;
        return 0;
    }
    st_trace_opts o;
    if (read_trace_opts(c, m, &o))
        return -1;
    char **files = NULL;
    size_t nf = 0;
    int rc = 0;
    size_t np = cfg_is_seq(tr) ? conf_seq_len(tr) : 1;
    if (cfg_is_seq(tr) && np == 0)
        return cfg_fail(c, tr, "expected at least one trace path");
    for (size_t i = 0; i < np && !rc; i++) {
        yaml_node_t *pn = cfg_is_seq(tr) ? conf_seq_at(c, tr, i) : tr;
        const char *rel;
        if (cfg_str(c, pn, "trace", &rel)) {
            rc = -1;
            break;
        }
        char *path = cfg_path(c, pn, rel);
        if (!path) {
            rc = -1;
            break;
        }
        st_error terr;
        if (st_trace_expand_path(path, &files, &nf, &terr))
            rc = cfg_fail(c, pn, "%s", terr.msg);
        free(path);
    }
    if (!rc) {
        d->traces = st_xcalloc(nf, sizeof *d->traces);
        d->n_traces = nf;
        for (size_t i = 0; i < nf && !rc; i++)
            rc = trace_cached(c, tr, sc, files[i], &o, &d->traces[i]);
    }
    for (size_t i = 0; i < nf; i++)
        free(files[i]);
    free(files);
    return rc;
}

const cfg_key conf_keys_transport[] = {
    {"model", "string", NULL, NULL, CONF_RANGE_TRANSPORT, "fluid: a transfer "
     "ends when the trace's integral reaches its size; tcp: round by "
     "round, each round at most the congestion window (loss-free)"},
    {"init_cwnd", "number", "segments", "10", CFG_NUM(1, 1e4), "initial "
     "congestion window (RFC 6928)"},
    {"mss", "number", "B", "1448", CFG_NUM(100, 65495), "bytes per segment"},
    {"ssthresh_kb", "number", "kB", "-", CFG_NUM(1, 1e9), "slow start (the "
     "window doubles per round) below it, one segment more per round "
     "above; absent: slow start throughout"},
    {"idle_restart", "boolean", NULL, "true", CFG_ANY, "after an idle RTO "
     "(RTT + 200 ms) the window halves per RTO, down to the initial one "
     "(Linux's tcp_slow_start_after_idle)"},
    {"handshake", "string", NULL, "reused", CFG_ONE_OF("reused", "tcp", "tls"),
     "reused: one connection per device, open before the run; tcp: a new "
     "connection per request (1 round trip first); tls: TCP + TLS 1.3 (2 "
     "round trips)"},
    CFG_KEYS_END};

/* 'transport: fluid | tcp', or a mapping of conf_keys_transport. */
static int read_transport(cfg *c, yaml_node_t *n, st_transport *t)
{
    const cfg_key *k = conf_keys_transport;
    int model, shake = (int)t->handshake;
    if (cfg_is_scalar(n)) {
        if (cfg_key_word(c, n, conf_keys_link, "transport", "transport model",
                         &model))
            return -1;
        t->kind = (st_transport_kind)model;
        return 0;
    }
    yaml_node_t *mn;
    if (cfg_expect_map(c, n, "a transport") ||
        cfg_keys_in(c, n, k, "a transport") ||
        !(mn = cfg_need(c, n, "model", "a transport")) ||
        cfg_key_word(c, mn, k, "model", "transport model", &model))
        return -1;
    t->kind = (st_transport_kind)model;
    double kb = INFINITY;
    yaml_node_t *ir = cfg_get(c, n, "idle_restart");
    if (cfg_opt_value(c, n, k, "init_cwnd", &t->init_cwnd) ||
        cfg_opt_value(c, n, k, "mss", &t->mss) ||
        cfg_opt_value(c, n, k, "ssthresh_kb", &kb) ||
        (ir && cfg_bool(c, ir, "idle_restart", &t->idle_restart)) ||
        cfg_opt_word(c, n, k, "handshake", NULL, &shake))
        return -1;
    t->ssthresh = kb * 1000;
    t->handshake = (st_handshake)shake;
    return 0;
}

const cfg_key conf_keys_link[] = {
    {"up", "mapping", NULL, NULL, CFG_ANY, "the uplink (devices[].link.up)"},
    {"down", "mapping", NULL, NULL, CFG_ANY, "the downlink, keys as up"},
    {"rtt", "time or distribution", "s", "0", CFG_NOTE(">= 0"), "round-trip "
     "time; each transfer adds half a draw (give rtt or rtt_ms)"},
    {"rtt_ms", "number", "ms", "0", CFG_TIME(0, 1e4), "a constant round trip"},
    {"random_offset", "boolean", NULL, "true", CFG_ANY, "each device starts "
     "its trace at a seeded random offset"},
    {"transport", "string or mapping", NULL, "fluid", CONF_RANGE_TRANSPORT,
     "how transfers use a device's access link (devices[].link.transport); "
     "'tcp' is the mapping's defaults"},
    CFG_KEYS_END};

int conf_read_link(cfg *c, yaml_node_t *m, st_scenario *sc, int traces_ok,
                     st_link *l)
{
    if (cfg_keys_in(c, m, conf_keys_link, "a link"))
        return -1;
    yaml_node_t *up = cfg_need(c, m, "up", "a link");
    yaml_node_t *down = up ? cfg_need(c, m, "down", "a link") : NULL;
    if (!up || !down || read_link_dir(c, up, sc, "the uplink", &l->up) ||
        read_link_dir(c, down, sc, "the downlink", &l->down))
        return -1;
    if (!traces_ok && (l->up.n_traces || l->down.n_traces))
        return cfg_fail(c, m, "links between nodes take constant rates "
                        "('mbps'), not traces");
    yaml_node_t *r = cfg_get(c, m, "rtt"), *rms = cfg_get(c, m, "rtt_ms");
    l->rtt_s = st_dist_const(0);
    if (r && rms)
        return cfg_fail(c, rms, "give either 'rtt' or 'rtt_ms', not both");
    if (rms && cfg_key_value(c, rms, conf_keys_link, "rtt_ms", &l->rtt_s.a))
        return -1;
    if (r && cfg_time_dist(c, r, "rtt", &l->rtt_s))
        return -1;
    l->random_offset = 1;
    yaml_node_t *ro = cfg_get(c, m, "random_offset");
    if (ro && cfg_bool(c, ro, "random_offset", &l->random_offset))
        return -1;
    yaml_node_t *tn = cfg_get(c, m, "transport");
    l->transport = st_transport_default();
    if (tn && !traces_ok)
        return cfg_fail(c, tn, "'transport' applies to a device class's "
                        "access link, not to links between nodes");
    return tn ? read_transport(c, tn, &l->transport) : 0;
}
