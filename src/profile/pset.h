/* pset.h - building an st_profile_set: adding models, hardware and cells,
 * recording what a source lacks, naming things, and matching selections.
 * Private to src/profile (the importers share it). */
#ifndef STRATA_PSET_H
#define STRATA_PSET_H

#include <stddef.h>
#include "profile/profile.h"
#include "base/xalloc.h"

/* malloc'd printf. */
char *ps_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A strata name from free text: lower case, runs of characters outside
 * [a-z0-9._] become one '-', no '-' at either end. */
char *ps_slug(const char *s);
/* Same, but runs become '_' (model names). */
char *ps_slug_model(const char *s);

/* What a selection list may match. */
typedef enum ps_kind { PS_DEVICE, PS_RUNTIME, PS_PRECISION, PS_MODEL } ps_kind;

/* 1 if the selection's list for kind is empty or holds a or b (either may
 * be NULL), compared without regard to case.  Every value asked about is
 * remembered as offered, so a selection naming something absent can say
 * what there is. */
int ps_want(st_profile_set *set, const st_profile_select *sel, ps_kind kind,
            const char *a, const char *b);

/* Index of the model / hardware with this name, added if new (the other
 * fields are set only when it is added). */
size_t ps_model(st_profile_set *set, const char *name, const char *title,
                const char *task, const char *precision);
size_t ps_hw(st_profile_set *set, const char *name, const char *device,
             const char *soc, const char *runtime, const char *note);
/* Sets a model's accuracy and its note; a second, different value keeps
 * the first and is reported in the missing list. */
void ps_model_accuracy(st_profile_set *set, size_t model, double accuracy,
                       const char *note, const char *where);
void ps_model_size(st_profile_set *set, size_t model, double size_mb,
                   const char *note);
/* A new cell with every number NaN; NULL (and a note in the missing list)
 * if this (model, hardware) pair already has one. */
st_pcell *ps_cell(st_profile_set *set, size_t model, size_t hw);

void ps_missing(st_profile_set *set, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void ps_input(st_profile_set *set, const char *path);

/* Number from a whole string ("13.3"); 0, or -1 if it is not one. */
int ps_number(const char *s, double *out);

#endif
