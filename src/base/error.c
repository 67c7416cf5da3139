/* error.c - formatting of user-facing error messages (see error.h). */
#include "strata/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int st_error_set(st_error *err, const char *fmt, ...)
{
    if (!err)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return -1;
}

int st_error_at(st_error *err, const char *file, size_t line, size_t col,
                const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    st_error_vat(err, file, line, col, fmt, ap);
    va_end(ap);
    return -1;
}

int st_error_vat(st_error *err, const char *file, size_t line, size_t col,
                 const char *fmt, va_list ap)
{
    if (!err)
        return -1;
    int off;
    if (line && col)
        off = snprintf(err->msg, sizeof err->msg, "%s:%zu:%zu: ", file, line, col);
    else if (line)
        off = snprintf(err->msg, sizeof err->msg, "%s:%zu: ", file, line);
    else
        off = snprintf(err->msg, sizeof err->msg, "%s: ", file);
    if (off < 0 || (size_t)off >= sizeof err->msg)
        return -1;
    vsnprintf(err->msg + off, sizeof err->msg - (size_t)off, fmt, ap);
    return -1;
}

char *st_error_join(char *buf, size_t n, const char *const *names)
{
    size_t used = 0;
    if (n == 0)
        return buf;
    buf[0] = '\0';
    for (const char *const *a = names; *a; a++) {
        const char *sep = a == names ? "" : ", ";
        size_t need = strlen(sep) + strlen(*a);
        if (used + need + 4 >= n) {   /* room for ", ..." is kept */
            snprintf(buf + used, n - used, "%s...", sep);
            break;
        }
        used += (size_t)snprintf(buf + used, n - used, "%s%s", sep, *a);
    }
    return buf;
}
