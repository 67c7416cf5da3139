/* testutil.c - temp files and data paths for the unit tests. */
#include "testutil.h"

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
