/* fuzz_sweep.c - libFuzzer harness for the sweep loader (st_sweep_load):
 * the sweep file, its grid and zip expansion, and the base scenario it
 * loads once per combination.
 *
 * st_sweep_load reads a path and resolves `base` against the file's
 * directory, so each input is written to DIR/a/b/c/sweep.yaml, where DIR
 * and each level below it link `configs` and `traces` to the source
 * tree's: bases written ../configs/..., ../../../configs/... (as in
 * experiments/ and tests/bad/sweep/) all resolve.
 */
#include "study/sweep.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef FUZZ_SOURCE_ROOT
#define FUZZ_SOURCE_ROOT "."
#endif

static char file[4096], root[4096];
static const char *const levels[] = {"", "/a", "/a/b", "/a/b/c"};
static const char *const names[] = {"configs", "traces"};

/* Removes the layout when the fuzzer exits. */
static void teardown(void)
{
    char p[4200];
    unlink(file);
    for (size_t i = sizeof levels / sizeof *levels; i-- > 0;) {
        for (size_t k = 0; k < 2; k++) {
            snprintf(p, sizeof p, "%s%s/%s", root, levels[i], names[k]);
            unlink(p);
        }
        snprintf(p, sizeof p, "%s%s", root, levels[i]);
        rmdir(p);
    }
}

/* Builds the directory layout once per process. */
static void setup(void)
{
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(root, sizeof root, "%s/strata-fuzz-sweep-%ld", tmp, (long)getpid());
    char at[4200] = "";
    for (size_t i = 0; i < sizeof levels / sizeof *levels; i++) {
        snprintf(at, sizeof at, "%s%s", root, levels[i]);
        mkdir(at, 0700);
        char link[4300], target[4200];
        for (size_t k = 0; k < 2; k++) {
            snprintf(link, sizeof link, "%s/%s", at, names[k]);
            snprintf(target, sizeof target, "%s/%s", FUZZ_SOURCE_ROOT,
                     names[k]);
            if (symlink(target, link) != 0 && access(link, F_OK) != 0)
                abort();
        }
    }
    snprintf(file, sizeof file, "%s/sweep.yaml", at);
    atexit(teardown);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!file[0])
        setup();
    FILE *f = fopen(file, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    st_sweep *sw = NULL;
    st_error err;
    if (st_sweep_load(file, &sw, &err) == 0) {
        char buf[256];
        for (size_t i = 0; i < sw->n_points && i < 4; i++)
            st_sweep_describe(sw, i, buf, sizeof buf);
        st_sweep_free(sw);
    }
    return 0;
}
