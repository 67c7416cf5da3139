/* keyref.h - the keys a YAML mapping may hold, declared once per mapping,
 * each with the range of values it takes: the reader checks documents
 * against the table (unknown and duplicate keys, and values out of the
 * declared range, are errors naming file:line:col), and the same tables,
 * gathered in sections, are written out as the reference of the file
 * format (Markdown for docs/, roff for a section-5 manual page), the
 * ranges as st_range_format writes them.  Shared by the scenario reader
 * (src/config) and the sweep reader (src/study). */
#ifndef STRATA_YAML_KEYREF_H
#define STRATA_YAML_KEYREF_H

#include <math.h>
#include <stdio.h>
#include "base/range.h"
#include "yaml/cfgread.h"

/* One key of a mapping. */
typedef struct cfg_key {
    const char *name;      /* NULL ends a table */
    const char *type;      /* what the value is: "number", "time", ... */
    const char *unit;      /* "s", "MB", ... or NULL */
    const char *def;       /* the default; NULL: required; "-": optional,
                              without a default (absent means none) */
    st_range range;        /* the values it takes (CFG_ANY: see type) */
    const char *doc;       /* one line: what it means */
} cfg_key;

/* Ranges for the tables.  A TIME's ends are in seconds whatever the key's
 * unit (which is only the unit of a bare number).  A note is a further
 * condition that the reader's own code checks (a relation to another key,
 * a name that must exist). */
#define CFG_ANY {ST_RANGE_NONE, 0, 0, 0, 0, NULL, NULL}
#define CFG_NOTE(note) {ST_RANGE_NONE, 0, 0, 0, 0, NULL, (note)}
#define CFG_NUM(lo, hi) {ST_RANGE_NUMBER, (lo), (hi), 0, 0, NULL, NULL}
#define CFG_INT(lo, hi) {ST_RANGE_INTEGER, (lo), (hi), 0, 0, NULL, NULL}
#define CFG_TIME(lo, hi) {ST_RANGE_TIME, (lo), (hi), 0, 0, NULL, NULL}
#define CFG_TIME_AND(lo, hi, note) {ST_RANGE_TIME, (lo), (hi), 0, 0, NULL, (note)}
#define CFG_INT_AND(lo, hi, note) {ST_RANGE_INTEGER, (lo), (hi), 0, 0, NULL, (note)}
/* Either end excluded: CFG_OPEN(TIME, 0, 1, 1e9, 0) is (0 s, 1e9 s]. */
#define CFG_OPEN(kind, lo, lo_open, hi, hi_open) \
    {ST_RANGE_##kind, (lo), (hi), (lo_open), (hi_open), NULL, NULL}
#define CFG_ONE_OF(...) \
    {ST_RANGE_ONE_OF, 0, 0, 0, 0, (const char *const[]){__VA_ARGS__, NULL}, NULL}
#define CFG_KEYS_END {NULL, NULL, NULL, NULL, CFG_ANY, NULL}

/* The keys of a distribution of times (cfg_time_dist). */
extern const cfg_key cfg_keys_dist[];

/* cfg_keys against a table; an unknown key's message also points to the
 * reference. */
int cfg_keys_in(cfg *c, yaml_node_t *map, const cfg_key *keys,
                const char *what);

/* The entry of name in keys.  A name the table does not declare is a bug
 * in the reader: it aborts, saying so. */
const cfg_key *cfg_key_of(const cfg_key *keys, const char *name);

/* Node n as the value of key `name` of the table, checked against its
 * range: a NUMBER or INTEGER as is, a TIME in seconds (a bare number in
 * the key's unit), a ONE_OF as the index of its word.  A key declared
 * with another kind of range is a bug (abort). */
int cfg_key_value(cfg *c, yaml_node_t *n, const cfg_key *keys,
                  const char *name, double *out);
int cfg_key_long(cfg *c, yaml_node_t *n, const cfg_key *keys,
                 const char *name, long *out);
/* what names the value in the error (NULL: the key's name). */
int cfg_key_word(cfg *c, yaml_node_t *n, const cfg_key *keys,
                 const char *name, const char *what, int *out);
/* The same for an optional key of the mapping: *out untouched when it is
 * absent. */
int cfg_opt_value(cfg *c, yaml_node_t *map, const cfg_key *keys,
                  const char *name, double *out);
int cfg_opt_long(cfg *c, yaml_node_t *map, const cfg_key *keys,
                 const char *name, long *out);
int cfg_opt_word(cfg *c, yaml_node_t *map, const cfg_key *keys,
                 const char *name, const char *what, int *out);

/* A mapping of the format, for the reference. */
typedef struct cfg_ref_section {
    const char *path;      /* where it is, e.g. "devices[].link.up" */
    const char *about;     /* a sentence on what it is */
    const cfg_key *keys;
} cfg_ref_section;

/* Writes the sections as Markdown tables (man = 0) or roff (man = 1). */
void cfg_ref_write(FILE *out, const cfg_ref_section *s, size_t n, int man);

#endif
