/* progress.c - a sweep's progress line (see progress.h). */
#include "study/progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define REDRAW_S 0.2

double progress_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void progress_begin(sweep_progress *p, const char *label, size_t total,
                    int quiet)
{
    *p = (sweep_progress){.label = label, .quiet = quiet, .total = total,
                          .tty = isatty(STDERR_FILENO), .t0 = progress_clock()};
    p->next_plain = total / 10 ? total / 10 : 1;
}

/* "1:02:03", "2:03" or "--" when there is nothing to go on yet. */
static void format_eta(const sweep_progress *p, double now, char *buf,
                       size_t n)
{
    if (p->done == 0 || p->done >= p->total) {
        snprintf(buf, n, p->done ? "0:00" : "--");
        return;
    }
    double per = (now - p->t0) / (double)p->done;
    long s = (long)(per * (double)(p->total - p->done) + 0.5);
    if (s >= 3600)
        snprintf(buf, n, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, n, "%ld:%02ld", s / 60, s % 60);
}

static void draw(sweep_progress *p, double now)
{
    char eta[32];
    format_eta(p, now, eta, sizeof eta);
    double rate = now > p->t0 ? (double)p->done / (now - p->t0) : 0;
    fprintf(stderr, "\r\033[K%s: %zu/%zu done, %zu failed, %.1f runs/s, ETA %s",
            p->label, p->done, p->total, p->failed, rate, eta);
    fflush(stderr);
    p->drawn = 1;
    p->last_draw = now;
}

void progress_step(sweep_progress *p, int failed)
{
    p->done++;
    p->failed += failed != 0;
    if (p->quiet)
        return;
    double now = progress_clock();
    if (p->tty) {
        draw(p, now);
    } else if (p->done >= p->next_plain || p->done == p->total) {
        char eta[32];
        format_eta(p, now, eta, sizeof eta);
        fprintf(stderr, "%s: %zu/%zu done, %zu failed, ETA %s\n", p->label,
                p->done, p->total, p->failed, eta);
        while (p->next_plain <= p->done)
            p->next_plain += p->total / 10 ? p->total / 10 : 1;
    }
}

void progress_tick(sweep_progress *p)
{
    double now = progress_clock();
    if (!p->quiet && p->tty && now - p->last_draw >= REDRAW_S)
        draw(p, now);
}

void progress_note(sweep_progress *p, const char *fmt, ...)
{
    if (p->drawn)
        fputs("\r\033[K", stderr);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (p->drawn)
        draw(p, progress_clock());
}

void progress_end(sweep_progress *p)
{
    if (p->drawn)
        fputs("\r\033[K", stderr);
    p->drawn = 0;
    fflush(stderr);
}
