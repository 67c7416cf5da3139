/* store.c - the results database: opening it, creating or migrating its
 * schema, read-only access (see store.h).  Writing a run is store_put.c,
 * export export.c. */
#include "results/store.h"
#include "results/store_impl.h"
#include "base/hash.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SCHEMA_VERSION 3
/* The oldest schema a reader reads as it is: version 3 changed only how
 * the request rows are kept, not what any query sees. */
#define READ_AS_IS_VERSION 2
#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)
#define BUSY_TIMEOUT_MS 10000


/* What version 2 added: the run's configuration hash (config_hash now
 * leaves the seed out; text_hash is the old whole-text hash), where it
 * came from (file, overrides, sweep), the names behind request indices,
 * and the requests_named view.  PRE and POST wrap each column so the list
 * serves both CREATE TABLE and ALTER TABLE. */
#define V2_RUN_COLUMNS(PRE, POST)                                            \
    PRE " text_hash TEXT" POST PRE " scenario_file TEXT" POST                \
    PRE " overrides TEXT" POST PRE " sweep TEXT" POST                        \
    PRE " sweep_file TEXT" POST PRE " sweep_hash TEXT" POST                  \
    PRE " sweep_point INTEGER" POST

#define NAME_OF(KIND, COL)                                                   \
    " (SELECT n.name FROM run_names n WHERE n.run_id = q.run_id"             \
    " AND n.kind = '" KIND "' AND q." COL " BETWEEN n.first AND n.last)"

#define V2_TABLES                                                            \
    "CREATE TABLE IF NOT EXISTS run_overrides("                              \
    " run_id INTEGER REFERENCES runs(id) ON DELETE CASCADE,"                 \
    " pos INTEGER, key TEXT, value TEXT, PRIMARY KEY(run_id, pos));"         \
    "CREATE TABLE IF NOT EXISTS run_names("                                  \
    " run_id INTEGER REFERENCES runs(id) ON DELETE CASCADE,"                 \
    " kind TEXT, first INTEGER, last INTEGER, name TEXT,"                    \
    " PRIMARY KEY(run_id, kind, first));"                                    \
    "CREATE VIEW IF NOT EXISTS requests_named AS SELECT r.run_key,"          \
    " r.scenario, r.sweep, r.policy, r.seed, r.config_hash, q.req_id,"       \
    NAME_OF("device", "device") " AS device_class, q.device,"                \
    NAME_OF("model", "model") " AS model," NAME_OF("node", "node")           \
    " AS node, q.outcome, q.offloaded, q.cold, q.arrival_s, q.latency_s,"    \
    " q.slo_s, q.accuracy, q.estimate_s"                                     \
    " FROM requests q JOIN runs r ON r.id = q.run_id;"

/* The request rows, in table `name`.  Version 3 made it a WITHOUT ROWID
 * table, the rows kept in the (run_id, req_id) key itself: a rowid table
 * with that primary key writes every row twice, to the table's b-tree and
 * to the key's index.  Storing a run of 600,000 rows so took 46% more
 * page writes and, as the two trees crowd each other out of the page
 * cache, twice the page reads, for a database 11% larger. */
#define REQUESTS_TABLE(name)                                                 \
    "CREATE TABLE IF NOT EXISTS " name "("                                   \
    " run_id INTEGER REFERENCES runs(id) ON DELETE CASCADE,"                 \
    " req_id INTEGER, device INTEGER, model INTEGER, node INTEGER,"          \
    " outcome TEXT, offloaded INTEGER, cold INTEGER, arrival_s REAL,"        \
    " latency_s REAL, slo_s REAL, accuracy REAL, estimate_s REAL,"           \
    " attempts INTEGER, completed INTEGER,"                                  \
    " PRIMARY KEY(run_id, req_id)) WITHOUT ROWID;"

/* The whole schema.  Every statement is idempotent so two processes that
 * open a fresh database at once both succeed.  Columns added by a later
 * version go at the end of their table, so a migrated database has the
 * same layout as a fresh one (merge copies columns by name anyway). */
