/* params.c - typed reads of a policy's YAML params, with file:line errors
 * (see policy.h). */
#include "strata/policy.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int find(const st_params *p, const char *key)
{
    for (size_t i = 0; p && i < p->n; i++)
        if (strcmp(p->keys[i], key) == 0)
            return (int)i;
    return -1;
}

static int fail_at(const st_params *p, int i, st_error *err, const char *what,
                   const char *expected)
{
    return st_error_at(err, p->file ? p->file : "params", p->lines[i],
                       p->cols[i], "policy parameter '%s': expected %s, got '%s'",
                       what, expected, p->values[i]);
}

int st_params_check(const st_params *p, const char *policy,
                    const char *const *known, st_error *err)
{
    for (size_t i = 0; p && i < p->n; i++) {
        int ok = 0;
        for (const char *const *k = known; *k && !ok; k++)
            ok = strcmp(*k, p->keys[i]) == 0;
        if (!ok) {
            char list[512];
            st_error_join(list, sizeof list, known);
            if (!known[0])
                return st_error_at(err, p->file ? p->file : "params",
                                   p->lines[i], p->cols[i], "unknown parameter "
                                   "'%s': policy '%s' takes no parameters",
                                   p->keys[i], policy);
            return st_error_at(err, p->file ? p->file : "params", p->lines[i],
                               p->cols[i], "unknown parameter '%s' for policy "
                               "'%s'; expected one of: %s", p->keys[i], policy,
                               list);
        }
    }
    return 0;
}

int st_params_double(const st_params *p, const char *key, double def,
                     double lo, double hi, double *out, st_error *err)
{
    int i = find(p, key);
    if (i < 0) {
        *out = def;
        return 0;
    }
    char *end;
    char expected[96];
    errno = 0;
    double v = strtod(p->values[i], &end);
    snprintf(expected, sizeof expected, "a number in [%g, %g]", lo, hi);
    if (end == p->values[i] || *end || errno || !isfinite(v) || v < lo || v > hi)
        return fail_at(p, i, err, key, expected);
    *out = v;
    return 0;
}

int st_params_int(const st_params *p, const char *key, long def, long lo,
                  long hi, long *out, st_error *err)
{
    double v;
    char expected[96];
    if (st_params_double(p, key, (double)def, (double)lo, (double)hi, &v, err))
        return -1;
    if (v != floor(v)) {
        snprintf(expected, sizeof expected, "a whole number in [%ld, %ld]", lo, hi);
        return fail_at(p, find(p, key), err, key, expected);
    }
    *out = (long)v;
    return 0;
}

int st_params_choice(const st_params *p, const char *key,
                     const char *const *choices, int def, int *out,
                     st_error *err)
{
    int i = find(p, key);
    if (i < 0) {
        *out = def;
        return 0;
    }
    for (int c = 0; choices[c]; c++)
        if (strcmp(choices[c], p->values[i]) == 0) {
            *out = c;
            return 0;
        }
    char expected[256] = "one of:";
    for (int c = 0; choices[c]; c++) {
        if (strlen(expected) + strlen(choices[c]) + 3 >= sizeof expected)
            break;
        strcat(expected, c ? ", " : " ");
        strcat(expected, choices[c]);
    }
    return fail_at(p, i, err, key, expected);
}
