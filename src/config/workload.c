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
    {"process", "string", NULL, NULL,
     CFG_ONE_OF("poisson", "constant", "onoff", "file"), "how requests "
     "arrive at each device"},
    {"rate_per_s", "number", "1/s", "-", CFG_NUM(1e-9, 1e7), "requests per "
     "second per device (onoff: while on); required but with file"},
    {"on", "time", "s", "-", CFG_TIME(1e-6, 1e9), "onoff (required): mean on "
     "period (exponential)"},
    {"off", "time", "s", "-", CFG_TIME(1e-6, 1e9), "onoff (required): mean "
     "off period"},
    {"file", "path", NULL, "-", CFG_ANY, "file (required): arrival times in "
     "seconds, one per line, replayed by every device of the class"},
    CFG_KEYS_END};

static int read_arrival(cfg *c, yaml_node_t *m, st_arrival *a)
{
    const cfg_key *keys = conf_keys_arrival;
    int k;
    if (cfg_keys_in(c, m, keys, "an arrival process"))
        return -1;
    yaml_node_t *p = cfg_need(c, m, "process", "an arrival process");
    if (!p || cfg_key_word(c, p, keys, "process", "arrival process", &k))
        return -1;
    a->kind = (st_arrival_kind)k;
    const char *s = (const char *)p->data.scalar.value;
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
    if (!r || cfg_key_value(c, r, keys, "rate_per_s", &a->rate))
        return -1;
    if (a->kind == ST_ARRIVAL_ONOFF) {
        yaml_node_t *on = cfg_need(c, m, "on", "an onoff process");
        yaml_node_t *off = on ? cfg_need(c, m, "off", "an onoff process") : NULL;
        if (!on || !off || cfg_key_value(c, on, keys, "on", &a->on_s) ||
            cfg_key_value(c, off, keys, "off", &a->off_s))
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
    {"zipf", "number", NULL, NULL, CFG_NUM(0, 100), "popularity exponent: "
     "rank k has weight 1/(k+1)^zipf (0: uniform)"},
    {"names", "list of task names", NULL, "every task, in model order", CFG_ANY,
     "the tasks, most popular first"},
    {"shift_every", "integer", "slots", "0", CFG_INT(0, 1e9), "the ranking "
     "rotates every this many slots (0: stationary)"},
    {"shift_by", "integer", NULL, "1", CFG_INT(0, ST_MAX_MODELS), "places it "
     "rotates by"},
    {"slot", "time", "s", "1", CFG_TIME_AND(1e-6, 1e9, ">= duration / 1e6"),
     "the slot length"},
    CFG_KEYS_END};

/* The slot: in its table's range, and long enough that the run has at
 * most ST_MAX_SLOTS of them. */
static int read_slot(cfg *c, yaml_node_t *m, const st_scenario *sc,
                     double *out)
{
    yaml_node_t *sl = cfg_get(c, m, "slot");
    double least = sc->duration_s / ST_MAX_SLOTS;
    if (!sl || cfg_key_value(c, sl, conf_keys_tasks, "slot", out))
        return sl ? -1 : 0;
    char most[32], at_least[32];
    if (*out < least)
        return cfg_fail(c, sl, "slot must be >= duration / %s = %s s, got "
                        "'%s'", st_range_number(ST_MAX_SLOTS, most, sizeof most),
                        st_range_number(least, at_least, sizeof at_least),
                        (const char *)sl->data.scalar.value);
    return 0;
}

static int read_task_mix(cfg *c, yaml_node_t *m, const st_scenario *sc,
                         st_device_class *dc)
{
    const cfg_key *k = conf_keys_tasks;
    st_task_mix *mix = &dc->mix;
    yaml_node_t *z, *names;
    if (cfg_expect_map(c, m, "tasks") || cfg_keys_in(c, m, k, "tasks") ||
        !(z = cfg_need(c, m, "zipf", "tasks")) ||
        cfg_key_value(c, z, k, "zipf", &mix->zipf))
        return -1;
    mix->shift_by = 1;
    mix->slot_s = 1;
    if (cfg_opt_long(c, m, k, "shift_every", &mix->shift_every) ||
        cfg_opt_long(c, m, k, "shift_by", &mix->shift_by) ||
        read_slot(c, m, sc, &mix->slot_s))
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
    {"task", "string", NULL, "-", CFG_NOTE("a task some model serves"), "the "
     "task of every request (give task or tasks)"},
    {"tasks", "mapping", NULL, "-", CFG_ANY, "a Zipf popularity over tasks "
     "(devices[].workload.tasks)"},
    {"arrival", "mapping", NULL, NULL, CFG_ANY, "the arrival process "
     "(devices[].workload.arrival)"},
    {"slo", "time or distribution", "s", "-", CFG_NOTE("> 0"), "latency "
     "target, drawn per request (give slo or slo_ms)"},
    {"slo_ms", "number", "ms", "-", CFG_TIME(1e-6, 1e6), "a constant latency "
     "target"},
    {"min_accuracy", "number", NULL, "0", CFG_NUM(0, 1), "a request served "
     "below it counts as missed"},
    {"slo_phases", "list of mappings", NULL, "-", CFG_ANY, "other SLOs for "
     "ranges of each device's requests (devices[].workload.slo_phases[])"},
    CFG_KEYS_END};

const cfg_key conf_keys_slo_phase[] = {
    {"jobs", "[first, last]", NULL, NULL,
     CFG_INT_AND(0, 0x1p40, "first <= last"), "the device's requests "
     "numbered first..last (from 0, warm-up included)"},
    {"slo", "time or distribution", "s", NULL, CFG_NOTE("> 0"), "their "
     "latency target"},
    CFG_KEYS_END};

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
        if (cfg_key_long(c, conf_seq_at(c, j, 0), conf_keys_slo_phase, "jobs",
                         &p->from_job) ||
            cfg_key_long(c, conf_seq_at(c, j, 1), conf_keys_slo_phase, "jobs",
                         &p->to_job))
            return -1;
        if (p->to_job < p->from_job)
            return cfg_fail(c, conf_seq_at(c, j, 1), "the last job (%ld) must "
                            "be >= the first (%ld)", p->to_job, p->from_job);
        if (read_slo(c, s, &p->slo_s))
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
        if (cfg_key_value(c, sms, conf_keys_workload, "slo_ms", &v))
            return -1;
        dc->slo_s = st_dist_const(v);
    } else if (read_slo(c, s, &dc->slo_s)) {
        return -1;
    }
    yaml_node_t *ph = cfg_get(c, m, "slo_phases");
    if (ph && read_slo_phases(c, ph, dc))
        return -1;
    return cfg_opt_value(c, m, conf_keys_workload, "min_accuracy",
                         &dc->min_accuracy);
}
