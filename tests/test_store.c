/* test_store.c - the results database: what a stored run looks like to
 * plain SQL, replacement and all-or-nothing writes, hostile text, CSV
 * export byte for byte, and the errors for paths that are not databases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "results/store.h"
#include "testutil.h"

/* ---- helpers ----------------------------------------------------------- */

static const char *db_path(const char *name)
{
    static char path[8][768];
    static int next;
    char *p = path[next++ & 7];
    snprintf(p, sizeof path[0], "%s/%s", tu_tmpdir(), name);
    return p;
}

static st_store *open_store(const char *path)
{
    st_store *s = NULL;
    st_error err = {{0}};
    int rc = st_store_open(path, &s, &err);
    if (rc != 0)
        fail_msg("st_store_open(%s): %s", path, err.msg);
    return s;
}

/* A record with every field set; tests override what they care about. */
static st_run_record record(const char *key, const st_metrics *m,
                            const st_request_log *reqs)
{
    return (st_run_record){
        .run_key = key, .scenario = "edge", .config_text = "a: 1\n",
        .policy = "local", .params = "k=1",
        .seed = 42, .version = "0.1.0", .started = "2024-01-01T00:00:00Z",
        .finished = "2024-01-01T00:00:01Z", .wall_s = 1.25, .events = 1000,
        .metrics = m, .requests = reqs, .status = "ok", .message = NULL,
    };
}

static int64_t put(st_store *s, const st_run_record *r)
{
    st_error err = {{0}};
    int64_t id = st_store_put_run(s, r, &err);
    if (id <= 0)
        fail_msg("st_store_put_run(%s): %s", r->run_key, err.msg);
    return id;
}

static sqlite3 *raw_open(const char *path)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    return db;
}

/* Prepares sql with one optional text parameter and steps to its first
 * row; the caller reads columns and finalizes.  NULL when there is none. */
static sqlite3_stmt *raw_row(sqlite3 *db, const char *sql, const char *arg)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        fail_msg("prepare %s: %s", sql, sqlite3_errmsg(db));
    if (arg)
        sqlite3_bind_text(q, 1, arg, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(q) == SQLITE_ROW)
        return q;
    sqlite3_finalize(q);
    return NULL;
}

static int64_t raw_int(sqlite3 *db, const char *sql, const char *arg)
{
    sqlite3_stmt *q = raw_row(db, sql, arg);
    assert_non_null(q);
    int64_t v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

/* Copies the first column as text ("<null>" for NULL) into buf. */
static const char *raw_text(sqlite3 *db, const char *sql, const char *arg,
                            char *buf, size_t size)
{
    sqlite3_stmt *q = raw_row(db, sql, arg);
    assert_non_null(q);
    const unsigned char *t = sqlite3_column_text(q, 0);
    snprintf(buf, size, "%s", t ? (const char *)t : "<null>");
    sqlite3_finalize(q);
    return buf;
}

static void assert_schema_version(sqlite3 *db, const char *want)
{
    char buf[16];
    assert_string_equal(raw_text(db, "SELECT value FROM meta WHERE key ="
                                 " 'schema_version'", NULL, buf, sizeof buf),
                        want);
}

static char *export_text(st_store *s, st_export_what what)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    st_error err = {{0}};
    if (st_store_export_csv(s, what, f, &err) != 0)
        fail_msg("export: %s", err.msg);
    fclose(f);
    return buf;
}

static st_request_rec req(uint64_t id, int32_t device, int32_t model,
                          int32_t node, st_outcome_kind out, double arrival,
                          double latency, double accuracy, double estimate)
{
    return (st_request_rec){
        .id = id, .device = device, .model = model, .node = node,
        .outcome = (uint8_t)out, .offloaded = node >= 0 && node != device,
        .cold = 0, .arrival_s = arrival, .latency_s = latency, .slo_s = 0.5,
        .accuracy = accuracy, .estimate_s = estimate,
    };
}

/* ---- writing --------------------------------------------------------- */

