/* local.c - a sweep on one machine (st_sweep_run_local in sweep.h): worker
 * processes run points and send each outcome over a pipe to this process,
 * the only writer, which commits it in its own transaction.
 *
 * Processes rather than threads: a point that crashes takes only its
 * worker down (the point is stored as failed and a new worker takes its
 * place), and the world needs no locking.  Workers are forked after the
 * sweep is read, so a point travels as its index alone.
 */
#include "study/sweep.h"
#include "base/xalloc.h"
#include "study/progress.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#define WIRE_MAGIC 0x53545257u   /* "STRW" */
#define POLL_MS 200
#define NO_POINT SIZE_MAX

/* ---- the wire: one outcome from a worker -------------------------------- */

typedef struct wire_head {
    uint32_t magic, ok;
    uint64_t point, seed, events;
    double wall_s;
    char run_key[17], config_hash[17], started[32], finished[32];
    uint64_t len[6];       /* scenario, config, policy, params, message,
                            * labels */
    uint64_t n_metrics, n_requests, n_timeseries;
} wire_head;

#define ABSENT UINT64_MAX

typedef struct buf {
    char *p;
    size_t n, cap;
} buf;

static void put(buf *b, const void *data, size_t n)
{
    if (b->n + n > b->cap) {
        while (b->n + n > b->cap)
            b->cap = b->cap ? 2 * b->cap : 4096;
        b->p = st_xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, data, n);
    b->n += n;
}

static int write_all(int fd, const void *data, size_t n)
{
    const char *p = data;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* 1 when all n bytes came, 0 at end of file before any, -1 otherwise. */
static int read_all(int fd, void *data, size_t n)
{
    char *p = data;
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, p + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return got == 0 && r == 0 ? 0 : -1;
        got += (size_t)r;
    }
    return 1;
}

static void put_strings(buf *b, wire_head *h, const st_run_outcome *o)
{
    const char *s[6] = {o->scenario, o->config_text, o->policy, o->params,
                        o->message, o->labels};
    for (int i = 0; i < 6; i++) {
        h->len[i] = s[i] ? strlen(s[i]) : ABSENT;
        if (s[i])
            put(b, s[i], strlen(s[i]));
    }
}

static int send_outcome(int fd, size_t point, const st_run_outcome *o)
{
    wire_head h = {.magic = WIRE_MAGIC, .ok = (uint32_t)o->ok, .point = point,
                   .seed = o->seed, .events = o->result.events,
                   .wall_s = o->result.wall_s,
                   .n_metrics = o->result.metrics.n,
                   .n_requests = o->result.requests.n,
                   .n_timeseries = o->result.timeseries.n};
    memcpy(h.run_key, o->run_key, sizeof h.run_key);
    memcpy(h.config_hash, o->config_hash, sizeof h.config_hash);
    memcpy(h.started, o->started, sizeof h.started);
    memcpy(h.finished, o->finished, sizeof h.finished);
    buf b = {0};
    put(&b, &h, sizeof h);   /* placeholder: lengths are known below */
    put_strings(&b, &h, o);
    for (size_t i = 0; i < o->result.metrics.n; i++) {
        const st_metric *m = &o->result.metrics.items[i];
        uint32_t len = (uint32_t)strlen(m->name);
        put(&b, &len, sizeof len);
        put(&b, m->name, len);
        put(&b, &m->value, sizeof m->value);
    }
    if (o->result.requests.n)
        put(&b, o->result.requests.recs,
            o->result.requests.n * sizeof *o->result.requests.recs);
    for (size_t i = 0; i < o->result.timeseries.n; i++) {
        const st_ts_point *p = &o->result.timeseries.pts[i];
        uint32_t len = (uint32_t)strlen(p->name);
        put(&b, &len, sizeof len);
        put(&b, p->name, len);
        put(&b, &p->slot, sizeof p->slot);
        put(&b, &p->value, sizeof p->value);
        put(&b, &p->t_s, sizeof p->t_s);
    }
    memcpy(b.p, &h, sizeof h);
    uint64_t total = b.n;
    int rc = write_all(fd, &total, sizeof total) || write_all(fd, b.p, b.n);
    free(b.p);
    return rc ? -1 : 0;
}

