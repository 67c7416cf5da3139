/* merge.c - combines results databases (st_store_merge in store.h): the
 * shards an MPI sweep or a job array wrote, into one study database.
 *
 * The shard is ATTACHed and copied with INSERT ... SELECT, so rows never
 * pass through C.  Which tables hang off runs, and their columns, are read
 * from the schema rather than listed here, so a table added to the store
 * later is merged without touching this file.
 */
#include "results/store.h"
#include "results/store_impl.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_TABLES 64

/* The tables of main that have a run_id column and exist in the shard. */
static const char child_tables_sql[] =
    "SELECT m.name FROM main.sqlite_master m"
    " WHERE m.type = 'table' AND m.name <> 'runs'"
    " AND EXISTS (SELECT 1 FROM pragma_table_info(m.name, 'main') p"
    "             WHERE p.name = 'run_id')"
    " AND EXISTS (SELECT 1 FROM shard.sqlite_master s"
    "             WHERE s.type = 'table' AND s.name = m.name)"
    " ORDER BY m.name";

/* Columns both copies of a table have, except those named skip. */
static const char common_columns_sql[] =
    "SELECT p.name FROM pragma_table_info(?1, 'main') p"
    " WHERE p.name <> ?2 AND EXISTS"
    " (SELECT 1 FROM pragma_table_info(?1, 'shard') q WHERE q.name = p.name)"
    " ORDER BY p.cid";

typedef struct copier {
    sqlite3_stmt *find_dst;     /* id, status of a run_key in main */
    sqlite3_stmt *copy_run;     /* the run row; its new id is the rowid */
    sqlite3_stmt *del_run;
    sqlite3_stmt *copy[MAX_TABLES], *del[MAX_TABLES];
    int n;
} copier;

static void copier_free(copier *c)
{
    sqlite3_finalize(c->find_dst);
    sqlite3_finalize(c->copy_run);
    sqlite3_finalize(c->del_run);
    for (int i = 0; i < c->n; i++) {
        sqlite3_finalize(c->copy[i]);
        sqlite3_finalize(c->del[i]);
    }
}

/* "a", "b", ... quoted, comma-separated, as an sqlite3_str. */
static int column_list(sqlite3 *db, const char *table, const char *skip,
                       sqlite3_str *out)
{
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(db, common_columns_sql, -1, &q, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, skip, -1, SQLITE_STATIC);
    }
    int first = 1;
    while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        sqlite3_str_appendf(out, "%s\"%w\"", first ? "" : ", ",
                            (const char *)sqlite3_column_text(q, 0));
        first = 0;
        rc = SQLITE_OK;
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int prepare_str(sqlite3 *db, sqlite3_str *s, sqlite3_stmt **q)
{
    int rc = sqlite3_str_errcode(s);
    char *sql = sqlite3_str_finish(s);
    if (rc == SQLITE_OK)
        rc = sql ? sqlite3_prepare_v2(db, sql, -1, q, NULL) : SQLITE_NOMEM;
    sqlite3_free(sql);
    return rc;
}

/* INSERT INTO main.t(run_id, cols) SELECT ?1, cols FROM shard.t
 *  WHERE run_id = ?2, and its DELETE. */
static int prepare_child(sqlite3 *db, const char *t, copier *c)
{
    sqlite3_str *cols = sqlite3_str_new(db);
    int rc = column_list(db, t, "run_id", cols);
    char *list = sqlite3_str_finish(cols);
    if (rc == SQLITE_OK && !list)
        rc = SQLITE_NOMEM;
    if (rc == SQLITE_OK) {
        sqlite3_str *s = sqlite3_str_new(db);
        const char *sep = *list ? ", " : "";
        sqlite3_str_appendf(s, "INSERT INTO main.\"%w\"(run_id%s%s)"
                            " SELECT ?1%s%s FROM shard.\"%w\" WHERE run_id = ?2",
                            t, sep, list, sep, list, t);
        rc = prepare_str(db, s, &c->copy[c->n]);
    }
    sqlite3_free(list);
    if (rc == SQLITE_OK) {
        sqlite3_str *s = sqlite3_str_new(db);
        sqlite3_str_appendf(s, "DELETE FROM main.\"%w\" WHERE run_id = ?1", t);
        rc = prepare_str(db, s, &c->del[c->n]);
    }
    if (rc == SQLITE_OK)
        c->n++;
    return rc;
}