static void test_put_reads_back(void **state)
{
    (void)state;
    const char *path = db_path("readback.db");
    st_store *s = open_store(path);
    st_metrics m = {0};
    st_metrics_add(&m, "p99_latency_s", 0.25);
    st_metrics_add(&m, "met_ratio", NAN);
    st_request_log log = {0};
    st_request_rec a = req(7, 0, 1, 3, ST_OUT_MET, 1.5, 0.125, 0.75, NAN);
    st_request_rec b = req(8, 1, -1, -1, ST_OUT_DROPPED, 2.0, NAN, NAN, NAN);
    st_request_log_push(&log, &a);
    st_request_log_push(&log, &b);
    st_run_record r = record("k1", &m, &log);
    int64_t id = put(s, &r);
    st_error err = {{0}};
    assert_int_equal(st_store_has_run(s, "k1", &err), 1);
    assert_int_equal(st_store_has_run(s, "nope", &err), 0);
    st_store_close(s);
    st_request_log_free(&log);

    sqlite3 *db = raw_open(path);
    char t[256];
    assert_int_equal(raw_int(db, "SELECT id FROM runs WHERE run_key = ?1",
                             "k1"), id);
    sqlite3_stmt *q = raw_row(db, "SELECT scenario, seed, typeof(seed),"
                              " events, wall_s, status, message, params,"
                              " config_text FROM runs WHERE run_key = ?1",
                              "k1");
    assert_non_null(q);
    assert_string_equal((const char *)sqlite3_column_text(q, 0), "edge");
    assert_int_equal(sqlite3_column_int64(q, 1), 42);
    assert_string_equal((const char *)sqlite3_column_text(q, 2), "integer");
    assert_int_equal(sqlite3_column_int64(q, 3), 1000);
    assert_true(sqlite3_column_double(q, 4) == 1.25);
    assert_string_equal((const char *)sqlite3_column_text(q, 5), "ok");
    assert_int_equal(sqlite3_column_type(q, 6), SQLITE_NULL);
    assert_string_equal((const char *)sqlite3_column_text(q, 7), "k=1");
    assert_string_equal((const char *)sqlite3_column_text(q, 8), "a: 1\n");
    sqlite3_finalize(q);

    assert_string_equal(raw_text(db, "SELECT value FROM metrics WHERE name ="
                                 " ?1", "p99_latency_s", t, sizeof t), "0.25");
    assert_string_equal(raw_text(db, "SELECT value FROM metrics WHERE name ="
                                 " ?1", "met_ratio", t, sizeof t), "<null>");
    assert_int_equal(raw_int(db, "SELECT count(*) FROM requests", NULL), 2);
    q = raw_row(db, "SELECT device, model, node, outcome, offloaded, cold,"
                " arrival_s, latency_s, slo_s, accuracy, estimate_s"
                " FROM requests WHERE req_id = 7", NULL);
    assert_non_null(q);
    assert_int_equal(sqlite3_column_int(q, 0), 0);
    assert_int_equal(sqlite3_column_int(q, 1), 1);
    assert_int_equal(sqlite3_column_int(q, 2), 3);
    assert_string_equal((const char *)sqlite3_column_text(q, 3), "met");
    assert_int_equal(sqlite3_column_int(q, 4), 1);
    assert_int_equal(sqlite3_column_int(q, 5), 0);
    assert_true(sqlite3_column_double(q, 6) == 1.5);
    assert_true(sqlite3_column_double(q, 7) == 0.125);
    assert_true(sqlite3_column_double(q, 8) == 0.5);
    assert_true(sqlite3_column_double(q, 9) == 0.75);
    assert_int_equal(sqlite3_column_type(q, 10), SQLITE_NULL);
    sqlite3_finalize(q);
    assert_string_equal(raw_text(db, "SELECT outcome || ':' ||"
                                 " ifnull(latency_s, 'null') || ':' || model"
                                 " FROM requests WHERE req_id = 8", NULL, t,
                                 sizeof t), "dropped:null:-1");
    assert_schema_version(db, "3");
    assert_string_equal(raw_text(db, "PRAGMA journal_mode", NULL, t,
                                 sizeof t), "wal");
    sqlite3_close(db);
}

/* A seed or request id above INT64_MAX must read back exactly, not
 * negative or rounded; it is hex text because decimal text would turn
 * into a REAL. */
static void test_huge_seed_is_text(void **state)
{
    (void)state;
    const char *path = db_path("seed.db");
    st_store *s = open_store(path);
    st_request_log log = {0};
    st_request_rec q = req(UINT64_MAX - 1, 0, 0, 0, ST_OUT_MET, 0, 0.1, 0.9,
                           0.1);
    st_request_log_push(&log, &q);
    q.id = (uint64_t)INT64_MAX;
    st_request_log_push(&log, &q);
    st_run_record r = record("big", NULL, &log);
    r.seed = UINT64_MAX;
    put(s, &r);
    st_store_close(s);
    st_request_log_free(&log);
    sqlite3 *db = raw_open(path);
    char t[128];
    assert_string_equal(raw_text(db, "SELECT seed || ':' || typeof(seed)"
                                 " FROM runs", NULL, t, sizeof t),
                        "0xffffffffffffffff:text");
    assert_string_equal(raw_text(db, "SELECT group_concat(req_id || ':' ||"
                                 " typeof(req_id), ' ') FROM (SELECT req_id"
                                 " FROM requests ORDER BY req_id)", NULL, t,
                                 sizeof t),
                        "9223372036854775807:integer"
                        " 0xfffffffffffffffe:text");
    sqlite3_close(db);
}

static void test_same_key_replaces(void **state)
{
    (void)state;
    const char *path = db_path("replace.db");
    st_store *s = open_store(path);
    st_metrics m1 = {0}, m2 = {0};
    st_metrics_add(&m1, "a", 1);
    st_metrics_add(&m1, "b", 2);
    st_metrics_add(&m2, "c", 3);
    st_request_log log = {0};
    st_request_rec q = req(1, 0, 0, 0, ST_OUT_MET, 0, 0.1, 0.9, 0.1);
    st_request_log_push(&log, &q);
    st_run_record r = record("same", &m1, &log);
    put(s, &r);
    r = record("same", &m2, NULL);
    r.status = "failed";
    put(s, &r);
    st_error err = {{0}};
    assert_int_equal(st_store_has_run(s, "same", &err), 0);  /* not ok */
    st_store_close(s);
    st_request_log_free(&log);

    sqlite3 *db = raw_open(path);
    char t[64];
    assert_int_equal(raw_int(db, "SELECT count(*) FROM runs", NULL), 1);
    assert_string_equal(raw_text(db, "SELECT group_concat(name) FROM metrics",
                                 NULL, t, sizeof t), "c");
    assert_int_equal(raw_int(db, "SELECT count(*) FROM metrics m JOIN runs r"
                             " ON r.id = m.run_id", NULL), 1);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM requests", NULL), 0);
    sqlite3_close(db);
}

static void assert_integrity(sqlite3 *db)
{
    char t[64];
    assert_string_equal(raw_text(db, "PRAGMA integrity_check", NULL, t,
                                 sizeof t), "ok");
    assert_int_equal(raw_int(db, "SELECT count(*) FROM pragma_foreign_key_check",
                             NULL), 0);
}

