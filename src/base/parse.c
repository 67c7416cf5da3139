/* parse.c - strict number parsing (see parse.h). */
#include "base/parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

int st_parse_u64(const char *s, uint64_t *out)
{
    if (!s || !isdigit((unsigned char)*s))
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = (uint64_t)v;
    return 0;
}
