/* check_impl.h - what the regression gate's files share (private to
 * src/study): string helpers for the rows they build. */
#ifndef STRATA_STUDY_CHECK_IMPL_H
#define STRATA_STUDY_CHECK_IMPL_H

/* A copy of s in fresh memory; "" for NULL. */
char *st_check_copy_str(const char *s);
/* A formatted string in fresh memory. */
char *st_check_strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
