/* check_impl.h - what the regression gate's files share (private to
 * src/study): the string copy the rows they build use. */
#ifndef STRATA_STUDY_CHECK_IMPL_H
#define STRATA_STUDY_CHECK_IMPL_H

/* A copy of s in fresh memory; "" for NULL. */
char *st_check_copy_str(const char *s);

#endif