static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS meta("
    " key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "INSERT OR IGNORE INTO meta(key, value)"
    " VALUES('schema_version', '" STRINGIFY(SCHEMA_VERSION) "');"
    "CREATE TABLE IF NOT EXISTS runs("
    " id INTEGER PRIMARY KEY, run_key TEXT NOT NULL UNIQUE, scenario TEXT,"
    " config_text TEXT, config_hash TEXT, policy TEXT, params TEXT,"
    " seed INTEGER, version TEXT, started TEXT, finished TEXT, wall_s REAL,"
    " events INTEGER, status TEXT NOT NULL, message TEXT"
    V2_RUN_COLUMNS(",", "") ");"
    "CREATE TABLE IF NOT EXISTS metrics("
    " run_id INTEGER REFERENCES runs(id) ON DELETE CASCADE,"
    " name TEXT, value REAL, PRIMARY KEY(run_id, name));"
    "CREATE TABLE IF NOT EXISTS run_params("
    " run_id INTEGER REFERENCES runs(id) ON DELETE CASCADE,"
    " key TEXT, value TEXT, PRIMARY KEY(run_id, key));"
    REQUESTS_TABLE("requests")
    "CREATE TABLE IF NOT EXISTS timeseries("
    " run_id INTEGER REFERENCES runs(id) ON DELETE CASCADE,"
    " slot INTEGER, name TEXT, value REAL, t_s REAL,"
    " PRIMARY KEY(run_id, slot, name));"
    V2_TABLES;

/* Version 1 to 2, inside the opener's transaction; the hashes of the old
 * runs are then filled in by rehash_runs. */
static const char migrate_v1_sql[] =
    V2_RUN_COLUMNS("ALTER TABLE runs ADD COLUMN", ";")
    "ALTER TABLE timeseries ADD COLUMN t_s REAL;"
    "ALTER TABLE requests ADD COLUMN attempts INTEGER;"
    "ALTER TABLE requests ADD COLUMN completed INTEGER;"
    "UPDATE runs SET config_hash = NULL;"
    V2_TABLES
    "UPDATE meta SET value = '2' WHERE key = 'schema_version';";

/* Version 2 to 3, inside the opener's transaction: the request rows are
 * copied into a WITHOUT ROWID table that then takes the old one's name.
 * requests_named goes first (the schema recreates it), as a rename checks
 * every view and this one would name a table that is gone.  A row without
 * a key could name no run and cannot enter the new key, so stays behind. */
static const char migrate_v2_sql[] =
    "DROP VIEW IF EXISTS requests_named;"
    REQUESTS_TABLE("requests_v3")
    "INSERT INTO requests_v3(" REQUESTS_COLUMNS ") SELECT " REQUESTS_COLUMNS
    " FROM requests WHERE run_id IS NOT NULL AND req_id IS NOT NULL"
    " ORDER BY run_id, req_id;"
    "DROP TABLE requests;"
    "ALTER TABLE requests_v3 RENAME TO requests;"
    "UPDATE meta SET value = '3' WHERE key = 'schema_version';";

/* ---- errors ---------------------------------------------------------- */

/* A plain-language reason for the SQLite failures a user can cause or fix;
 * NULL for the rest, whose SQLite message is then shown on its own. */
static const char *hint_for(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_NOTADB:   return "the file is not a SQLite database";
    case SQLITE_CORRUPT:  return "the database file is corrupt";
    case SQLITE_READONLY: return "the database is read-only (check the"
                                 " permissions of the file and its directory)";
    case SQLITE_FULL:     return "the disk is full";
    case SQLITE_CANTOPEN: return "the file cannot be opened (check that its"
                                 " directory exists and is writable)";
    case SQLITE_BUSY:
    case SQLITE_LOCKED:   return "the database stayed locked by another"
                                 " process for too long";
    case SQLITE_IOERR:    return "an I/O error occurred";
    case SQLITE_PERM:     return "permission denied";
    default:              return NULL;
    }
}