/* A put checks references itself (SQLite's foreign keys are off for it):
 * replacing a run must still remove its rows from every table that
 * references runs, one the store does not know included, as the cascade
 * did. */
static void test_replace_clears_every_referencing_table(void **state)
{
    (void)state;
    const char *path = db_path("cascade.db");
    st_store *s = open_store(path);
    st_request_log log = {0};
    st_request_rec q = req(1, 0, 0, 0, ST_OUT_MET, 0, 0.1, 0.9, 0.1);
    st_request_log_push(&log, &q);
    st_run_record r = record("same", NULL, &log);
    int64_t old = put(s, &r);
    sqlite3 *db = raw_open(path);
    char sql[160];
    snprintf(sql, sizeof sql, "CREATE TABLE notes(run_id INTEGER REFERENCES"
             " runs(id) ON DELETE CASCADE, note TEXT); INSERT INTO notes"
             " VALUES(%lld, 'old'), (%lld, 'old')", (long long)old,
             (long long)old);
    assert_int_equal(sqlite3_exec(st_store_sqlite(s), sql, NULL, NULL, NULL),
                     SQLITE_OK);
    int64_t now = put(s, &r);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM notes", NULL), 0);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM requests WHERE run_id ="
             " %lld", (long long)now);
    assert_int_equal(raw_int(db, sql, NULL), 1);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM requests", NULL), 1);
    assert_integrity(db);
    /* merge copies with SQLite's foreign keys on again */
    assert_int_equal(raw_int(st_store_sqlite(s), "PRAGMA foreign_keys", NULL),
                     0);
    st_merge_stats st = {0, 0, 0};
    st_error err = {{0}};
    const char *shard = db_path("cascade-shard.db");
    st_store *sh = open_store(shard);
    r.run_key = "other";
    put(sh, &r);
    st_store_close(sh);
    if (st_store_merge(s, shard, &st, &err))
        fail_msg("merge: %s", err.msg);
    assert_int_equal(raw_int(st_store_sqlite(s), "PRAGMA foreign_keys", NULL),
                     1);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM requests", NULL), 2);
    sqlite3_close(db);
    st_store_close(s);
    st_request_log_free(&log);
}

/* A duplicate metric name breaks the primary key halfway through the
 * run's inserts: nothing of that run may remain, and a run it was meant to
 * replace must survive untouched. */
static void test_failed_put_leaves_nothing(void **state)
{
    (void)state;
    const char *path = db_path("atomic.db");
    st_store *s = open_store(path);
    st_metrics good = {0}, dup = {0};
    st_metrics_add(&good, "a", 1);
    st_metrics_add(&dup, "x", 1);
    st_metrics_add(&dup, "x", 2);
    st_request_log log = {0};
    st_request_rec q = req(1, 0, 0, 0, ST_OUT_MET, 0, 0.1, 0.9, 0.1);
    st_request_log_push(&log, &q);
    st_run_record r = record("kept", &good, NULL);
    put(s, &r);

    st_error err = {{0}};
    r = record("broken", &dup, &log);
    assert_int_equal(st_store_put_run(s, &r, &err), -1);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, "broken"));
    r = record("kept", &dup, &log);
    assert_int_equal(st_store_put_run(s, &r, &err), -1);
    /* The store stays usable after a rollback. */
    r = record("later", &good, NULL);
    put(s, &r);
    st_store_close(s);
    st_request_log_free(&log);

    sqlite3 *db = raw_open(path);
    char t[64];
    assert_int_equal(raw_int(db, "SELECT count(*) FROM runs WHERE run_key ="
                             " ?1", "broken"), 0);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM metrics WHERE name ="
                             " 'x'", NULL), 0);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM requests", NULL), 0);
    assert_string_equal(raw_text(db, "SELECT group_concat(run_key) FROM"
                                 " (SELECT run_key FROM runs ORDER BY"
                                 " run_key)", NULL, t, sizeof t),
                        "kept,later");
    assert_int_equal(raw_int(db, "SELECT count(*) FROM metrics", NULL), 2);
    assert_integrity(db);
    sqlite3_close(db);
}

/* n requests, id i + 1 arriving at i / 4 s, every seventh dropped. */
static void many_requests(st_request_log *log, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int dropped = i % 7 == 3;
        st_request_rec q = req(i + 1, (int32_t)(i % 13), dropped ? -1 : 2,
                               dropped ? -1 : 5,
                               dropped ? ST_OUT_DROPPED : ST_OUT_MET,
                               (double)i / 4, dropped ? NAN : 0.001 * (double)i,
                               0.5, NAN);
        st_request_log_push(log, &q);
    }
}

/* Every row of a run of odd length must read back as it was, in order,
 * and a broken row anywhere (here the very last) must still take the whole
 * run with it. */
static void test_many_requests(void **state)
{
    (void)state;
    const char *path = db_path("many.db");
    st_store *s = open_store(path);
    st_request_log log = {0};
    size_t n = 2000 + 37;
    many_requests(&log, n);
    st_run_record r = record("many", NULL, &log);
    put(s, &r);
    log.recs[n - 1].id = log.recs[0].id;   /* a duplicate request id */
    r = record("dup", NULL, &log);
    st_error err = {{0}};
    assert_int_equal(st_store_put_run(s, &r, &err), -1);
    assert_non_null(strstr(err.msg, "dup"));
    st_store_close(s);
    st_request_log_free(&log);

    sqlite3 *db = raw_open(path);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM runs", NULL), 1);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM requests", NULL),
                     (int64_t)n);
    /* The rows are requests 1 to n, each with its own values. */
    assert_int_equal(raw_int(db, "SELECT count(*) FROM requests WHERE"
                             " req_id BETWEEN 1 AND (SELECT count(*) FROM"
                             " requests) AND arrival_s = (req_id - 1) / 4.0"
                             " AND device = (req_id - 1) % 13 AND"
                             " ((req_id - 1) % 7 = 3) = (latency_s IS NULL"
                             " AND outcome = 'dropped' AND model = -1)"
                             " AND estimate_s IS NULL", NULL), (int64_t)n);
    assert_integrity(db);
    sqlite3_close(db);
}

