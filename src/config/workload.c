/* workload.c - a device class's workload: its task or Zipf task mix, the
 * arrival process (poisson, constant, onoff, or a file of arrival times,
 * parsed here) and the SLO. */
#include "config/load.h"
#include "config/keys.h"
#include "base/xalloc.h"
#include "base/textfile.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARRIVAL_TIMES 10000000

/* A timestamp file: one arrival time per line, in seconds from the start
 * of the run, not decreasing; blank lines and '#' comments are skipped.
 * Every device of the class replays the same times. */
static int read_arrival_times(cfg *c, yaml_node_t *f, st_arrival *a)
{
    const char *rel;
    if (cfg_str(c, f, "file", &rel))
        return -1;
    char *path = cfg_path(c, f, rel);
    if (!path)
        return -1;
    st_text in;
    st_error oerr;
    if (st_text_open(&in, path, "an arrival-time file (one time in seconds "
                     "per line)", &oerr)) {
        free(path);
        return cfg_fail(c, f, "%s", oerr.msg);
    }
    in.err = c->err;
    size_t cap = 0;
    int rc = 0, got;
    while (!rc && (got = st_text_line(&in)) > 0) {
        char *p = in.line + strspn(in.line, " \t");
        if (*p == '#' || !*p)
            continue;
        char *end;
        errno = 0;
        double t = strtod(p, &end);
        end += strspn(end, " \t");
        if (end == p || *end || errno || !isfinite(t) || t < 0)
            rc = st_text_fail(&in, "expected one arrival time in seconds "
                              "(>= 0), got '%.60s'", p);
        else if (a->n_times && t < a->times[a->n_times - 1])
            rc = st_text_fail(&in, "arrival time %g s is before the previous "
                              "line's %g s; expected times that do not "
                              "decrease", t, a->times[a->n_times - 1]);
        else if (a->n_times >= MAX_ARRIVAL_TIMES)
            rc = st_text_fail(&in, "more than %d arrival times",
                              MAX_ARRIVAL_TIMES);
        else {
            if (a->n_times == cap) {
                cap = cap ? 2 * cap : 1024;
                a->times = st_xreallocarray(a->times, cap, sizeof *a->times);
            }
            a->times[a->n_times++] = t;
        }
    }
    if (got < 0)
        rc = -1;
    st_text_close(&in);
    if (!rc && a->n_times == 0)
        rc = st_error_at(c->err, path, 0, 0, "no arrival times; expected one "
                         "time in seconds per line");
    free(path);
    /* The mean rate, for load estimates only: the world replays the times. */
    if (!rc)
        a->rate = (double)a->n_times /
                  (a->times[a->n_times - 1] > 0 ? a->times[a->n_times - 1] : 1);
    return rc ? -1 : 0;
}

const cfg_key conf_keys_arrival[] = {
    {"process", "string", NULL, NULL, "poisson, constant, onoff, file",
     "how requests arrive at each device"},
    {"rate_per_s", "number", "1/s", "-", "[1e-9, 1e7]", "requests per "
     "second per device (onoff: while on); required but with file"},
    {"on", "time", "s", "-", "[1e-6, 1e9]", "onoff (required): mean on "
     "period (exponential)"},
    {"off", "time", "s", "-", "[1e-6, 1e9]", "onoff (required): mean off "
     "period"},
    {"file", "path", NULL, "-", NULL, "file (required): arrival times in "
     "seconds, one per line, replayed by every device of the class"},
    {NULL, NULL, NULL, NULL, NULL, NULL}};

static int read_arrival(cfg *c, yaml_node_t *m, st_arrival *a)
{
    static const char *const kinds[] = {"poisson", "constant", "onoff", "file",
                                        NULL};
    const char *s;
    if (cfg_keys_in(c, m, conf_keys_arrival, "an arrival process"))
        return -1;
    yaml_node_t *p = cfg_need(c, m, "process", "an arrival process");
    if (!p || cfg_str(c, p, "process", &s))
        return -1;
    int k = 0;
    while (kinds[k] && strcmp(kinds[k], s))
        k++;
    if (!kinds[k])
        return cfg_fail(c, p, "unknown arrival process '%s'; expected poisson, "
                        "constant, onoff or file", s);
    a->kind = (st_arrival_kind)k;
    if (a->kind == ST_ARRIVAL_TIMES) {
        yaml_node_t *f = cfg_need(c, m, "file", "a 'file' arrival process");
        if (cfg_get(c, m, "rate_per_s"))
            return cfg_fail(c, cfg_get(c, m, "rate_per_s"), "a 'file' arrival "
                            "process takes its times from the file, not "
                            "rate_per_s");
        return !f || read_arrival_times(c, f, a);
    }
    if (cfg_get(c, m, "file"))
        return cfg_fail(c, cfg_get(c, m, "file"), "'file' goes with process: "
                        "file, not '%s'", s);
    yaml_node_t *r = cfg_need(c, m, "rate_per_s", "an arrival process");
    if (!r || cfg_num(c, r, "rate_per_s", 1e-9, 1e7, &a->rate))
        return -1;
    if (a->kind == ST_ARRIVAL_ONOFF) {
        yaml_node_t *on = cfg_need(c, m, "on", "an onoff process");
        yaml_node_t *off = on ? cfg_need(c, m, "off", "an onoff process") : NULL;
        if (!on || !off || cfg_time(c, on, "on", "s", 1e-6, 1e9, &a->on_s) ||
            cfg_time(c, off, "off", "s", 1e-6, 1e9, &a->off_s))
            return -1;
    }
    return 0;
}