/* A cursor over a received message; any overrun marks it bad. */
typedef struct reader {
    const char *p, *end;
    int bad;
} reader;

static const void *take(reader *r, size_t n)
{
    if (r->bad || (size_t)(r->end - r->p) < n) {
        r->bad = 1;
        return NULL;
    }
    const void *at = r->p;
    r->p += n;
    return at;
}

static char *take_string(reader *r, uint64_t len)
{
    if (len == ABSENT)
        return NULL;
    const char *s = len < SIZE_MAX ? take(r, (size_t)len) : NULL;
    if (!s) {
        r->bad = 1;
        return NULL;
    }
    return st_xstrndup(s, (size_t)len);
}

/* A length-prefixed name, copied (NUL-terminated) to *next, which moves
 * past it; NULL when the message is short. */
static const char *take_name(reader *r, char **next)
{
    uint32_t len;
    const void *at = take(r, sizeof len);
    if (!at)
        return NULL;
    memcpy(&len, at, sizeof len);
    const char *name = take(r, len);
    if (!name)
        return NULL;
    char *copy = *next;
    memcpy(copy, name, len);
    copy[len] = '\0';
    *next += len + 1;
    return copy;
}

/* Metric names live in one block the outcome owns. */
static void take_metrics(reader *r, uint64_t n, st_run_outcome *o)
{
    if (n > ST_METRICS_MAX) {
        r->bad = 1;
        return;
    }
    size_t names_len = (size_t)(r->end - r->p) + 1;
    o->names = st_xcalloc(names_len, 1);
    char *next = o->names;
    /* Fields sit unaligned in the message: copy them out, never cast. */
    for (uint64_t i = 0; i < n && !r->bad; i++) {
        double value;
        const char *name = take_name(r, &next);
        const void *v = name ? take(r, sizeof value) : NULL;
        if (!v)
            break;
        memcpy(&value, v, sizeof value);
        st_metrics_add(&o->result.metrics, name, value);
    }
}

static void take_requests(reader *r, uint64_t n, st_run_outcome *o)
{
    st_request_log *log = &o->result.requests;
    if (n > SIZE_MAX / sizeof *log->recs) {
        r->bad = 1;
        return;
    }
    const void *recs = n ? take(r, (size_t)n * sizeof *log->recs) : NULL;
    if (!recs)
        return;
    log->recs = st_xmalloc((size_t)n * sizeof *log->recs);
    memcpy(log->recs, recs, (size_t)n * sizeof *log->recs);
    log->n = log->cap = (size_t)n;
}

/* Per-slot points; their names live in one block the outcome owns. */
static void take_timeseries(reader *r, uint64_t n, st_run_outcome *o)
{
    if (n > (uint64_t)(r->end - r->p)) {
        r->bad = 1;
        return;
    }
    o->ts_names = st_xcalloc((size_t)(r->end - r->p) + 1, 1);
    char *next = o->ts_names;
    for (uint64_t i = 0; i < n && !r->bad; i++) {
        int64_t slot;
        double value, t;
        const char *name = take_name(r, &next);
        const void *sl = name ? take(r, sizeof slot) : NULL;
        const void *v = sl ? take(r, sizeof value) : NULL;
        const void *at = v ? take(r, sizeof t) : NULL;
        if (!at)
            break;
        memcpy(&slot, sl, sizeof slot);
        memcpy(&value, v, sizeof value);
        memcpy(&t, at, sizeof t);
        st_timeseries_push(&o->result.timeseries, slot, name, value);
        o->result.timeseries.pts[o->result.timeseries.n - 1].t_s = t;
    }
}

