/* testutil.c - temp files, data paths, scenario loading, a load-error
 * check and request-log look-ups for the unit tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"
#include "strata/scenario.h"
#include "policy/registry.h"
#include "world/world.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[512];

const char *tu_tmpdir(void)
{
    if (!tmpdir[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(tmpdir, sizeof tmpdir, "%s/strata-test-XXXXXX",
                 base ? base : "/tmp");
        if (!mkdtemp(tmpdir)) {
            perror("mkdtemp");
            exit(1);
        }
    }
    return tmpdir;
}

const char *tu_write_file(int slot, const char *name, const char *text)
{
    static char paths[8][768];
    char *p = paths[slot & 7];
    snprintf(p, sizeof paths[0], "%s/%s", tu_tmpdir(), name);
    FILE *f = fopen(p, "wb");
    if (!f) {
        perror(p);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
    return p;
}

const char *tu_shared(const char *rel)
{
    static char path[1024];
    const char *root = getenv("STRATA_SHARED_DATA");
    struct stat st;
    if (!root)
        return NULL;
    snprintf(path, sizeof path, "%s/%s", root, rel);
    return stat(path, &st) == 0 ? path : NULL;
}

const char *tu_src(const char *rel)
{
    static char path[1024];
    const char *root = getenv("STRATA_SRC");
    snprintf(path, sizeof path, "%s/%s", root ? root : ".", rel);
    return path;
}

void tu_expect_load_error(const char *text, int line, const char *phrase)
{
    const char *path = tu_write_file(0, "bad.yaml", text);
    st_scenario *sc = NULL;
    st_error err = {{0}};
    int rc = st_scenario_load(path, NULL, 0, &sc, &err);
    if (rc == 0) {
        rc = st_policy_check_scenario(sc, &err);
        st_scenario_free(sc);
        sc = NULL;
    }
    assert_int_equal(rc, -1);
    char where[900];
    snprintf(where, sizeof where, "%s:%d:", path, line);
    if (!strstr(err.msg, where) || !strstr(err.msg, phrase))
        fail_msg("expected '%s' and '%s' in: %s", where, phrase, err.msg);
}

st_scenario *tu_load_text(const char *text)
{
    st_scenario *sc;
    st_error err;
    if (st_scenario_load_text("t.yaml", text, strlen(text), tu_tmpdir(), NULL,
                              0, &sc, &err))
        fail_msg("%s", err.msg);
    return sc;
}

const st_request_rec *tu_rec_of(const st_run_result *r, uint64_t id)
{
    for (size_t i = 0; i < r->requests.n; i++)
        if (r->requests.recs[i].id == id)
            return &r->requests.recs[i];
    fail_msg("request %llu not logged", (unsigned long long)id);
    return NULL;
}
