/* testutil.h - helpers shared by the unit tests: temp files, shared data. */
#ifndef STRATA_TESTUTIL_H
#define STRATA_TESTUTIL_H

#include <stddef.h>

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

#endif
