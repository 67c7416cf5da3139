/* keyref.c - checking a mapping's keys against its declared table, and
 * writing tables as the format's reference (see keyref.h). */
#include "yaml/keyref.h"

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
        const char *cells[] = {k->type, or_dash(k->unit), default_of(k),
                               or_dash(k->allowed), k->doc};
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
        if (k->allowed) {
            fputs("; ", out);
            roff(out, k->allowed);
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