int store_fail(st_error *err, const char *path, sqlite3 *db, int rc,
                      const char *doing)
{
    const char *detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    const char *hint = hint_for(rc);
    if (hint)
        return st_error_set(err, "%s: cannot %s: %s (%s)", path, doing, hint,
                            detail);
    return st_error_set(err, "%s: cannot %s: %s", path, doing, detail);
}

/* ---- binding and stepping ------------------------------------------- */


binder store_bind_start(sqlite3_stmt *q)
{
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return (binder){q, 0, SQLITE_OK};
}

static void bind_rc(binder *b, int rc)
{
    if (b->rc == SQLITE_OK)
        b->rc = rc;
}

void store_bind_text(binder *b, const char *s)
{
    int i = ++b->i;
    bind_rc(b, s ? sqlite3_bind_text(b->q, i, s, -1, SQLITE_STATIC)
                 : sqlite3_bind_null(b->q, i));
}

void store_bind_int(binder *b, int64_t v)
{
    bind_rc(b, sqlite3_bind_int64(b->q, ++b->i, v));
}

/* A uint64 beyond INT64_MAX goes in as text: an int64 bit pattern would
 * read back negative in any SQL client.  The text is hex because an INTEGER
 * column converts decimal text that overflows int64 to a (lossy) REAL,
 * while "0x..." text is kept as it is. */
const char *store_u64_text(uint64_t v, char buf[STORE_U64_TEXT])
{
    snprintf(buf, STORE_U64_TEXT, "0x%016" PRIx64, v);
    return buf;
}

void store_bind_u64(binder *b, uint64_t v)
{
    int i = ++b->i;
    if (v <= (uint64_t)INT64_MAX) {
        bind_rc(b, sqlite3_bind_int64(b->q, i, (int64_t)v));
        return;
    }
    char buf[STORE_U64_TEXT];
    bind_rc(b, sqlite3_bind_text(b->q, i, store_u64_text(v, buf), -1,
                                 SQLITE_TRANSIENT));
}

/* NaN means "not measured"; NULL says so to SQL (and exports as empty). */
void store_bind_real(binder *b, double v)
{
    int i = ++b->i;
    bind_rc(b, isnan(v) ? sqlite3_bind_null(b->q, i)
                        : sqlite3_bind_double(b->q, i, v));
}