/* The log in another order: record i goes to place (i * 7919) mod n, a
 * permutation when n is not a multiple of 7919 (a prime). */
static void shuffle_requests(st_request_log *log)
{
    size_t n = log->n;
    st_request_rec *v = malloc(n * sizeof *v);
    assert_non_null(v);
    for (size_t i = 0; i < n; i++)
        v[i * 7919 % n] = log->recs[i];
    memcpy(log->recs, v, n * sizeof *v);
    free(v);
}

/* Rows of run `key` whose values are not those many_requests gave the
 * request numbered req_id / step: 0 when the run was stored whole (the
 * table keeps its rows in (run_id, req_id) order by itself). */
static int64_t misplaced_rows(sqlite3 *db, const char *key, int step)
{
    char sql[1024];
    snprintf(sql, sizeof sql,
             "WITH q AS (SELECT req_id / %d - 1 AS i, * FROM requests WHERE"
             " run_id = (SELECT id FROM runs WHERE run_key = ?1))"
             " SELECT count(*) FROM q WHERE NOT (req_id %% %d = 0"
             " AND arrival_s = i / 4.0 AND device = i %% 13 AND ((i %% 7 = 3)"
             " = (latency_s IS NULL AND outcome = 'dropped' AND model = -1))"
             " AND estimate_s IS NULL)", step, step);
    return raw_int(db, sql, key);
}

/* Rows are logged as requests finish and stored by id: a log in any order,
 * with ids counting up (placed by id) or spread out (sorted), is stored
 * whole, each row with its own values; the statement kept between runs
 * serves the next run, after a failed one too. */
static void test_requests_stored_by_id(void **state)
{
    (void)state;
    const char *path = db_path("by-id.db");
    st_store *s = open_store(path);
    st_request_log dense = {0}, spread = {0};
    size_t n = 64 * 5 + 8 * 3 + 5;
    many_requests(&dense, n);
    many_requests(&spread, n);
    for (size_t i = 0; i < n; i++)
        spread.recs[i].id *= 1000;
    shuffle_requests(&dense);
    shuffle_requests(&spread);
    st_run_record r = record("dense", NULL, &dense);
    put(s, &r);
    r = record("spread", NULL, &spread);
    put(s, &r);
    st_request_rec keep = dense.recs[n / 2];
    dense.recs[n / 2].id = dense.recs[0].id;
    st_error err = {{0}};
    r = record("dup", NULL, &dense);
    assert_int_equal(st_store_put_run(s, &r, &err), -1);
    dense.recs[n / 2] = keep;
    r = record("again", NULL, &dense);
    put(s, &r);
    st_store_close(s);

    sqlite3 *db = raw_open(path);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM requests", NULL),
                     3 * (int64_t)n);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM runs WHERE run_key ="
                             " ?1", "dup"), 0);
    assert_int_equal(misplaced_rows(db, "dense", 1), 0);
    assert_int_equal(misplaced_rows(db, "spread", 1000), 0);
    assert_int_equal(misplaced_rows(db, "again", 1), 0);
    assert_int_equal(raw_int(db, "SELECT count(DISTINCT req_id) FROM requests"
                             " WHERE run_id = (SELECT id FROM runs WHERE"
                             " run_key = ?1)", "spread"), (int64_t)n);
    assert_integrity(db);
    sqlite3_close(db);
    st_request_log_free(&dense);
    st_request_log_free(&spread);
}

static void test_missing_key_rejected(void **state)
{
    (void)state;
    st_store *s = open_store(db_path("nokey.db"));
    st_run_record r = record(NULL, NULL, NULL);
    st_error err = {{0}};
    assert_int_equal(st_store_put_run(s, &r, &err), -1);
    assert_non_null(strstr(err.msg, "run key"));
    st_store_close(s);
}

static void test_hostile_text_verbatim(void **state)
{
    (void)state;
    static const char evil[] = "x'); DROP TABLE runs;--";
    const char *path = db_path("evil.db");
    st_store *s = open_store(path);
    st_run_record r = record(evil, NULL, NULL);
    r.scenario = evil;
    r.params = "\"; DELETE FROM metrics; --";
    put(s, &r);
    st_error err = {{0}};
    assert_int_equal(st_store_has_run(s, evil, &err), 1);
    st_store_close(s);

    sqlite3 *db = raw_open(path);
    char t[128];
    assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE"
                             " type = 'table' AND name = 'runs'", NULL), 1);
    assert_string_equal(raw_text(db, "SELECT scenario FROM runs", NULL, t,
                                 sizeof t), evil);
    assert_string_equal(raw_text(db, "SELECT params FROM runs", NULL, t,
                                 sizeof t), "\"; DELETE FROM metrics; --");
    sqlite3_close(db);
}

