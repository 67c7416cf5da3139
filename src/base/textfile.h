/* textfile.h - the one way strata reads an input file: bounded, and with
 * errors that name the file and line.
 *
 * Every input (scenarios, includes, sweeps, traces, arrival-time files,
 * empirical-distribution CSVs, profile CSV/YAML/JSON, regression expected
 * files, GraphML topologies) goes through here, so the same hostile file
 * gets the same answer everywhere:
 *  - only regular files and pipes are read: a directory, a device node or
 *    a socket is refused by name before a byte is read (/dev/zero cannot
 *    spin a reader forever);
 *  - a NUL byte is an error at its line and column (a UTF-16 file is
 *    recognised and named as such);
 *  - a line longer than max_line is an error at its line, detected without
 *    first allocating the line;
 *  - the whole file is bounded by max_bytes.
 * Messages read "PATH[:LINE[:COL]]: problem; expected KIND", where KIND is
 * what the caller expects, e.g. "a text trace file".
 *
 * Line by line:
 *     st_text t;
 *     if (st_text_open(&t, path, "an arrival-time file", err)) return -1;
 *     while ((rc = st_text_line(&t)) > 0) { ... t.line, t.len, t.lineno ... }
 *     st_text_close(&t);         (rc < 0: err is set)
 * Or all at once (YAML, JSON, GraphML): st_text_read_all.
 */
#ifndef STRATA_TEXTFILE_H
#define STRATA_TEXTFILE_H

#include <stddef.h>
#include <stdio.h>
#include "strata/error.h"

#define ST_TEXT_MAX_LINE (64u * 1024u)
#define ST_TEXT_MAX_BYTES (2ull << 30)

typedef struct st_text {
    const char *path;
    const char *kind;       /* what the file should be, for messages */
    st_error *err;
    size_t max_line;        /* bytes per line (default ST_TEXT_MAX_LINE) */
    unsigned long long max_bytes;   /* default ST_TEXT_MAX_BYTES */
    char *line;             /* the current line: no newline, no trailing \r */
    size_t len;
    size_t lineno;          /* 1-based number of the current line */
    /* private */
    FILE *f;
    unsigned long long bytes;
} st_text;

/* Checks that path names something readable as text (a regular file or a
 * pipe).  0, or -1 with err set. */
int st_text_check_path(const char *path, const char *kind, st_error *err);

/* Opens path for st_text_line.  0, or -1 with err set (nothing to close). */
int st_text_open(st_text *t, const char *path, const char *kind,
                 st_error *err);
/* Reads the next line: 1, 0 at the end of the file, -1 with err set. */
int st_text_line(st_text *t);
void st_text_close(st_text *t);

/* printf-style error at the current line ("PATH:LINE: ..."); returns -1. */
int st_text_fail(const st_text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The whole file in a malloc'd, NUL-terminated buffer (*len without the
 * terminator), at most max_bytes long, with no NUL byte.  0, or -1 with
 * err set. */
int st_text_read_all(const char *path, const char *kind, size_t max_bytes,
                     char **out, size_t *len, st_error *err);

/* Splits a CSV line in place at commas, positionally: an empty field is
 * "" (not skipped), surrounding blanks are trimmed, no quoting.  Returns
 * the number of fields, at most max (the rest stay in the last field). */
size_t st_csv_split(char *line, char **fields, size_t max);

#endif