static int read_task_ref(cfg *c, yaml_node_t *t, const st_scenario *sc,
                         int *out)
{
    const char *task;
    if (cfg_str(c, t, "task", &task))
        return -1;
    for (size_t i = 0; i < sc->n_tasks; i++)
        if (strcmp(sc->tasks[i], task) == 0) {
            *out = (int)i;
            return 0;
        }
    return cfg_fail(c, t, "no model serves task '%s'", task);
}

/* tasks: {zipf: S, names: [task, ...], shift_every: K, shift_by: N,
 * slot: TIME}; names default to every task, in the order models name
 * them.  See st_task_mix in scenario.h. */
const cfg_key conf_keys_tasks[] = {
    {"zipf", "number", NULL, NULL, "[0, 100]", "popularity exponent: rank k "
     "has weight 1/(k+1)^zipf (0: uniform)"},
    {"names", "list of task names", NULL, "every task, in model order",
     NULL, "the tasks, most popular first"},
    {"shift_every", "integer", "slots", "0", "[0, 1e9]", "the ranking rotates "
     "every this many slots (0: stationary)"},
    {"shift_by", "integer", NULL, "1", "[0, 4096]", "places it rotates by"},
    {"slot", "time", "s", "1", "[1e-6, 1e9]", "the slot length"},
    {NULL, NULL, NULL, NULL, NULL, NULL}};

static int read_task_mix(cfg *c, yaml_node_t *m, const st_scenario *sc,
                         st_device_class *dc)
{
    st_task_mix *mix = &dc->mix;
    yaml_node_t *z, *names, *sl;
    if (cfg_expect_map(c, m, "tasks") || cfg_keys_in(c, m, conf_keys_tasks, "tasks") ||
        !(z = cfg_need(c, m, "zipf", "tasks")) ||
        cfg_num(c, z, "zipf", 0, 100, &mix->zipf))
        return -1;
    mix->shift_by = 1;
    mix->slot_s = 1;
    if (cfg_opt_long(c, m, "shift_every", 0, 1000000000L, &mix->shift_every) ||
        cfg_opt_long(c, m, "shift_by", 0, ST_MAX_MODELS, &mix->shift_by) ||
        ((sl = cfg_get(c, m, "slot")) &&
         cfg_time(c, sl, "slot", "s", fmax(1e-6, sc->duration_s / ST_MAX_SLOTS),
                  1e9, &mix->slot_s)))
        return -1;
    if (!(names = cfg_get(c, m, "names"))) {
        mix->tasks = st_xcalloc(sc->n_tasks, sizeof *mix->tasks);
        for (size_t i = 0; i < sc->n_tasks; i++)
            mix->tasks[mix->n++] = (int)i;
    } else {
        if (cfg_expect_seq(c, names, "tasks.names"))
            return -1;
        if (conf_seq_len(names) == 0)
            return cfg_fail(c, names, "expected at least one task name");
        mix->tasks = st_xcalloc(conf_seq_len(names), sizeof *mix->tasks);
        for (size_t i = 0; i < conf_seq_len(names); i++) {
            yaml_node_t *e = conf_seq_at(c, names, i);
            if (read_task_ref(c, e, sc, &mix->tasks[i]))
                return -1;
            for (size_t j = 0; j < i; j++)
                if (mix->tasks[j] == mix->tasks[i])
                    return cfg_fail(c, e, "task '%s' is listed twice",
                                    sc->tasks[mix->tasks[i]]);
            mix->n = i + 1;
        }
    }
    dc->task = mix->tasks[0];
    return 0;
}



const cfg_key conf_keys_workload[] = {
    {"task", "string", NULL, "-", "a task some model serves", "the task of "
     "every request (give task or tasks)"},
    {"tasks", "mapping", NULL, "-", NULL, "a Zipf popularity over tasks "
     "(devices[].workload.tasks)"},
    {"arrival", "mapping", NULL, NULL, NULL, "the arrival process "
     "(devices[].workload.arrival)"},
    {"slo", "time or distribution", "s", "-", "> 0", "latency target, drawn "
     "per request (give slo or slo_ms)"},
    {"slo_ms", "number", "ms", "-", "[1e-6, 1e6]", "a constant latency "
     "target"},
    {"min_accuracy", "number", NULL, "0", "[0, 1]", "a request served below "
     "it counts as missed"},
    {"slo_phases", "list of mappings", NULL, "-", NULL, "other SLOs for "
     "ranges of each device's requests (devices[].workload.slo_phases[])"},
    {NULL, NULL, NULL, NULL, NULL, NULL}};