/* Runs a bound statement that returns no rows. */
int store_step_done(binder *b)
{
    if (b->rc != SQLITE_OK)
        return b->rc;
    int rc = sqlite3_step(b->q);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* ---- opening --------------------------------------------------------- */

int store_exec(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

int store_foreign_keys(st_store *s, int on)
{
    if (s->fk_off == !on)
        return SQLITE_OK;
    int rc = store_exec(s->db, on ? "PRAGMA foreign_keys = ON"
                                  : "PRAGMA foreign_keys = OFF");
    if (rc == SQLITE_OK)
        s->fk_off = !on;
    return rc;
}

/* Reads the first column of a one-row query as an integer; a query that
 * returns no row yields *out = missing. */
int store_query_int(sqlite3 *db, const char *sql, int64_t missing,
                     int64_t *out)
{
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(db, sql, -1, &q, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(q);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : missing;
    if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        rc = SQLITE_OK;
    sqlite3_finalize(q);
    return rc;
}

static int query_has_meta(sqlite3 *db, int64_t *has_meta)
{
    return store_query_int(db, "SELECT count(*) FROM sqlite_master"
                     " WHERE type = 'table' AND name = 'meta'", 0, has_meta);
}

/* The schema version of the database: 0 for a fresh (empty) one.
 * Refuses a database that some other program owns (tables but no meta) or
 * that a newer strata laid out. */
static int check_schema(st_store *s, int64_t *version, st_error *err)
{
    int64_t has_meta, tables;
    *version = 0;
    int rc = query_has_meta(s->db, &has_meta);
    if (rc == SQLITE_OK)
        rc = store_query_int(s->db, "SELECT count(*) FROM sqlite_master"
                       " WHERE type = 'table'", 0, &tables);
    if (rc != SQLITE_OK)
        return store_fail(err, s->path, s->db, rc, "read the schema");
    if (!has_meta)
        return tables ? st_error_set(err, "%s: is a SQLite database but not a"
                                     " strata results database (it has no"
                                     " meta table)", s->path)
                      : 0;
    rc = store_query_int(s->db, "SELECT CAST(value AS INTEGER) FROM meta"
                   " WHERE key = 'schema_version'", -1, version);
    if (rc != SQLITE_OK)
        return store_fail(err, s->path, s->db, rc, "read the schema");
    if (*version < 1 || *version > SCHEMA_VERSION)
        return st_error_set(err, "%s: results database has schema version"
                            " %" PRId64 ", but this strata reads versions 1"
                            " to %d", s->path, *version, SCHEMA_VERSION);
    return 0;
}

/* Fills text_hash and config_hash of the runs that have a text but no
 * text_hash: runs a version-1 strata stored (migrated, or merged in from a
 * version-1 shard). */
static int rehash_runs(sqlite3 *db)
{
    sqlite3_stmt *q, *u;
    int rc = sqlite3_prepare_v2(db, "SELECT id, config_text, policy, params"
                                " FROM runs WHERE text_hash IS NULL"
                                " AND config_text IS NOT NULL", -1, &q, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_prepare_v2(db, "UPDATE runs SET text_hash = ?2,"
                            " config_hash = ?3 WHERE id = ?1", -1, &u, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(q, 1);
        const char *pol = (const char *)sqlite3_column_text(q, 2);
        const char *par = (const char *)sqlite3_column_text(q, 3);
        char th[17], ch[17];
        st_hash_hex(st_hash_str(ST_HASH_INIT, text), th);
        st_store_config_hash(text, pol ? pol : "", par ? par : "", ch);
        sqlite3_reset(u);
        sqlite3_bind_int64(u, 1, sqlite3_column_int64(q, 0));
        sqlite3_bind_text(u, 2, th, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(u, 3, ch, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(u) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
    }
    sqlite3_finalize(q);
    sqlite3_finalize(u);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int has_view(sqlite3 *db, const char *name)
{
    sqlite3_stmt *q;
    int n = 0;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master WHERE"
                           " type = 'view' AND name = ?1", -1, &q,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
        if (sqlite3_step(q) == SQLITE_ROW)
            n = sqlite3_column_int(q, 0);
    }
    sqlite3_finalize(q);
    return n > 0;
}

int st_store_refresh_derived(sqlite3 *db)
{
    int rc = rehash_runs(db);
    return rc == SQLITE_OK ? st_store_refresh_summary(db) : rc;
}

/* Brings a database of version `version` (0: empty) to the current
 * schema, inside the caller's transaction. */
static int upgrade(sqlite3 *db, int64_t version)
{
    int rc = version == 1 ? store_exec(db, migrate_v1_sql) : SQLITE_OK;
    if (rc == SQLITE_OK && version >= 1 && version <= 2)
        rc = store_exec(db, migrate_v2_sql);
    if (rc == SQLITE_OK)
        rc = store_exec(db, schema_sql);
    if (rc == SQLITE_OK && version == 1)
        rc = rehash_runs(db);
    if (rc == SQLITE_OK && !has_view(db, "run_summary"))
        rc = st_store_refresh_summary(db);
    return rc;
}

/* Creates or migrates the tables inside one write transaction, so a
 * concurrent opener waits instead of seeing half a schema. */
static int create_schema(st_store *s, st_error *err)
{
    int rc = store_exec(s->db, "BEGIN IMMEDIATE");
    if (rc != SQLITE_OK)
        return store_fail(err, s->path, s->db, rc, "create the schema");
    int64_t version;
    if (check_schema(s, &version, err) < 0) {
        store_exec(s->db, "ROLLBACK");
        return -1;
    }
    rc = upgrade(s->db, version);
    if (rc == SQLITE_OK)
        rc = store_exec(s->db, "COMMIT");
    if (rc != SQLITE_OK) {
        store_fail(err, s->path, s->db, rc, version
                   ? "migrate the database to the current schema"
                   : "create the schema");
        store_exec(s->db, "ROLLBACK");
        return -1;
    }
    return 0;
}

/* A database opened read-only with a schema older than READ_AS_IS_VERSION
 * is copied into memory and migrated there: readers see the current
 * schema, the file is never written. */
static int migrate_in_memory(st_store *s, int64_t version, st_error *err)
{
    sqlite3 *mem;
    int rc = sqlite3_open_v2(":memory:", &mem, SQLITE_OPEN_READWRITE, NULL);
    sqlite3_backup *b = rc == SQLITE_OK
                            ? sqlite3_backup_init(mem, "main", s->db, "main")
                            : NULL;
    if (b) {
        sqlite3_backup_step(b, -1);
        rc = sqlite3_backup_finish(b);
    } else if (rc == SQLITE_OK) {
        rc = sqlite3_errcode(mem);
    }
    if (rc == SQLITE_OK)
        rc = store_exec(mem, "BEGIN");
    if (rc == SQLITE_OK)
        rc = upgrade(mem, version);
    if (rc == SQLITE_OK)
        rc = store_exec(mem, "COMMIT");
    if (rc != SQLITE_OK) {
        store_fail(err, s->path, mem, rc, "migrate the database (in memory)");
        sqlite3_close(mem);
        return -1;
    }
    sqlite3_close(s->db);
    s->db = mem;
    return 0;
}

/* Switches to WAL; journal_mode answers with the mode it ended up in, which
 * is not WAL on filesystems that cannot share memory, so check it. */
static int enable_wal(st_store *s, st_error *err)
{
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &q,
                                NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(q);
    const char *mode = rc == SQLITE_ROW
                           ? (const char *)sqlite3_column_text(q, 0) : NULL;
    int wal = mode && strcmp(mode, "wal") == 0;
    if (rc == SQLITE_ROW)
        rc = SQLITE_OK;
    if (rc != SQLITE_OK)
        store_fail(err, s->path, s->db, rc, "open the results database");
    sqlite3_finalize(q);
    if (rc != SQLITE_OK)
        return -1;
    if (!wal)
        return st_error_set(err, "%s: cannot switch the database to WAL mode"
                            " (is it on a network filesystem?)", s->path);
    return 0;
}

/* Gives a clear message for paths SQLite would reject with a vaguer one. */
static int check_path(const char *path, int must_exist, st_error *err)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (errno == ENOENT && !must_exist)
            return 0;
        if (errno == ENOENT)
            return st_error_set(err, "%s: no such results database", path);
        return st_error_set(err, "%s: cannot open the results database: %s",
                            path, strerror(errno));
    }
    if (S_ISDIR(sb.st_mode))
        return st_error_set(err, "%s: is a directory, not a results database",
                            path);
    return 0;
}

static void store_free(st_store *s)
{
    if (!s)
        return;
    sqlite3_finalize(s->request_stmt);
    sqlite3_close(s->db);
    free(s->path);
    free(s);
}

/* Allocates the handle and opens the connection to name (the path, or a
 * URI for it) with the given flags. */
static st_store *store_connect(const char *path, const char *name, int flags,
                               st_error *err)
{
    st_store *s = calloc(1, sizeof *s);
    if (s)
        s->path = strdup(path);
    if (!s || !s->path) {
        free(s);
        st_error_set(err, "%s: out of memory opening the database", path);
        return NULL;
    }
    int rc = sqlite3_open_v2(name, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        store_fail(err, path, s->db, rc, "open the results database");
        store_free(s);
        return NULL;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    return s;
}

int st_store_open(const char *path, st_store **out, st_error *err)
{
    *out = NULL;
    if (check_path(path, 0, err) < 0)
        return -1;
    st_store *s = store_connect(path, path,
                                SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                err);
    if (!s)
        return -1;
    /* SQLite quietly falls back to read-only for a write-protected file;
     * say so now rather than at the first run's COMMIT. */
    if (sqlite3_db_readonly(s->db, "main") == 1) {
        int rofs = access(path, W_OK) != 0 && errno == EROFS;
        st_error_set(err, "%s: the results database is read-only (%s)", path,
                     rofs ? "it is on a read-only file system"
                          : "check the file's permissions");
        store_free(s);
        return -1;
    }
    /* The page size takes effect only in a database not yet written (WAL
     * mode, next, writes the header).  Request rows are appended at the
     * end of their key, so a page is written about once whatever its
     * size, and every page costs two writes to the WAL and one read and
     * one write to checkpoint it: 32 KiB pages take a third of the
     * system calls of 8 KiB ones, and a store of 600,000 rows 8-15% less
     * CPU time (64 KiB pages measured no better). */
    int rc = store_exec(s->db, "PRAGMA page_size = 32768;"
                         "PRAGMA foreign_keys = ON;"
                         "PRAGMA synchronous = NORMAL");
    if (rc != SQLITE_OK) {
        store_fail(err, path, s->db, rc, "open the results database");
        store_free(s);
        return -1;
    }
    if (enable_wal(s, err) < 0 || create_schema(s, err) < 0) {
        store_free(s);
        return -1;
    }
    *out = s;
    return 0;
}

/* A "file:" URI for path with immutable=1, percent-encoding every byte a
 * URI could read as syntax. */
static char *immutable_uri(const char *path)
{
    static const char tail[] = "?immutable=1";
    char *uri = malloc(sizeof "file:" + 3 * strlen(path) + sizeof tail);
    if (!uri)
        return NULL;
    char *p = stpcpy(uri, "file:");
    for (const unsigned char *c = (const unsigned char *)path; *c; c++) {
        if (isalnum(*c) || strchr("/-._~", *c))
            *p++ = (char)*c;
        else
            p += sprintf(p, "%%%02X", *c);
    }
    strcpy(p, tail);
    return uri;
}

/* A reader of a WAL database must create the -shm file, which fails in a
 * directory it cannot write (an archive, a read-only mount).  Without a
 * -wal file every committed run is in the main file, so reading that file
 * as immutable is then exact. */
static int needs_immutable(const char *path, int rc)
{
    if ((rc & 0xff) != SQLITE_READONLY && (rc & 0xff) != SQLITE_CANTOPEN)
        return 0;
    char wal[4096];
    struct stat sb;
    int n = snprintf(wal, sizeof wal, "%s-wal", path);
    return n > 0 && (size_t)n < sizeof wal && stat(wal, &sb) != 0 &&
           errno == ENOENT;
}

static st_store *connect_immutable(const char *path, st_error *err)
{
    char *uri = immutable_uri(path);
    if (!uri) {
        st_error_set(err, "%s: out of memory opening the database", path);
        return NULL;
    }
    st_store *s = store_connect(path, uri,
                                SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, err);
    free(uri);
    return s;
}

int st_store_open_readonly(const char *path, st_store **out, st_error *err)
{
    *out = NULL;
    if (check_path(path, 1, err) < 0)
        return -1;
    st_store *s = store_connect(path, path, SQLITE_OPEN_READONLY, err);
    if (!s)
        return -1;
    int64_t has_meta;
    int rc = query_has_meta(s->db, &has_meta);
    if (needs_immutable(path, rc)) {
        store_free(s);
        if (!(s = connect_immutable(path, err)))
            return -1;
        rc = query_has_meta(s->db, &has_meta);
    }
    if (rc != SQLITE_OK) {
        store_fail(err, path, s->db, rc, "read the results database");
        store_free(s);
        return -1;
    }
    /* An empty file is a valid, empty SQLite database, but it holds no
     * results; only a database with our schema is worth reading. */
    if (!has_meta) {
        st_error_set(err, "%s: is not a strata results database (it has no"
                     " meta table)", path);
        store_free(s);
        return -1;
    }
    int64_t version;
    if (check_schema(s, &version, err) < 0 ||
        (version < READ_AS_IS_VERSION &&
         migrate_in_memory(s, version, err) < 0)) {
        store_free(s);
        return -1;
    }
    *out = s;
    return 0;
}

void st_store_close(st_store *s)
{
    store_free(s);
}

sqlite3 *st_store_sqlite(st_store *s)
{
    return s->db;
}

const char *st_store_path(const st_store *s)
{
    return s->path;
}