/* Reads one outcome; 1 ok, 0 end of file, -1 a broken message. */
static int receive_outcome(int fd, size_t *point, st_run_outcome *o)
{
    uint64_t total;
    memset(o, 0, sizeof *o);
    int rc = read_all(fd, &total, sizeof total);
    if (rc <= 0)
        return rc;
    if (total < sizeof(wire_head) || total > ((uint64_t)1 << 40))
        return -1;
    char *data = st_xmalloc((size_t)total);
    if (read_all(fd, data, (size_t)total) != 1) {
        free(data);
        return -1;
    }
    wire_head h;
    memcpy(&h, data, sizeof h);
    reader r = {data + sizeof h, data + total, h.magic != WIRE_MAGIC};
    char **s[6] = {&o->scenario, &o->config_text, &o->policy, &o->params,
                   &o->message, &o->labels};
    for (int i = 0; i < 6 && !r.bad; i++)
        *s[i] = take_string(&r, h.len[i]);
    if (!r.bad)
        take_metrics(&r, h.n_metrics, o);
    if (!r.bad)
        take_requests(&r, h.n_requests, o);
    if (!r.bad)
        take_timeseries(&r, h.n_timeseries, o);
    free(data);
    o->ok = (int)h.ok;
    o->seed = h.seed;
    o->result.events = h.events;
    o->result.wall_s = h.wall_s;
    memcpy(o->run_key, h.run_key, sizeof o->run_key);
    memcpy(o->config_hash, h.config_hash, sizeof o->config_hash);
    memcpy(o->started, h.started, sizeof o->started);
    memcpy(o->finished, h.finished, sizeof o->finished);
    o->run_key[16] = o->config_hash[16] = '\0';
    o->started[31] = o->finished[31] = '\0';
    *point = (size_t)h.point;
    if (r.bad || r.p != r.end) {
        st_run_outcome_free(o);
        return -1;
    }
    return 1;
}

/* ---- workers ------------------------------------------------------------ */

typedef struct worker {
    pid_t pid;           /* 0: no process */
    int cmd, res;        /* pipes: point indices in, outcomes out */
    size_t point;        /* NO_POINT when idle */
} worker;

typedef struct pool {
    const st_sweep *sw;
    st_store *db;
    worker *w;
    int n;
    struct pollfd *fds;   /* [n], for wait_outcomes */
    int *who;             /* [n]: the worker of each fds entry */
    sweep_progress pr;
    st_sweep_summary *sum;
    st_error *err;
    int store_failed;
} pool;

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
    stop_signal = sig;
}

/* The worker's whole life: read a point index, run it, send the outcome,
 * until the parent closes the pipe. */
static void worker_main(const st_sweep *sw, int cmd, int res, pid_t parent)
{
    signal(SIGINT, SIG_IGN);     /* the parent decides how to stop */
    signal(SIGTERM, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
#ifdef __linux__
    /* A parent killed with SIGKILL cannot stop us; the kernel can. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
    if (getppid() != parent)
        _exit(1);
    uint64_t point;
    while (read_all(cmd, &point, sizeof point) == 1) {
        if (point >= sw->n_points)
            _exit(1);
        st_run_outcome o;
        st_sweep_execute(sw, (size_t)point, &o);
        int rc = send_outcome(res, (size_t)point, &o);
        st_run_outcome_free(&o);
        if (rc)
            _exit(1);
    }
    _exit(0);
}

static void close_worker_fds(worker *w)
{
    if (w->cmd >= 0)
        close(w->cmd);
    if (w->res >= 0)
        close(w->res);
    w->cmd = w->res = -1;
}

static int spawn(pool *pl, worker *w)
{
    int cmd[2], res[2];
    if (pipe(cmd))
        return st_error_set(pl->err, "cannot start a worker: %s",
                            strerror(errno));
    if (pipe(res)) {
        close(cmd[0]);
        close(cmd[1]);
        return st_error_set(pl->err, "cannot start a worker: %s",
                            strerror(errno));
    }
    fflush(NULL);   /* or buffered output would be written twice */
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(cmd[0]), close(cmd[1]), close(res[0]), close(res[1]);
        return st_error_set(pl->err, "cannot start a worker: %s", strerror(e));
    }
    if (pid == 0) {
        /* Siblings' pipe ends held here would hide their deaths (no EOF). */
        for (int i = 0; i < pl->n; i++)
            close_worker_fds(&pl->w[i]);
        close(cmd[1]);
        close(res[0]);
        worker_main(pl->sw, cmd[0], res[1], parent);
    }
    close(cmd[0]);
    close(res[1]);
    *w = (worker){pid, cmd[1], res[0], NO_POINT};
    return 0;
}

