/* testutil.h - helpers shared by the unit tests: temp files, shared data. */
#ifndef STRATA_TESTUTIL_H
#define STRATA_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

struct st_scenario;
struct st_run_result;
struct st_request_rec;

/* Writes text to a fresh file under the test's temporary directory and
 * returns its path (static storage, valid until the next call with the same
 * slot).  slot 0..7. */
const char *tu_write_file(int slot, const char *name, const char *text);
/* Path to ../shared/data/<rel> when present, else NULL (and the test should
 * skip, saying why). */
const char *tu_shared(const char *rel);
/* Path to <source root>/<rel>. */
const char *tu_src(const char *rel);
/* Temporary directory private to this test process. */
const char *tu_tmpdir(void);
/* Loads scenario text from a file as a run would (the policies checked
 * too) and expects failure with "file:LINE:" and phrase in the message
 * (cmocka failure otherwise). */
void tu_expect_load_error(const char *text, int line, const char *phrase);
/* Loads scenario text as "t.yaml", its relative paths under the test's
 * temporary directory (cmocka failure with the message if it does not). */
struct st_scenario *tu_load_text(const char *text);
/* The request log's record of request id (cmocka failure if absent). */
const struct st_request_rec *tu_rec_of(const struct st_run_result *r,
                                       uint64_t id);

/* Doubles within eps, naming both on failure (cmocka 1.1.5, Debian 12,
 * has no assert_double_equal); needs <math.h> and cmocka included. */
#define assert_near(a, b, eps)                                             \
    do {                                                                   \
        double a_ = (a), b_ = (b), e_ = (eps);                             \
        if (!(fabs(a_ - b_) <= e_))                                        \
            fail_msg("%s = %.17g, expected %.17g (+-%g)", #a, a_, b_, e_); \
    } while (0)

#endif
