/* xalloc.h - allocation that cannot fail silently.
 *
 * Out of memory inside the simulator leaves nothing sane to do for one run,
 * so these abort instead of returning NULL; limits on what an input may ask
 * for (scenario.h, trace.h) keep a hostile file from getting here.
 */
#ifndef STRATA_XALLOC_H
#define STRATA_XALLOC_H

#include <stddef.h>

/* calloc of at least one element, so n == 0 still gives a pointer. */
void *st_xcalloc(size_t n, size_t size);
/* realloc to at least one byte. */
void *st_xrealloc(void *p, size_t size);
/* strdup that passes NULL through. */
char *st_xstrdup(const char *s);

#endif
