/* parse.h - strict parsing of numbers from text (arguments, YAML scalars,
 * file fields): the whole text must be the number. */
#ifndef STRATA_PARSE_H
#define STRATA_PARSE_H

#include <stdint.h>

/* A whole number in [0, 2^64-1] written in decimal digits only (no sign,
 * blanks, exponent or fraction), without going through a double.  0, or
 * -1 if s is not one. */
int st_parse_u64(const char *s, uint64_t *out);

#endif
