/* xalloc.c - allocation helpers that exit with a message on exhaustion,
 * and checked size arithmetic (see xalloc.h). */
#include "base/xalloc.h"
#include "base/memlimit.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Noreturn void st_oom_at(const char *what, size_t n, size_t size,
                         const char *file, int line)
{
    char amount[128] = "memory";
    if (size) {
        char h[32];
        st_bytes_text((double)n * (double)size, h, sizeof h);
        if (n > 1)
            snprintf(amount, sizeof amount, "%s (%zu x %zu bytes)", h, n, size);
        else
            snprintf(amount, sizeof amount, "%s", h);
    }
    const char *src = strstr(file, "src/");   /* not the build's ../ */
    if (src)
        file = src;
    fprintf(stderr, "strata: out of memory: could not allocate %s for %s "
            "(%s:%d); expected a smaller input, or more memory\n", amount,
            what ? what : "data", file, line);
    fflush(NULL);
    _Exit(ST_EXIT_OOM);
}

void *st_xcalloc_at(size_t n, size_t size, const char *file, int line)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        st_oom_at("an array", n ? n : 1, size, file, line);
    return p;
}

void *st_xrealloc_at(void *p, size_t size, const char *file, int line)
{
    void *q = realloc(p, size ? size : 1);
    if (!q)
        st_oom_at("a growing buffer", 1, size, file, line);
    return q;
}

void *st_xreallocarray_at(void *p, size_t n, size_t size, const char *file,
                          int line)
{
    size_t bytes;
    if (st_size_mul(n, size, &bytes))
        st_oom_at("an array whose size overflows", n, size, file, line);
    void *q = realloc(p, bytes ? bytes : 1);
    if (!q)
        st_oom_at("a growing array", n, size, file, line);
    return q;
}

char *st_xstrdup_at(const char *s, const char *file, int line)
{
    if (!s)
        return NULL;
    char *p = strdup(s);
    if (!p)
        st_oom_at("a string", 1, strlen(s) + 1, file, line);
    return p;
}

char *st_xstrndup_at(const char *s, size_t n, const char *file, int line)
{
    char *p = strndup(s, n);
    if (!p)
        st_oom_at("a string", 1, n + 1, file, line);
    return p;
}

int st_size_mul(size_t a, size_t b, size_t *out)
{
    if (__builtin_mul_overflow(a, b, out)) {
        *out = SIZE_MAX;
        return -1;
    }
    return 0;
}

int st_size_add(size_t a, size_t b, size_t *out)
{
    if (__builtin_add_overflow(a, b, out)) {
        *out = SIZE_MAX;
        return -1;
    }
    return 0;
}

int st_size_mul3(size_t a, size_t b, size_t c, size_t *out)
{
    size_t ab;
    if (st_size_mul(a, b, &ab))
        return *out = SIZE_MAX, -1;
    return st_size_mul(ab, c, out);
}

/* Measured into a small buffer first, not a NULL one, which some
 * compilers' format checks refuse. */
char *st_xasprintf(const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        st_oom("a formatted string");
    if ((size_t)n < sizeof small)
        return st_xstrdup(small);
    char *s = st_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}