/* Reopening keeps the data; the schema is not recreated over it. */
static void test_reopen_keeps_runs(void **state)
{
    (void)state;
    const char *path = db_path("reopen.db");
    st_store *s = open_store(path);
    st_run_record r = record("r1", NULL, NULL);
    put(s, &r);
    st_store_close(s);
    s = open_store(path);
    st_error err = {{0}};
    assert_int_equal(st_store_has_run(s, "r1", &err), 1);
    st_store_close(s);
    assert_int_equal(st_store_open_readonly(path, &s, &err), 0);
    assert_int_equal(st_store_has_run(s, "r1", &err), 1);
    st_store_close(s);
}

/* ---- what makes a run what it is (schema version 2) -------------------- */

static void test_config_hash_ignores_only_the_seed(void **state)
{
    (void)state;
    char a[17], b[17], c[17], d[17], e[17];
    st_store_config_hash("name: q\nseed: 1\nx: 2\n", "local", "", a);
    st_store_config_hash("name: q\nseed: 99\nx: 2\n", "local", "", b);
    st_store_config_hash("name: q\nseed: 1\nx: 3\n", "local", "", c);
    st_store_config_hash("name: q\nseed: 1\nx: 2\n", "cloud", "", d);
    st_store_config_hash("name: q\nseed: 1\nx: 2\n", "local", "k=1", e);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_string_not_equal(a, d);
    assert_string_not_equal(a, e);
    /* a nested key named seed is configuration, not the run's seed */
    st_store_config_hash("name: q\nseed: 1\nx:\n  seed: 2\n", "local", "", b);
    st_store_config_hash("name: q\nseed: 1\nx:\n  seed: 3\n", "local", "", c);
    assert_string_not_equal(b, c);
}

static void test_overrides_and_sweep_stored(void **state)
{
    (void)state;
    const char *path = db_path("overrides.db");
    st_store *s = open_store(path);
    st_metrics m = {0};
    st_metrics_add(&m, "slo_attainment", 0.5);
    const char *ok[] = {"devices.0.count", "duration"};
    const char *ov[] = {"50", "20 s"};
    const char *gk[] = {"devices.0.count"};
    const char *gv[] = {"50"};
    st_run_record r = record("ov1", &m, NULL);
    r.config_text = "name: q\nseed: 3\n";
    r.n_overrides = 2;
    r.override_keys = ok;
    r.override_values = ov;
    r.n_grid = 1;
    r.grid_keys = gk;
    r.grid_values = gv;
    r.sweep = "grow";
    r.sweep_file = "grow.yaml";
    r.sweep_hash = "0123456789abcdef";
    r.sweep_point = 4;
    r.scenario_file = "q.yaml";
    put(s, &r);
    st_store_close(s);
    sqlite3 *db = raw_open(path);
    char buf[256], want[17];
    assert_string_equal(raw_text(db, "select overrides from runs", NULL, buf,
                                 sizeof buf), "devices.0.count=50\nduration=20 s");
    assert_int_equal(raw_int(db, "select count(*) from run_overrides", NULL), 2);
    assert_string_equal(raw_text(db, "select value from run_overrides where"
                                 " key = ?1", "duration", buf, sizeof buf),
                        "20 s");
    assert_string_equal(raw_text(db, "select sweep || ' ' || sweep_file || ' '"
                                 " || sweep_hash || ' ' || sweep_point || ' ' ||"
                                 " scenario_file from runs", NULL, buf,
                                 sizeof buf),
                        "grow grow.yaml 0123456789abcdef 4 q.yaml");
    st_store_config_hash("name: q\nseed: 3\n", "local", "k=1", want);
    assert_string_equal(raw_text(db, "select config_hash from runs", NULL, buf,
                                 sizeof buf), want);
    /* the summary view has the keys and the metric as columns */
    assert_string_equal(raw_text(db, "select \"devices.0.count\" || ' ' ||"
                                 " duration || ' ' || slo_attainment from"
                                 " run_summary", NULL, buf, sizeof buf),
                        "50 20 s 0.5");
    sqlite3_close(db);
}

/* Loads the dump tests/data/store-vN.sql (written by schema version N)
 * into a fresh database file at path. */
static void make_old_db(const char *path, int version)
{
    char dump[64];
    snprintf(dump, sizeof dump, "tests/data/store-v%d.sql", version);
    FILE *f = fopen(tu_src(dump), "r");
    assert_non_null(f);
    char *sql = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&sql, &len);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, n, m);
    fclose(f);
    fclose(m);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("loading the v%d dump: %s", version, msg);
    sqlite3_close(db);
    free(sql);
}

/* What the migration must give, read through plain SQL. */
static void check_migrated(sqlite3 *db)
{
    /* every run has both hashes; text_hash is the old whole-text hash */
    assert_int_equal(raw_int(db, "select count(*) from runs where"
                             " config_hash is null or text_hash is null", NULL),
                     0);
    /* the sweep's two seeds of each SLO are one configuration each, the
     * two SLOs and the single cloud run three different ones */
    assert_int_equal(raw_int(db, "select count(distinct config_hash) from runs",
                             NULL), 3);
    assert_int_equal(raw_int(db, "select count(*) from (select config_hash"
                             " from runs group by config_hash having"
                             " count(distinct seed) = 2)", NULL), 2);
    /* nothing lost, and the new tables and views answer */
    assert_int_equal(raw_int(db, "select count(*) from runs", NULL), 5);
    assert_int_equal(raw_int(db, "select count(*) from metrics", NULL) > 100, 1);
    assert_int_equal(raw_int(db, "select count(*) from requests_named", NULL),
                     raw_int(db, "select count(*) from requests", NULL));
    assert_int_equal(raw_int(db, "select count(*) from run_summary where"
                             " \"devices.0.workload.slo_ms\" = '400'", NULL), 2);
    assert_schema_version(db, "3");
}

