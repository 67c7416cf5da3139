/* xalloc.c - allocation helpers that abort on exhaustion (see xalloc.h). */
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

void *st_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        abort();
    return p;
}

void *st_xrealloc(void *p, size_t size)
{
    p = realloc(p, size ? size : 1);
    if (!p)
        abort();
    return p;
}

char *st_xstrdup(const char *s)
{
    if (!s)
        return NULL;
    char *p = strdup(s);
    if (!p)
        abort();
    return p;
}
