/* range.c - checking a value against a declared range, and writing the
 * range as text (see range.h). */
#include "base/range.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int st_range_holds(const st_range *r, double v)
{
    if (isnan(v))
        return 0;
    if (r->lo_open ? !(v > r->lo) : !(v >= r->lo))
        return 0;
    return r->hi_open ? v < r->hi : v <= r->hi;
}

int st_range_word(const st_range *r, const char *s)
{
    for (int i = 0; r->words && r->words[i]; i++)
        if (strcmp(r->words[i], s) == 0)
            return i;
    return -1;
}

/* "1e+06" -> "1e6", "1e-06" -> "1e-6". */
static void tidy_exponent(char *s)
{
    char *e = strchr(s, 'e');
    if (!e)
        return;
    char *d = e + 1, *from = d;
    if (*from == '+')
        from++;
    else if (*from == '-')
        d++, from++;
    while (*from == '0' && from[1])
        from++;
    memmove(d, from, strlen(from) + 1);
}

char *st_range_number(double v, char *buf, size_t n)
{
    for (int p = 6; p <= 17; p++) {
        snprintf(buf, n, "%.*g", p, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    tidy_exponent(buf);
    return buf;
}

static const char *suffix(const st_range *r)
{
    return r->kind == ST_RANGE_TIME ? " s" : "";
}

/* Appends to buf (of size n) what printf would write. */
__attribute__((format(printf, 3, 4)))
static void append(char *buf, size_t n, const char *fmt, ...)
{
    size_t len = strlen(buf);
    va_list ap;
    va_start(ap, fmt);
    if (len < n)
        vsnprintf(buf + len, n - len, fmt, ap);
    va_end(ap);
}

static void interval(const st_range *r, char *buf, size_t n)
{
    char lo[32], hi[32];
    st_range_number(r->lo, lo, sizeof lo);
    st_range_number(r->hi, hi, sizeof hi);
    if (isinf(r->hi) && isinf(r->lo))
        append(buf, n, "any");
    else if (isinf(r->hi))
        append(buf, n, "%s %s%s", r->lo_open ? ">" : ">=", lo, suffix(r));
    else if (isinf(r->lo))
        append(buf, n, "%s %s%s", r->hi_open ? "<" : "<=", hi, suffix(r));
    else {
        append(buf, n, "%c%s%s, %s%s%c", r->lo_open ? '(' : '[', lo,
               suffix(r), hi, suffix(r), r->hi_open ? ')' : ']');
    }
}

static void words(const st_range *r, char *buf, size_t n)
{
    for (int i = 0; r->words && r->words[i]; i++)
        append(buf, n, "%s%s", i ? ", " : "", r->words[i]);
}

char *st_range_format(const st_range *r, char *buf, size_t n)
{
    if (n)
        buf[0] = 0;
    if (r->kind == ST_RANGE_ONE_OF)
        words(r, buf, n);
    else if (r->kind != ST_RANGE_NONE)
        interval(r, buf, n);
    if (r->note)
        append(buf, n, "%s%s", buf[0] ? "; " : "", r->note);
    return buf;
}

char *st_range_expected(const st_range *r, char *buf, size_t n)
{
    if (n)
        buf[0] = 0;
    if (r->kind == ST_RANGE_ONE_OF) {
        append(buf, n, "one of: ");
        words(r, buf, n);
    } else if (r->kind != ST_RANGE_NONE) {
        if (!isinf(r->lo) && !isinf(r->hi))
            append(buf, n, "in ");
        interval(r, buf, n);
    }
    return buf;
}