static void test_migrates_v1_database(void **state)
{
    (void)state;
    const char *path = db_path("v1.db");
    make_old_db(path, 1);
    st_store *s = open_store(path);
    check_migrated(st_store_sqlite(s));
    /* a migrated database takes new runs */
    st_run_record r = record("after-migration", NULL, NULL);
    put(s, &r);
    st_store_close(s);
    sqlite3 *db = raw_open(path);
    assert_int_equal(raw_int(db, "select count(*) from runs where config_hash"
                             " is not null and text_hash is not null", NULL), 6);
    sqlite3_close(db);
}

static void test_reads_v1_database_without_writing(void **state)
{
    (void)state;
    const char *path = db_path("v1-ro.db");
    make_old_db(path, 1);
    st_store *s;
    st_error err = {{0}};
    if (st_store_open_readonly(path, &s, &err))
        fail_msg("open v1 read-only: %s", err.msg);
    check_migrated(st_store_sqlite(s));
    st_store_close(s);
    sqlite3 *db = raw_open(path);
    assert_schema_version(db, "1");
    sqlite3_close(db);
}

static void test_merges_v1_shard(void **state)
{
    (void)state;
    const char *shard = db_path("v1-shard.db");
    make_old_db(shard, 1);
    st_store *s = open_store(db_path("merged.db"));
    st_merge_stats st = {0, 0, 0};
    st_error err = {{0}};
    if (st_store_merge(s, shard, &st, &err))
        fail_msg("merge: %s", err.msg);
    assert_int_equal(st.added, 5);
    check_migrated(st_store_sqlite(s));
    st_store_close(s);
}

/* Every request row, each column quoted, in key order: what moving the
 * rows to another table must keep (malloc'd). */
static char *requests_text(sqlite3 *db)
{
    sqlite3_stmt *q = raw_row(db, "SELECT group_concat(r, ';') FROM (SELECT"
        " quote(run_id) || ',' || quote(req_id) || ',' || quote(device) || ','"
        " || quote(model) || ',' || quote(node) || ',' || quote(outcome) || ','"
        " || quote(offloaded) || ',' || quote(cold) || ',' || quote(arrival_s)"
        " || ',' || quote(latency_s) || ',' || quote(slo_s) || ','"
        " || quote(accuracy) || ',' || quote(estimate_s) || ','"
        " || quote(attempts) || ',' || quote(completed) AS r FROM requests"
        " ORDER BY run_id, req_id)",
        NULL);
    assert_non_null(q);
    const char *t = (const char *)sqlite3_column_text(q, 0);
    assert_non_null(t);
    char *copy = strdup(t);
    sqlite3_finalize(q);
    return copy;
}

static int is_without_rowid(sqlite3 *db)
{
    return (int)raw_int(db, "SELECT sql LIKE '%WITHOUT ROWID' FROM"
                        " sqlite_master WHERE name = 'requests'", NULL);
}

/* Version 2 kept the request rows in a rowid table; opening such a
 * database moves them, every value as it was, into the WITHOUT ROWID
 * table of version 3, which then reads, exports and takes new runs. */
static void test_migrates_v2_database(void **state)
{
    (void)state;
    const char *path = db_path("v2.db");
    make_old_db(path, 2);
    sqlite3 *db = raw_open(path);
    char *before = requests_text(db);
    assert_int_equal(is_without_rowid(db), 0);
    sqlite3_close(db);

    st_store *s = open_store(path);
    db = st_store_sqlite(s);
    assert_schema_version(db, "3");
    assert_int_equal(is_without_rowid(db), 1);
    char *after = requests_text(db);
    assert_string_equal(after, before);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM requests", NULL), 376);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM requests_named WHERE"
                             " device_class IS NOT NULL", NULL), 376);
    char *csv = export_text(s, ST_EXPORT_REQUESTS);
    size_t lines = 0;
    for (const char *c = csv; *c; c++)
        lines += *c == '\n';
    assert_int_equal(lines, 1 + 376);
    free(csv);
    st_request_log log = {0};
    many_requests(&log, 100);
    st_run_record r = record("after-v2", NULL, &log);
    put(s, &r);
    st_store_close(s);
    st_request_log_free(&log);

    db = raw_open(path);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM requests", NULL), 476);
    assert_integrity(db);
    sqlite3_close(db);
    free(before);
    free(after);
}

/* Read-only, a version-2 database is read as it is (no copy in memory:
 * readers see no difference), the file left as it was; merged, its rows
 * land in version 3. */
static void test_reads_and_merges_v2_database(void **state)
{
    (void)state;
    const char *path = db_path("v2-ro.db");
    make_old_db(path, 2);
    sqlite3 *db = raw_open(path);
    char *before = requests_text(db);
    sqlite3_close(db);

    st_store *s;
    st_error err = {{0}};
    if (st_store_open_readonly(path, &s, &err))
        fail_msg("open v2 read-only: %s", err.msg);
    char *read = requests_text(st_store_sqlite(s));
    assert_string_equal(read, before);
    assert_int_equal(is_without_rowid(st_store_sqlite(s)), 0);
    st_store_close(s);
    db = raw_open(path);
    assert_schema_version(db, "2");
    sqlite3_close(db);

    s = open_store(db_path("v2-merged.db"));
    st_merge_stats st = {0, 0, 0};
    if (st_store_merge(s, path, &st, &err))
        fail_msg("merge: %s", err.msg);
    assert_int_equal(st.added, 2);
    char *merged = requests_text(st_store_sqlite(s));
    assert_string_equal(merged, before);
    st_store_close(s);
    free(before);
    free(read);
    free(merged);
}

