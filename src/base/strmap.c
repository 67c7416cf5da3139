/* strmap.c - string -> index map with linear probing (see strmap.h). */
#include "base/strmap.h"
#include "base/hash.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

void st_strmap_init(st_strmap *m)
{
    *m = (st_strmap){0};
}

void st_strmap_free(st_strmap *m)
{
    free(m->e);
    *m = (st_strmap){0};
}

/* The slot of key, or of the empty slot where it would go. */
static size_t slot(const st_strmap *m, const char *key)
{
    size_t i = (size_t)st_hash_mix(st_hash_str(ST_HASH_INIT, key)) & (m->cap - 1);
    while (m->e[i].key && strcmp(m->e[i].key, key) != 0)
        i = (i + 1) & (m->cap - 1);
    return i;
}

static void grow(st_strmap *m)
{
    st_strmap old = *m;
    m->cap = old.cap ? old.cap * 2 : 64;
    m->e = st_xcalloc(m->cap, sizeof *m->e);
    for (size_t i = 0; i < old.cap; i++)
        if (old.e[i].key)
            m->e[slot(m, old.e[i].key)] = old.e[i];
    free(old.e);
}

int st_strmap_put(st_strmap *m, const char *key, size_t value,
                  size_t *existing)
{
    if (2 * (m->n + 1) > m->cap)
        grow(m);
    size_t i = slot(m, key);
    if (m->e[i].key) {
        if (existing)
            *existing = m->e[i].value;
        return 1;
    }
    m->e[i] = (struct st_strmap_entry){key, value};
    m->n++;
    return 0;
}

int st_strmap_get(const st_strmap *m, const char *key, size_t *out)
{
    if (!m->cap)
        return 0;
    size_t i = slot(m, key);
    if (!m->e[i].key)
        return 0;
    *out = m->e[i].value;
    return 1;
}
