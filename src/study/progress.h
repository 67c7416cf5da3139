/* progress.h - a sweep's progress on stderr: one redrawn line with done,
 * failed and ETA on a terminal, a plain line every tenth otherwise, and
 * nothing when quiet.  Private to src/study. */
#ifndef STRATA_SWEEP_PROGRESS_H
#define STRATA_SWEEP_PROGRESS_H

#include <stddef.h>

typedef struct sweep_progress {
    const char *label;     /* e.g. "strata sweep" */
    int tty, quiet;
    size_t total, done, failed;
    double t0, last_draw;  /* monotonic seconds */
    size_t next_plain;     /* done count of the next plain line */
    int drawn;             /* the terminal line holds our text */
} sweep_progress;

double progress_clock(void);
void progress_begin(sweep_progress *p, const char *label, size_t total,
                    int quiet);
/* One point finished (failed or not). */
void progress_step(sweep_progress *p, int failed);
/* Redraws the terminal line when due (the ETA moves between steps). */
void progress_tick(sweep_progress *p);
/* A message on a line of its own, even when quiet (failures). */
void progress_note(sweep_progress *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Clears the terminal line. */
void progress_end(sweep_progress *p);

#endif