static void test_newer_schema_refused(void **state)
{
    (void)state;
    const char *path = db_path("v99.db");
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "create table meta(key text primary key,"
                                  " value text); insert into meta values("
                                  "'schema_version', '99')", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    st_store *s;
    st_error err = {{0}};
    assert_int_equal(st_store_open(path, &s, &err), -1);
    assert_non_null(strstr(err.msg, "schema version 99"));
}

/* ---- export ----------------------------------------------------------- */

static const char *fmt(double v)
{
    static char buf[40];
    st_format_double(v, buf, sizeof buf);
    return buf;
}

static void test_numbers_shortest_round_trip(void **state)
{
    (void)state;
    assert_string_equal(fmt(0.1), "0.1");
    assert_string_equal(fmt(0.4), "0.4");
    assert_string_equal(fmt(0.1 + 0.2), "0.30000000000000004");
    assert_string_equal(fmt(1.0 / 3), "0.3333333333333333");
    assert_string_equal(fmt(100), "100");
    assert_string_equal(fmt(1e22), "1e+22");
    assert_string_equal(fmt(-2.5), "-2.5");
    assert_string_equal(fmt(NAN), "");
    assert_string_equal(fmt(INFINITY), "inf");
    /* any double: reads back exactly, and one digit fewer would not */
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        double v;
        memcpy(&v, &x, sizeof v);
        if (!isfinite(v))
            continue;
        const char *t = fmt(v);
        assert_true(strtod(t, NULL) == v);
        char mant[40];
        int digits = 0;
        snprintf(mant, sizeof mant, "%s", t);
        for (const char *p = mant; *p && *p != 'e'; p++)
            digits += *p >= '0' && *p <= '9';
        char fewer[400];
        snprintf(fewer, sizeof fewer, "%.*g", digits - 1 > 0 ? digits - 1 : 1, v);
        if (digits > 1 && strchr(t, 'e'))
            assert_false(strtod(fewer, NULL) == v);
    }
}

/* Three runs put in an order unlike the export's, with quoting, NaN and a
 * failed run without metrics. */
static st_store *known_db(const char *name, st_request_log *bbb_log,
                          st_request_log *ccc_log)
{
    st_store *s = open_store(db_path(name));
    st_metrics mb = {0}, mc = {0};
    st_metrics_add(&mb, "requests_n", 3);
    st_metrics_add(&mb, "p99_latency_s", 0.25);
    st_metrics_add(&mb, "met_ratio", NAN);
    st_metrics_add(&mc, "x", 0.1);

    st_run_record r = record("bbb", &mb, bbb_log);
    r.params = "a=1,b=\"x\"";
    r.seed = 7;
    put(s, &r);
    r = record("aaa", NULL, NULL);
    r.policy = "cloud";
    r.params = "";
    r.seed = 7;
    r.status = "failed";
    r.message = "boom";
    put(s, &r);
    r = record("ccc", &mc, ccc_log);
    r.scenario = "cloud-only";
    r.params = "line1\nline2";
    r.seed = 1;
    put(s, &r);
    return s;
}

static void known_logs(st_request_log *bbb, st_request_log *ccc)
{
    st_request_rec q;
    q = req(2, 0, 1, 3, ST_OUT_MET, 1.5, 0.125, 0.75, NAN);
    q.attempts = q.completed = 2;
    st_request_log_push(bbb, &q);
    q = req(1, 1, -1, -1, ST_OUT_DROPPED, 0.5, NAN, NAN, NAN);
    q.attempts = 1;
    st_request_log_push(bbb, &q);
    q = req(0, 2, 0, 2, ST_OUT_UNFINISHED, 2.0, NAN, 0.9, 0.3);
    q.cold = 1;
    q.slo_s = 1.0;
    st_request_log_push(ccc, &q);
}

static void test_export_runs_csv(void **state)
{
    (void)state;
    st_request_log lb = {0}, lc = {0};
    st_store *s = known_db("export_runs.db", &lb, &lc);
    char *csv = export_text(s, ST_EXPORT_RUNS);
    assert_string_equal(csv,
        "run_key,scenario,policy,params,seed,status,metric,value\n"
        "ccc,cloud-only,local,\"line1\nline2\",1,ok,x,0.1\n"
        "aaa,edge,cloud,,7,failed,,\n"
        "bbb,edge,local,\"a=1,b=\"\"x\"\"\",7,ok,met_ratio,\n"
        "bbb,edge,local,\"a=1,b=\"\"x\"\"\",7,ok,p99_latency_s,0.25\n"
        "bbb,edge,local,\"a=1,b=\"\"x\"\"\",7,ok,requests_n,3\n");
    free(csv);
    st_store_close(s);
}

static void test_export_requests_csv(void **state)
{
    (void)state;
    st_request_log lb = {0}, lc = {0};
    known_logs(&lb, &lc);
    st_store *s = known_db("export_reqs.db", &lb, &lc);
    st_request_log_free(&lb);
    st_request_log_free(&lc);
    char *csv = export_text(s, ST_EXPORT_REQUESTS);
    assert_string_equal(csv,
        "run_key,scenario,policy,seed,req_id,device,model,node,outcome,"
        "offloaded,cold,arrival_s,latency_s,slo_s,accuracy,estimate_s,"
        "attempts,completed\n"
        "ccc,cloud-only,local,1,0,2,0,2,unfinished,0,1,2,,1,"
        "0.9,0.3,0,0\n"
        "bbb,edge,local,7,1,1,-1,-1,dropped,0,0,0.5,,0.5,,,1,0\n"
        "bbb,edge,local,7,2,0,1,3,met,1,0,1.5,0.125,0.5,0.75,,2,2\n");
    free(csv);
    st_store_close(s);
}

