/* presets.h - what strata knows about synthetic traces beyond generating
 * one (synth.c): the named presets, the "MBPS:DWELL,..." state lists the
 * command line takes, the long-run mean rate, and the '#' header that lets
 * a generated file be regenerated exactly.  Private to strata (the CLI and
 * tests use it). */
#ifndef STRATA_TRACE_PRESETS_H
#define STRATA_TRACE_PRESETS_H

#include <stdio.h>
#include "strata/trace.h"

typedef struct st_synth_preset {
    const char *name;     /* "3g", "lte", "wifi" */
    const char *states;   /* MBPS:DWELL_S,... */
    double jitter;        /* lognormal sigma used unless one is given */
} st_synth_preset;

/* The preset of that name, or NULL. */
const st_synth_preset *st_synth_preset_find(const char *name);
/* Parses "MBPS:DWELL,MBPS:DWELL,..." (1 to 16 states, rates >= 0,
 * dwell > 0) into o->states, o->mbps and o->dwell_s; 0 or -1. */
int st_synth_parse_states(const char *s, st_synth_opts *o);
/* The stationary mean rate, sum(mbps * dwell) / sum(dwell), in Mbit/s. */
double st_synth_stationary_mean(const st_synth_opts *o);
/* The '#' header of a generated trace: the model, its parameters (the
 * preset's name if one was used, else NULL) and the command regenerating
 * the file. */
void st_synth_write_header(FILE *f, const st_synth_opts *o,
                           const char *preset);

#endif
