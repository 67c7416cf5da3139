/* error.h - one error message carried from where input went wrong to the CLI.
 *
 * Library functions that can fail on user input return -1 and fill an
 * st_error with a complete sentence that names the file, line and column
 * (where there is one) and what was expected.  The CLI prints it and exits 2.
 */
#ifndef STRATA_ERROR_H
#define STRATA_ERROR_H

#include <stdarg.h>
#include <stddef.h>

#define ST_ERROR_MAX 1024

typedef struct st_error {
    char msg[ST_ERROR_MAX];
} st_error;

/* printf-style; a NULL err is allowed and ignored.  Always returns -1 so a
 * caller can write `return st_error_set(err, ...)`. */
int st_error_set(st_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Same, prefixed with "FILE:LINE:COL: " (line/col 1-based; 0 means unknown
 * and is left out). */
int st_error_at(st_error *err, const char *file, size_t line, size_t col,
                const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* The same with a va_list. */
int st_error_vat(st_error *err, const char *file, size_t line, size_t col,
                 const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));

/* Joins a NULL-ended list of names with ", " into buf (for "expected one
 * of: ..." messages), stopping with "..." before the buffer would overflow.
 * Returns buf. */
char *st_error_join(char *buf, size_t n, const char *const *names);

#endif