const cfg_key conf_keys_slo_phase[] = {
    {"jobs", "[first, last]", NULL, NULL, "integers >= 0", "the device's "
     "requests numbered first..last (from 0, warm-up included)"},
    {"slo", "time or distribution", "s", NULL, "> 0", "their latency target"},
    {NULL, NULL, NULL, NULL, NULL, NULL}};

/* An SLO of 0 (or less) can never be met: refused for every distribution.
 * Exponential and lognormal times are positive by construction; a normal
 * one is truncated at 0, so its mean must be positive. */
static int slo_not_positive(const st_dist *d)
{
    switch (d->kind) {
    case ST_DIST_EXP:
    case ST_DIST_LOGNORMAL:
        return 0;
    case ST_DIST_NORMAL:
        return !(d->a > 0);
    default:
        return !(st_dist_quantile(d, 0) > 0);
    }
}

/* An SLO: a time or a distribution of times, above 0. */
static int read_slo(cfg *c, yaml_node_t *s, st_dist *out)
{
    if (cfg_time_dist(c, s, "slo", out))
        return -1;
    if (slo_not_positive(out)) {
        st_dist_free(out);
        return cfg_fail(c, s, "the SLO must be greater than 0; expected a "
                        "distribution of positive times");
    }
    return 0;
}

/* slo_phases: [{jobs: [FIRST, LAST], slo: TIME-OR-DIST}, ...] */
static int read_slo_phases(cfg *c, yaml_node_t *l, st_device_class *dc)
{
    if (cfg_expect_seq(c, l, "slo_phases"))
        return -1;
    dc->n_slo_phases = conf_seq_len(l);
    dc->slo_phases = st_xcalloc(dc->n_slo_phases + 1, sizeof *dc->slo_phases);
    for (size_t i = 0; i < dc->n_slo_phases; i++) {
        yaml_node_t *e = conf_seq_at(c, l, i), *j, *s;
        struct st_slo_phase *p = &dc->slo_phases[i];
        if (cfg_expect_map(c, e, "an SLO phase") ||
            cfg_keys_in(c, e, conf_keys_slo_phase, "an SLO phase") ||
            !(j = cfg_need(c, e, "jobs", "an SLO phase")) ||
            !(s = cfg_need(c, e, "slo", "an SLO phase")))
            return -1;
        if (!cfg_is_seq(j) || conf_seq_len(j) != 2)
            return cfg_fail(c, j, "'jobs' takes [first, last], job numbers from 0");
        if (cfg_long(c, conf_seq_at(c, j, 0), "first job", 0, 1L << 40, &p->from_job) ||
            cfg_long(c, conf_seq_at(c, j, 1), "last job", p->from_job, 1L << 40, &p->to_job) ||
            read_slo(c, s, &p->slo_s))
            return -1;
    }
    return 0;
}

int conf_read_workload(cfg *c, yaml_node_t *m, st_scenario *sc,
                         st_device_class *dc)
{
    if (cfg_keys_in(c, m, conf_keys_workload, "a workload"))
        return -1;
    yaml_node_t *t = cfg_get(c, m, "task"), *ts = cfg_get(c, m, "tasks");
    if (!!t == !!ts)
        return cfg_fail(c, m, "a workload needs exactly one of 'task' (a task "
                        "name) or 'tasks' (a Zipf popularity over tasks)");
    if (t ? read_task_ref(c, t, sc, &dc->task) : read_task_mix(c, ts, sc, dc))
        return -1;
    yaml_node_t *a = cfg_need(c, m, "arrival", "a workload");
    if (!a || read_arrival(c, a, &dc->arrival))
        return -1;
    yaml_node_t *s = cfg_get(c, m, "slo"), *sms = cfg_get(c, m, "slo_ms");
    if (!!s == !!sms)
        return cfg_fail(c, m, "a workload needs exactly one of 'slo' (a time "
                        "or distribution) or 'slo_ms'");
    if (sms) {
        double v;
        if (cfg_time(c, sms, "slo_ms", "ms", 1e-6, 1e6, &v))
            return -1;
        dc->slo_s = st_dist_const(v);
    } else if (read_slo(c, s, &dc->slo_s)) {
        return -1;
    }
    yaml_node_t *ph = cfg_get(c, m, "slo_phases");
    if (ph && read_slo_phases(c, ph, dc))
        return -1;
    return cfg_opt_num(c, m, "min_accuracy", 0, 1, &dc->min_accuracy);
}