/* ---- the writer ---------------------------------------------------------- */

static void record(pool *pl, size_t point, st_run_outcome *o)
{
    if (st_run_store(pl->db, o, pl->sw, point, pl->err)) {
        pl->store_failed = 1;
        return;
    }
    if (!o->ok) {
        char what[512];
        st_sweep_describe(pl->sw, point, what, sizeof what);
        progress_note(&pl->pr, "strata sweep: point %zu (%s) failed: %s",
                      point, what, o->message ? o->message : "?");
    }
    pl->sum->ran += (size_t)(o->ok != 0);
    pl->sum->failed += (size_t)(o->ok == 0);
    progress_step(&pl->pr, !o->ok);
}

static void describe_exit(int status, char *buf, size_t n)
{
    if (WIFSIGNALED(status))
        snprintf(buf, n, "was killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else if (WIFEXITED(status))
        snprintf(buf, n, "exited with status %d", WEXITSTATUS(status));
    else
        snprintf(buf, n, "stopped");
}

/* A worker's pipe broke: reap it, and store its point as failed. */
static void lose_worker(pool *pl, worker *w)
{
    int status = 0;
    close_worker_fds(w);
    while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
        ;
    w->pid = 0;
    if (w->point == NO_POINT || stop_signal)
        return;
    char why[128], msg[256];
    describe_exit(status, why, sizeof why);
    snprintf(msg, sizeof msg, "the worker running this point %s", why);
    st_run_outcome o;
    st_sweep_failed(pl->sw, w->point, msg, &o);
    record(pl, w->point, &o);
    st_run_outcome_free(&o);
    w->point = NO_POINT;
}

static void collect(pool *pl, worker *w)
{
    size_t point;
    st_run_outcome o;
    int rc = receive_outcome(w->res, &point, &o);
    if (rc <= 0 || point != w->point) {
        if (rc > 0)
            st_run_outcome_free(&o);
        lose_worker(pl, w);
        return;
    }
    w->point = NO_POINT;
    record(pl, point, &o);
    st_run_outcome_free(&o);
}

/* Gives point to an idle worker (starting one if its slot is empty).
 * A point that cannot run needs no worker: it is stored as failed here. */
static int dispatch(pool *pl, worker *w, size_t point)
{
    if (pl->sw->points[point].error) {
        st_run_outcome o;
        st_sweep_failed(pl->sw, point, pl->sw->points[point].error, &o);
        record(pl, point, &o);
        st_run_outcome_free(&o);
        return 0;
    }
    if (!w->pid && spawn(pl, w))
        return -1;
    uint64_t p = point;
    w->point = point;
    if (write_all(w->cmd, &p, sizeof p))
        lose_worker(pl, w);
    return 0;
}

/* Waits for outcomes and stores them. */
static void wait_outcomes(pool *pl)
{
    struct pollfd *fds = pl->fds;
    int *who = pl->who, k = 0;
    for (int i = 0; i < pl->n; i++)
        if (pl->w[i].pid && pl->w[i].point != NO_POINT) {
            fds[k] = (struct pollfd){.fd = pl->w[i].res, .events = POLLIN};
            who[k++] = i;
        }
    if (k == 0)
        return;
    int rc = poll(fds, (nfds_t)k, POLL_MS);
    for (int j = 0; rc > 0 && j < k && !pl->store_failed && !stop_signal; j++)
        if (fds[j].revents)
            collect(pl, &pl->w[who[j]]);
    progress_tick(&pl->pr);
}

static void stop_workers(pool *pl)
{
    for (int i = 0; i < pl->n; i++) {
        worker *w = &pl->w[i];
        if (!w->pid)
            continue;
        /* A worker mid-run would finish first; its result is not wanted. */
        if (w->point != NO_POINT)
            kill(w->pid, SIGKILL);
        close_worker_fds(w);
        while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR)
            ;
        w->pid = 0;
    }
}

