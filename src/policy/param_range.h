/* param_range.h - a declared policy parameter's range as an st_range (the
 * declaration the parameter is checked against), so that its checks,
 * its messages and `strata policy info` write it alike.  Private to the
 * policy layer and the CLI. */
#ifndef STRATA_POLICY_PARAM_RANGE_H
#define STRATA_POLICY_PARAM_RANGE_H

#include "base/range.h"
#include "strata/params.h"

/* REAL: a NUMBER interval, INT: an INTEGER one, CHOICE: its words. */
st_range st_param_range(const st_param *d);

#endif
