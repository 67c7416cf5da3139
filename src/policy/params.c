/* params.c - policy parameters checked against, and read through, the
 * policy's declared table (see strata/params.h), with file:line errors;
 * each range is checked and quoted as an st_range (param_range.h). */
#include "strata/params.h"
#include "policy/param_range.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NAMES 128

const st_param *st_param_find(const st_param *table, const char *name)
{
    for (const st_param *d = table; d && d->name; d++) {
        if (d->type == ST_PARAM_INCLUDE) {
            const st_param *in = st_param_find(d->include, name);
            if (in)
                return in;
        } else if (strcmp(d->name, name) == 0) {
            return d;
        }
    }
    return NULL;
}

/* The declared names, included tables flattened, in order. */
static size_t list_names(const st_param *table, const char **out, size_t n,
                         size_t max)
{
    for (const st_param *d = table; d && d->name && n < max; d++)
        if (d->type == ST_PARAM_INCLUDE)
            n = list_names(d->include, out, n, max);
        else
            out[n++] = d->name;
    return n;
}

static const char *file_of(const st_params *p)
{
    return p->file ? p->file : "params";
}

static int fail_at(const st_params *p, size_t i, st_error *err,
                   const char *expected)
{
    return st_error_at(err, file_of(p), p->lines[i], p->cols[i],
                       "policy parameter '%s': expected %s, got '%s'",
                       p->keys[i], expected, p->values[i]);
}

static int unknown(const st_params *p, size_t i, const char *policy,
                   const st_param *table, st_error *err)
{
    const char *names[MAX_NAMES + 1];
    char list[512];
    names[list_names(table, names, 0, MAX_NAMES)] = NULL;
    if (!names[0])
        return st_error_at(err, file_of(p), p->lines[i], p->cols[i],
                           "unknown parameter '%s': policy '%s' takes no "
                           "parameters", p->keys[i], policy);
    st_error_join(list, sizeof list, names);
    return st_error_at(err, file_of(p), p->lines[i], p->cols[i], "unknown "
                       "parameter '%s' for policy '%s'; expected one of: %s",
                       p->keys[i], policy, list);
}

st_range st_param_range(const st_param *d)
{
    if (d->type == ST_PARAM_CHOICE)
        return (st_range){.kind = ST_RANGE_ONE_OF, .words = d->choices};
    return (st_range){.kind = d->type == ST_PARAM_INT ? ST_RANGE_INTEGER
                                                      : ST_RANGE_NUMBER,
                      .lo = d->lo, .hi = d->hi};
}

/* A finite number; 0 or -1. */
static int parse_number(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static int choice_index(const st_param *d, const char *s)
{
    st_range r = st_param_range(d);
    return st_range_word(&r, s);
}

static int check_value(const st_params *p, size_t i, const st_param *d,
                       st_error *err)
{
    char expected[256], range[224];
    double v;
    const char *s = p->values[i];
    st_range r = st_param_range(d);
    st_range_expected(&r, range, sizeof range);
    if (d->type == ST_PARAM_CHOICE)
        return choice_index(d, s) >= 0 ? 0 : fail_at(p, i, err, range);
    int whole = d->type == ST_PARAM_INT;
    if (parse_number(s, &v) || !st_range_holds(&r, v) ||
        (whole && v != floor(v))) {
        snprintf(expected, sizeof expected, "a %s %s",
                 whole ? "whole number" : "number", range);
        return fail_at(p, i, err, expected);
    }
    return 0;
}

int st_params_validate(const st_params *params, const char *policy,
                       const st_param *table, st_error *err)
{
    for (size_t i = 0; params && i < params->n; i++) {
        const st_param *d = st_param_find(table, params->keys[i]);
        if (!d)
            return unknown(params, i, policy, table, err);
        if (check_value(params, i, d, err))
            return -1;
    }
    return 0;
}

/* The declared parameter and the scenario's text for it (NULL: absent). */
static const st_param *lookup(const st_params *p, const st_param *table,
                              const char *name, st_param_type type,
                              const char **text)
{
    const st_param *d = st_param_find(table, name);
    if (!d || d->type != type) {
        fprintf(stderr, "strata: bug in a policy: it reads parameter '%s' "
                "that its table does not declare as that type\n", name);
        abort();
    }
    *text = NULL;
    for (size_t i = 0; p && i < p->n; i++)
        if (strcmp(p->keys[i], name) == 0)
            *text = p->values[i];
    return d;
}

double st_param_real(const st_params *params, const st_param *table,
                     const char *name)
{
    const char *s;
    const st_param *d = lookup(params, table, name, ST_PARAM_REAL, &s);
    return s ? strtod(s, NULL) : d->def;
}

long st_param_int(const st_params *params, const st_param *table,
                  const char *name)
{
    const char *s;
    const st_param *d = lookup(params, table, name, ST_PARAM_INT, &s);
    return (long)(s ? strtod(s, NULL) : d->def);
}

int st_param_choice(const st_params *params, const st_param *table,
                    const char *name)
{
    const char *s;
    const st_param *d = lookup(params, table, name, ST_PARAM_CHOICE, &s);
    return s ? choice_index(d, s) : (int)d->def;
}