/* The same runs stored in another order export identically. */
static void test_export_is_deterministic(void **state)
{
    (void)state;
    st_request_log lb = {0}, lc = {0};
    st_store *s = known_db("det1.db", &lb, &lc);
    char *first = export_text(s, ST_EXPORT_RUNS);
    st_store_close(s);
    s = known_db("det2.db", &lb, &lc);
    st_run_record r = record("aaa", NULL, NULL);   /* re-put: new row id */
    r.policy = "cloud";
    r.params = "";
    r.seed = 7;
    r.status = "failed";
    put(s, &r);
    char *second = export_text(s, ST_EXPORT_RUNS);
    st_store_close(s);
    assert_string_equal(first, second);
    free(first);
    free(second);
}

static void test_export_empty_db(void **state)
{
    (void)state;
    st_store *s = open_store(db_path("empty.db"));
    char *csv = export_text(s, ST_EXPORT_RUNS);
    assert_string_equal(csv,
        "run_key,scenario,policy,params,seed,status,metric,value\n");
    free(csv);
    st_store_close(s);
}

/* ---- paths that are not results databases ---------------------------- */

static void expect_open_fails(const char *path, const char *why)
{
    st_store *s = (st_store *)&s;   /* must be reset to NULL */
    st_error err = {{0}};
    assert_int_equal(st_store_open(path, &s, &err), -1);
    assert_null(s);
    assert_non_null(strstr(err.msg, path));
    if (!strstr(err.msg, why))
        fail_msg("expected '%s' in: %s", why, err.msg);
    s = (st_store *)&s;
    assert_int_equal(st_store_open_readonly(path, &s, &err), -1);
    assert_null(s);
    assert_non_null(strstr(err.msg, path));
}

static void test_open_directory_fails(void **state)
{
    (void)state;
    expect_open_fails(tu_tmpdir(), "directory");
}

static void test_open_text_file_fails(void **state)
{
    (void)state;
    static const char text[] = "run_key,value\nnot,a database at all\n";
    const char *path = tu_write_file(0, "notadb.csv", text);
    expect_open_fails(path, "not a SQLite database");
    /* Refusing it must not have written to it. */
    FILE *f = fopen(path, "rb");
    char buf[sizeof text + 8] = {0};
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    assert_int_equal(n, sizeof text - 1);
    assert_string_equal(buf, text);
}

static void test_open_foreign_db_fails(void **state)
{
    (void)state;
    const char *path = db_path("foreign.db");
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    expect_open_fails(path, "not a strata results database");
}

static void test_readonly_open_creates_nothing(void **state)
{
    (void)state;
    const char *path = db_path("absent.db");
    st_store *s;
    st_error err = {{0}};
    assert_int_equal(st_store_open_readonly(path, &s, &err), -1);
    assert_non_null(strstr(err.msg, path));
    assert_int_equal(access(path, F_OK), -1);
}

static void test_open_readonly_file_fails(void **state)
{
    (void)state;
    if (geteuid() == 0)
        skip();   /* root writes through file permissions */
    const char *path = db_path("ro.db");
    st_store_close(open_store(path));
    assert_int_equal(chmod(path, 0444), 0);
    st_store *s;
    st_error err = {{0}};
    assert_int_equal(st_store_open(path, &s, &err), -1);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, "read-only"));
}

/* The databases (and their -wal/-shm files) are only of use while the
 * tests run. */
static int remove_tmpdir(void **state)
{
    (void)state;
    const char *dir = tu_tmpdir();
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    char path[1024];
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
    }
    closedir(d);
    rmdir(dir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_reads_back),
        cmocka_unit_test(test_huge_seed_is_text),
        cmocka_unit_test(test_same_key_replaces),
        cmocka_unit_test(test_failed_put_leaves_nothing),
        cmocka_unit_test(test_many_requests),
        cmocka_unit_test(test_requests_stored_by_id),
        cmocka_unit_test(test_replace_clears_every_referencing_table),
        cmocka_unit_test(test_missing_key_rejected),
        cmocka_unit_test(test_hostile_text_verbatim),
        cmocka_unit_test(test_reopen_keeps_runs),
        cmocka_unit_test(test_config_hash_ignores_only_the_seed),
        cmocka_unit_test(test_overrides_and_sweep_stored),
        cmocka_unit_test(test_migrates_v1_database),
        cmocka_unit_test(test_reads_v1_database_without_writing),
        cmocka_unit_test(test_merges_v1_shard),
        cmocka_unit_test(test_migrates_v2_database),
        cmocka_unit_test(test_reads_and_merges_v2_database),
        cmocka_unit_test(test_numbers_shortest_round_trip),
        cmocka_unit_test(test_newer_schema_refused),
        cmocka_unit_test(test_export_runs_csv),
        cmocka_unit_test(test_export_requests_csv),
        cmocka_unit_test(test_export_is_deterministic),
        cmocka_unit_test(test_export_empty_db),
        cmocka_unit_test(test_open_directory_fails),
        cmocka_unit_test(test_open_text_file_fails),
        cmocka_unit_test(test_open_foreign_db_fails),
        cmocka_unit_test(test_readonly_open_creates_nothing),
        cmocka_unit_test(test_open_readonly_file_fails),
    };
    return cmocka_run_group_tests(tests, NULL, remove_tmpdir);
}
