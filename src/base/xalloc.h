/* xalloc.h - allocation that cannot fail silently, and checked size
 * arithmetic for every size computed from input.
 *
 * Out of memory inside the simulator leaves nothing sane to do for one
 * run, so these do not return NULL: they print what could not be allocated
 * (how many bytes, and where in the source) and exit with status
 * ST_EXIT_OOM.  Limits on what an input may ask for (scenario.h, trace.h,
 * the memory estimate in st_scenario_memory) keep a hostile file from
 * getting here.
 */
#ifndef STRATA_XALLOC_H
#define STRATA_XALLOC_H

#include <stddef.h>

/* Exit status after running out of memory (2 is bad input, 1 a failure). */
#define ST_EXIT_OOM 3

/* Prints "strata: out of memory: could not allocate BYTES (WHAT at
 * FILE:LINE)" and exits with ST_EXIT_OOM. */
_Noreturn void st_oom_at(const char *what, size_t n, size_t size,
                         const char *file, int line);

/* calloc of at least one element, so n == 0 still gives a pointer. */
void *st_xcalloc_at(size_t n, size_t size, const char *file, int line);
/* realloc to at least one byte. */
void *st_xrealloc_at(void *p, size_t size, const char *file, int line);
/* realloc to n elements of size bytes, n x size checked for overflow. */
void *st_xreallocarray_at(void *p, size_t n, size_t size, const char *file,
                          int line);
/* strdup that passes NULL through; strndup. */
char *st_xstrdup_at(const char *s, const char *file, int line);
char *st_xstrndup_at(const char *s, size_t n, const char *file, int line);
/* A formatted string in fresh memory (asprintf that cannot fail). */
char *st_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define st_xcalloc(n, size) st_xcalloc_at((n), (size), __FILE__, __LINE__)
#define st_xmalloc(size) st_xcalloc_at(1, (size), __FILE__, __LINE__)
#define st_xrealloc(p, size) st_xrealloc_at((p), (size), __FILE__, __LINE__)
#define st_xreallocarray(p, n, size) \
    st_xreallocarray_at((p), (n), (size), __FILE__, __LINE__)
#define st_xstrdup(s) st_xstrdup_at((s), __FILE__, __LINE__)
#define st_xstrndup(s, n) st_xstrndup_at((s), (n), __FILE__, __LINE__)
/* For allocators that report failure otherwise (libyaml, open_memstream). */
#define st_oom(what) st_oom_at((what), 0, 0, __FILE__, __LINE__)

/* Checked arithmetic for sizes computed from input: 0 with the result in
 * *out, or -1 (and *out = SIZE_MAX) when it does not fit in a size_t. */
int st_size_mul(size_t a, size_t b, size_t *out);
int st_size_add(size_t a, size_t b, size_t *out);
/* a x b x c, checked. */
int st_size_mul3(size_t a, size_t b, size_t c, size_t *out);

#endif