typedef struct saved_signals {
    struct sigaction intr, term, pipe;
} saved_signals;

/* Without SA_RESTART, so a signal also cuts poll short. */
static void catch_signals(saved_signals *s)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &s->intr);
    sigaction(SIGTERM, &sa, &s->term);
    sa.sa_handler = SIG_IGN;    /* a dead worker's pipe: EPIPE, not death */
    sigaction(SIGPIPE, &sa, &s->pipe);
}

static void restore_signals(const saved_signals *s)
{
    sigaction(SIGINT, &s->intr, NULL);
    sigaction(SIGTERM, &s->term, NULL);
    sigaction(SIGPIPE, &s->pipe, NULL);
}

static int busy(const pool *pl)
{
    for (int i = 0; i < pl->n; i++)
        if (pl->w[i].pid && pl->w[i].point != NO_POINT)
            return 1;
    return 0;
}

static int run_pool(pool *pl, const size_t *idx, size_t n)
{
    size_t next = 0;
    int rc = 0;
    while (!rc && !pl->store_failed && !stop_signal && (next < n || busy(pl))) {
        for (int i = 0; i < pl->n && next < n && !rc && !pl->store_failed &&
                        !stop_signal; i++)
            if (pl->w[i].point == NO_POINT)
                rc = dispatch(pl, &pl->w[i], idx[next++]);
        if (!rc)
            wait_outcomes(pl);
    }
    return rc || pl->store_failed ? -1 : 0;
}

int st_sweep_run_local(const st_sweep *sw, st_store *db,
                       const st_sweep_opts *o, st_sweep_summary *sum,
                       st_error *err)
{
    size_t *idx, n;
    memset(sum, 0, sizeof *sum);
    double t0 = progress_clock();
    if (st_sweep_pending(sw, db, o, &idx, &n, &sum->stored, err))
        return -1;
    sum->points = n + sum->stored;
    int jobs = o->jobs < 1 ? 1 : o->jobs;
    if ((size_t)jobs > n)
        jobs = n ? (int)n : 1;
    pool pl = {.sw = sw, .db = db, .n = jobs, .sum = sum, .err = err};
    pl.w = st_xcalloc((size_t)jobs, sizeof *pl.w);
    pl.fds = st_xcalloc((size_t)jobs, sizeof *pl.fds);
    pl.who = st_xcalloc((size_t)jobs, sizeof *pl.who);
    for (int i = 0; i < jobs; i++)
        pl.w[i] = (worker){0, -1, -1, NO_POINT};
    saved_signals saved;
    stop_signal = 0;
    catch_signals(&saved);
    progress_begin(&pl.pr, "strata sweep", n, o->quiet);
    int rc = run_pool(&pl, idx, n);
    progress_end(&pl.pr);
    stop_workers(&pl);
    restore_signals(&saved);
    sum->interrupted = stop_signal != 0;
    sum->left = n - sum->ran - sum->failed;
    sum->wall_s = progress_clock() - t0;
    free(pl.w);
    free(pl.fds);
    free(pl.who);
    free(idx);
    return rc;
}