static int prepare_copier(sqlite3 *db, copier *c)
{
    int rc = sqlite3_prepare_v2(db, "SELECT id, status FROM main.runs"
                                " WHERE run_key = ?1", -1, &c->find_dst, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, "DELETE FROM main.runs WHERE id = ?1", -1,
                                &c->del_run, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_str *cols = sqlite3_str_new(db);
        rc = column_list(db, "runs", "id", cols);
        char *list = sqlite3_str_finish(cols);
        if (rc == SQLITE_OK && !list)
            rc = SQLITE_NOMEM;
        if (rc == SQLITE_OK) {
            sqlite3_str *s = sqlite3_str_new(db);
            sqlite3_str_appendf(s, "INSERT INTO main.runs(%s) SELECT %s"
                                " FROM shard.runs WHERE id = ?1", list, list);
            rc = prepare_str(db, s, &c->copy_run);
        }
        sqlite3_free(list);
    }
    sqlite3_stmt *q = NULL;
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, child_tables_sql, -1, &q, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        rc = c->n < MAX_TABLES
                 ? prepare_child(db, (const char *)sqlite3_column_text(q, 0), c)
                 : SQLITE_TOOBIG;
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int step_reset(sqlite3_stmt *q)
{
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

/* Removes a run of main and its rows. */
static int delete_run(copier *c, sqlite3_int64 id)
{
    int rc = SQLITE_OK;
    for (int i = 0; i < c->n && rc == SQLITE_OK; i++) {
        sqlite3_bind_int64(c->del[i], 1, id);
        rc = step_reset(c->del[i]);
    }
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(c->del_run, 1, id);
        rc = step_reset(c->del_run);
    }
    return rc;
}

static int copy_run(sqlite3 *db, copier *c, sqlite3_int64 old_id)
{
    sqlite3_bind_int64(c->copy_run, 1, old_id);
    int rc = step_reset(c->copy_run);
    sqlite3_int64 new_id = sqlite3_last_insert_rowid(db);
    for (int i = 0; i < c->n && rc == SQLITE_OK; i++) {
        sqlite3_bind_int64(c->copy[i], 1, new_id);
        sqlite3_bind_int64(c->copy[i], 2, old_id);
        rc = step_reset(c->copy[i]);
    }
    return rc;
}

/* One shard run: kept out, added, or replacing a failed one. */
static int merge_run(sqlite3 *db, copier *c, sqlite3_int64 id,
                     const char *key, int shard_ok, st_merge_stats *st)
{
    sqlite3_bind_text(c->find_dst, 1, key, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(c->find_dst);
    int found = rc == SQLITE_ROW;
    sqlite3_int64 dst_id = found ? sqlite3_column_int64(c->find_dst, 0) : 0;
    const char *status = found ? (const char *)sqlite3_column_text(
                                     c->find_dst, 1) : NULL;
    int dst_ok = status && strcmp(status, "ok") == 0;
    sqlite3_reset(c->find_dst);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return rc;
    if (found && (dst_ok || !shard_ok)) {
        st->skipped++;
        return SQLITE_OK;
    }
    rc = found ? delete_run(c, dst_id) : SQLITE_OK;
    if (rc == SQLITE_OK)
        rc = copy_run(db, c, id);
    if (rc == SQLITE_OK) {
        st->replaced += (size_t)found;
        st->added += (size_t)!found;
    }
    return rc;
}

static int merge_all(sqlite3 *db, copier *c, st_merge_stats *st)
{
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(db, "SELECT id, run_key, status = 'ok'"
                                " FROM shard.runs ORDER BY id", -1, &q, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW)
        rc = merge_run(db, c, sqlite3_column_int64(q, 0),
                       (const char *)sqlite3_column_text(q, 1),
                       sqlite3_column_int(q, 2), st);
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Everything between ATTACH and DETACH, in one transaction.  The error
 * text is kept in msg before a ROLLBACK replaces it with "not an error". */
static int merge_attached(sqlite3 *db, st_merge_stats *st, char *msg,
                          size_t n)
{
    copier c;
    memset(&c, 0, sizeof c);
    st_merge_stats mine = {0, 0, 0};
    int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = prepare_copier(db, &c);
    if (rc == SQLITE_OK)
        rc = merge_all(db, &c, &mine);
    copier_free(&c);
    if (rc == SQLITE_OK)
        rc = st_store_refresh_derived(db);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        snprintf(msg, n, "%s", sqlite3_errcode(db) != SQLITE_OK
                               ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    if (rc != SQLITE_OK && !sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    if (rc == SQLITE_OK) {
        st->added += mine.added;
        st->replaced += mine.replaced;
        st->skipped += mine.skipped;
    }
    return rc;
}

static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

int st_store_merge(st_store *s, const char *shard_path, st_merge_stats *stats,
                   st_error *err)
{
    if (same_file(st_store_path(s), shard_path))
        return st_error_set(err, "%s: cannot merge a database into itself",
                            shard_path);
    /* Opening it as a store first gives the clear messages for a missing
     * file, a non-database, or another schema version. */
    st_store *shard;
    if (st_store_open_readonly(shard_path, &shard, err))
        return -1;
    st_store_close(shard);
    sqlite3 *db = st_store_sqlite(s);
    sqlite3_stmt *q = NULL;
    /* The copies rely on SQLite's foreign keys (a put of this handle may
     * have turned them off: store_put.c). */
    int rc = store_foreign_keys(s, 1);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, "ATTACH DATABASE ?1 AS shard", -1, &q,
                                NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(q, 1, shard_path, -1, SQLITE_STATIC);
        rc = step_reset(q);
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_OK)
        return st_error_set(err, "%s: cannot open it to merge: %s", shard_path,
                            sqlite3_errmsg(db));
    char msg[512] = "";
    rc = merge_attached(db, stats, msg, sizeof msg);
    sqlite3_exec(db, "DETACH DATABASE shard", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return st_error_set(err, "%s: cannot merge into %s: %s", shard_path,
                            st_store_path(s), msg);
    return 0;
}
