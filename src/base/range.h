/* range.h - the values a setting may take, declared once: a number's
 * interval (each end inclusive or exclusive, either end unbounded), a
 * whole number's, a time's (in seconds), or a list of words.  The same
 * declaration checks a value and writes the text that documents it and
 * that error messages quote, so the two cannot disagree.  Used by the key
 * tables of the file formats (yaml/keyref.h) and by policy parameters. */
#ifndef STRATA_BASE_RANGE_H
#define STRATA_BASE_RANGE_H

#include <stddef.h>

typedef enum st_range_kind {
    ST_RANGE_NONE,      /* nothing the declaration checks (note: what is) */
    ST_RANGE_NUMBER,    /* a finite number in the interval */
    ST_RANGE_INTEGER,   /* a whole number in the interval */
    ST_RANGE_TIME,      /* a time in the interval, both ends in seconds */
    ST_RANGE_ONE_OF     /* one of the words */
} st_range_kind;

typedef struct st_range {
    st_range_kind kind;
    double lo, hi;              /* -INFINITY / INFINITY: unbounded */
    unsigned char lo_open;      /* 1: lo itself is excluded */
    unsigned char hi_open;      /* 1: hi itself is excluded */
    const char *const *words;   /* ONE_OF: NULL-ended */
    const char *note;           /* a further condition (checked by the
                                   reader's own code), or NULL */
} st_range;

/* Whether v lies in the interval (NUMBER, INTEGER, TIME). */
int st_range_holds(const st_range *r, double v);
/* The index of s among the words, or -1. */
int st_range_word(const st_range *r, const char *s);
/* The interval ("[0, 1e6]", "(0 s, 1e9 s]", ">= 1"), or the words
 * joined by ", ", then the note after "; ".  "" when there is neither. */
char *st_range_format(const st_range *r, char *buf, size_t n);
/* What an error says a value must be: "in [0, 1]", ">= 1", or "one of:
 * a, b" (without the note). */
char *st_range_expected(const st_range *r, char *buf, size_t n);
/* v with the fewest significant digits (from %g's six up) that read back
 * to v, the exponent without '+' or leading zeros: 1e-6, 1e12, 65495. */
char *st_range_number(double v, char *buf, size_t n);

#endif
