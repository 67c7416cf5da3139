/* strmap.h - a map from strings to indices (open addressing, FNV-1a), for
 * uniqueness checks and name lookups that must stay linear in the size of
 * the input.  Keys are not copied: they must outlive the map. */
#ifndef STRATA_STRMAP_H
#define STRATA_STRMAP_H

#include <stddef.h>

typedef struct st_strmap {
    struct st_strmap_entry {
        const char *key;
        size_t value;
    } *e;
    size_t cap, n;
} st_strmap;

void st_strmap_init(st_strmap *m);
void st_strmap_free(st_strmap *m);
/* Adds key -> value; if key is already there, leaves it and returns 1 with
 * its value in *existing (if not NULL); else 0. */
int st_strmap_put(st_strmap *m, const char *key, size_t value,
                  size_t *existing);
/* 1 with the value in *out if key is there, else 0. */
int st_strmap_get(const st_strmap *m, const char *key, size_t *out);

#endif
