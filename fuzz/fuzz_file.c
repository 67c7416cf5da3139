/* fuzz_file.c - libFuzzer harness for the readers of input files other
 * than scenarios and traces, one kind per build (FUZZ_FILE_KIND):
 *   FUZZ_ARRIVALS  a 'file' arrival process's times
 *   FUZZ_EMPIRICAL an empirical distribution's CSV column
 *   FUZZ_EXPECTED  a regression gate's expected file
 *   FUZZ_TFLITE    a TFLite benchmark CSV (profile import)
 *   FUZZ_MLPERF    an MLPerf Mobile JSON (profile import)
 *   FUZZ_AIHUB     an AI Hub perf.yaml (profile import)
 * The input is written to a temporary file, which the reader then opens
 * as strata would: through the bounded text reader (src/base/textfile.c).
 * Every failure must come with a terminated message.
 */
#include "strata/scenario.h"
#include "profile/profile.h"
#include "study/check.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FUZZ_ARRIVALS 1
#define FUZZ_EMPIRICAL 2
#define FUZZ_EXPECTED 3
#define FUZZ_TFLITE 4
#define FUZZ_MLPERF 5
#define FUZZ_AIHUB 6

#ifndef FUZZ_FILE_KIND
#define FUZZ_FILE_KIND FUZZ_ARRIVALS
#endif

/* One temporary directory per process; the input goes to DIR/NAME. */
static const char *input_path(void)
{
    static char path[4096];
    if (!path[0]) {
        char dir[] = "/tmp/strata-fuzz-XXXXXX";
        if (!mkdtemp(dir))
            abort();
        snprintf(path, sizeof path, "%s/%s", dir,
                 FUZZ_FILE_KIND == FUZZ_AIHUB ? "perf.yaml" : "input.txt");
    }
    return path;
}

static void write_input(const uint8_t *data, size_t size)
{
    FILE *f = fopen(input_path(), "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
}

/* A scenario whose workload or RTT reads the input file. */
static int load_scenario(const char *what)
{
    char text[4096];
    snprintf(text, sizeof text,
             "name: f\nduration: 10 s\n"
             "models: [{name: m, task: cls, accuracy: 0.7, size_mb: 10}]\n"
             "hardware: [{name: hw, profiles: {m: {exec_ms: 5}}}]\n"
             "nodes: [{name: cloud, hardware: hw}]\n"
             "devices:\n  - {name: ph, hardware: hw, attach: cloud,\n"
             "     link: {up: {mbps: 10}, down: {mbps: 10}%s%s%s},\n"
             "     workload: {task: cls, arrival: %s%s%s, slo_ms: 300}}\n"
             "policy: cloud\n",
             what[0] == 'e' ? ", rtt: {dist: empirical, file: \"" : "",
             what[0] == 'e' ? input_path() : "",
             what[0] == 'e' ? "\", column: rtt_ms}" : "",
             what[0] == 'a' ? "{process: file, file: \"" : "{process: poisson, rate_per_s: 1",
             what[0] == 'a' ? input_path() : "",
             what[0] == 'a' ? "\"}" : "}");
    st_scenario *sc = NULL;
    st_error err;
    int rc = st_scenario_load_text("fuzz.yaml", text, strlen(text), "/", NULL,
                                   0, &sc, &err);
    st_scenario_free(sc);
    return rc ? (memchr(err.msg, '\0', sizeof err.msg) ? 0 : -1) : 0;
}

static int import_profile(int kind)
{
    st_profile_set set;
    st_profile_select sel = {0};
    st_error err;
    int rc;
    if (kind == FUZZ_TFLITE) {
        st_profile_set_init(&set, ST_PROFILE_TFLITE_CSV);
        rc = st_profile_import_tflite_csv(&set, input_path(), &sel, &err);
    } else if (kind == FUZZ_MLPERF) {
        st_profile_set_init(&set, ST_PROFILE_MLPERF);
        rc = st_profile_import_mlperf(&set, input_path(), &sel, &err);
    } else {
        st_profile_set_init(&set, ST_PROFILE_AIHUB);
        rc = st_profile_import_aihub(&set, input_path(), &sel, &err);
    }
    st_profile_set_free(&set);
    return rc && !memchr(err.msg, '\0', sizeof err.msg) ? -1 : 0;
}

static int read_expected(void)
{
    st_check_set s;
    st_error err;
    int rc = st_check_read_expected(input_path(), &s, &err);
    if (rc == 0)
        st_check_set_free(&s);
    return rc && !memchr(err.msg, '\0', sizeof err.msg) ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    write_input(data, size);
    int bad;
    switch (FUZZ_FILE_KIND) {
    case FUZZ_ARRIVALS: bad = load_scenario("arrivals"); break;
    case FUZZ_EMPIRICAL: bad = load_scenario("empirical"); break;
    case FUZZ_EXPECTED: bad = read_expected(); break;
    default: bad = import_profile(FUZZ_FILE_KIND); break;
    }
    if (bad)
        abort();   /* an unterminated message */
    return 0;
}
