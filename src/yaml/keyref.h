/* keyref.h - the keys a YAML mapping may hold, declared once per mapping:
 * the reader checks documents against the table (unknown and duplicate
 * keys are errors naming file:line:col), and the same tables, gathered in
 * sections, are written out as the reference of the file format (Markdown
 * for docs/, roff for a section-5 manual page).  Shared by the scenario
 * reader (src/config) and the sweep reader (src/study). */
#ifndef STRATA_YAML_KEYREF_H
#define STRATA_YAML_KEYREF_H

#include <stdio.h>
#include "yaml/cfgread.h"

/* One key of a mapping. */
typedef struct cfg_key {
    const char *name;      /* NULL ends a table */
    const char *type;      /* what the value is: "number", "time", ... */
    const char *unit;      /* "s", "MB", ... or NULL */
    const char *def;       /* the default; NULL: required; "-": optional,
                              without a default (absent means none) */
    const char *allowed;   /* range or values, or NULL */
    const char *doc;       /* one line: what it means */
} cfg_key;

/* The keys of a distribution of times (cfg_time_dist). */
extern const cfg_key cfg_keys_dist[];

/* cfg_keys against a table; an unknown key's message also points to the
 * reference. */
int cfg_keys_in(cfg *c, yaml_node_t *map, const cfg_key *keys,
                const char *what);

/* A mapping of the format, for the reference. */
typedef struct cfg_ref_section {
    const char *path;      /* where it is, e.g. "devices[].link.up" */
    const char *about;     /* a sentence on what it is */
    const cfg_key *keys;
} cfg_ref_section;

/* Writes the sections as Markdown tables (man = 0) or roff (man = 1). */
void cfg_ref_write(FILE *out, const cfg_ref_section *s, size_t n, int man);

#endif
