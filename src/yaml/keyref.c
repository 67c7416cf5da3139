/* keyref.c - checking a mapping's keys against its declared table, and
 * writing tables as the format's reference (see keyref.h). */
#include "yaml/keyref.h"

#include <stdlib.h>
#include <string.h>

#define MAX_KEYS 64

int cfg_keys_in(cfg *c, yaml_node_t *map, const cfg_key *keys,
                const char *what)
{
    const char *names[MAX_KEYS + 1];
    size_t n = 0;
    for (; keys[n].name && n < MAX_KEYS; n++)
        names[n] = keys[n].name;
    names[n] = NULL;
    if (cfg_keys(c, map, names, what) == 0)
        return 0;
    if (strstr(c->err->msg, "unknown key"))
        strncat(c->err->msg, " (every key: man 5 strata-scenario)",
                ST_ERROR_MAX - strlen(c->err->msg) - 1);
    return -1;
}

const cfg_key *cfg_key_of(const cfg_key *keys, const char *name)
{
    for (const cfg_key *k = keys; k->name; k++)
        if (strcmp(k->name, name) == 0)
            return k;
    fprintf(stderr, "strata: bug in a reader: key '%s' is not in its "
            "table\n", name);
    abort();
}

/* The entry, which must be declared with a range of one of these kinds. */
static const cfg_key *ranged(const cfg_key *keys, const char *name,
                             st_range_kind a, st_range_kind b)
{
    const cfg_key *k = cfg_key_of(keys, name);
    if (k->range.kind != a && k->range.kind != b) {
        fprintf(stderr, "strata: bug in a reader: key '%s' is read as "
                "another kind of value than its table declares\n", name);
        abort();
    }
    return k;
}

int cfg_key_word(cfg *c, yaml_node_t *n, const cfg_key *keys,
                 const char *name, const char *what, int *out)
{
    const cfg_key *k = ranged(keys, name, ST_RANGE_ONE_OF, ST_RANGE_ONE_OF);
    const char *s;
    char list[256];
    if (cfg_str(c, n, name, &s))
        return -1;
    int i = st_range_word(&k->range, s);
    if (i < 0)
        return cfg_fail(c, n, "unknown %s '%s'; expected %s", what ? what : name,
                        s, st_range_expected(&k->range, list, sizeof list));
    *out = i;
    return 0;
}

int cfg_key_value(cfg *c, yaml_node_t *n, const cfg_key *keys,
                  const char *name, double *out)
{
    const cfg_key *k = cfg_key_of(keys, name);
    if (k->range.kind == ST_RANGE_TIME)
        return cfg_time_in(c, n, name, k->unit ? k->unit : "s", &k->range,
                           out);
    if (k->range.kind == ST_RANGE_ONE_OF) {
        int i;
        if (cfg_key_word(c, n, keys, name, NULL, &i))
            return -1;
        *out = i;
        return 0;
    }
    k = ranged(keys, name, ST_RANGE_NUMBER, ST_RANGE_INTEGER);
    return cfg_num_in(c, n, name, &k->range, out);
}

int cfg_key_long(cfg *c, yaml_node_t *n, const cfg_key *keys,
                 const char *name, long *out)
{
    const cfg_key *k = ranged(keys, name, ST_RANGE_INTEGER, ST_RANGE_INTEGER);
    double v;
    if (cfg_num_in(c, n, name, &k->range, &v))
        return -1;
    *out = (long)v;
    return 0;
}

int cfg_opt_value(cfg *c, yaml_node_t *map, const cfg_key *keys,
                  const char *name, double *out)
{
    yaml_node_t *n = cfg_get(c, map, name);
    return n ? cfg_key_value(c, n, keys, name, out) : 0;
}

int cfg_opt_long(cfg *c, yaml_node_t *map, const cfg_key *keys,
                 const char *name, long *out)
{
    yaml_node_t *n = cfg_get(c, map, name);
    return n ? cfg_key_long(c, n, keys, name, out) : 0;
}

int cfg_opt_word(cfg *c, yaml_node_t *map, const cfg_key *keys,
                 const char *name, const char *what, int *out)
{
    yaml_node_t *n = cfg_get(c, map, name);
    return n ? cfg_key_word(c, n, keys, name, what, out) : 0;
}

static const char *or_dash(const char *s)
{
    return s && *s ? s : "-";
}

static const char *default_of(const cfg_key *k)
{
    return !k->def ? "required" : strcmp(k->def, "-") == 0 ? "-" : k->def;
}

/* Markdown: '|' inside a cell would end it. */
static void md_cell(FILE *out, const char *s)
{
    for (; *s; s++)
        fputs(*s == '|' ? "\\|" : (char[2]){*s, 0}, out);
}

static void write_md(FILE *out, const cfg_ref_section *s)
{
    fprintf(out, "## `%s`\n\n%s\n\n", s->path, s->about);
    fprintf(out, "| key | type | unit | default | allowed | meaning |\n"
                 "|---|---|---|---|---|---|\n");
    for (const cfg_key *k = s->keys; k->name; k++) {
        char allowed[512];
        st_range_format(&k->range, allowed, sizeof allowed);
        const char *cells[] = {k->type, or_dash(k->unit), default_of(k),
                               or_dash(allowed), k->doc};
        fprintf(out, "| `%s` |", k->name);
        for (size_t i = 0; i < sizeof cells / sizeof *cells; i++) {
            fputc(' ', out);
            md_cell(out, cells[i]);
            fputs(" |", out);
        }
        fputc('\n', out);
    }
    fputc('\n', out);
}

static void roff(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\e", out);
        else if (*s == '-')
            fputs("\\-", out);
        else if (*s == '`')
            continue;
        else
            fputc(*s, out);
    }
}

static void write_man(FILE *out, const cfg_ref_section *s)
{
    fputs(".SS ", out);
    roff(out, s->path);
    fputs("\n", out);
    roff(out, s->about);
    fputs("\n", out);
    for (const cfg_key *k = s->keys; k->name; k++) {
        char allowed[512];
        st_range_format(&k->range, allowed, sizeof allowed);
        fputs(".TP\n\\fB", out);
        roff(out, k->name);
        fputs("\\fR (", out);
        roff(out, k->type);
        if (k->unit) {
            fputs(", ", out);
            roff(out, k->unit);
        }
        fputs("; ", out);
        roff(out, !k->def ? "required" : strcmp(k->def, "-") == 0
                                           ? "optional" : "default ");
        if (k->def && strcmp(k->def, "-") != 0)
            roff(out, k->def);
        if (*allowed) {
            fputs("; ", out);
            roff(out, allowed);
        }
        fputs(")\n", out);
        roff(out, k->doc);
        fputs("\n", out);
    }
}

void cfg_ref_write(FILE *out, const cfg_ref_section *s, size_t n, int man)
{
    for (size_t i = 0; i < n; i++)
        (man ? write_man : write_md)(out, &s[i]);
}
