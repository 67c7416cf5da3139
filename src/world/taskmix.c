/* taskmix.c - a Zipf task mix while simulating: which task a popularity
 * rank stands for at a time (the ranking slides every shift_every slots)
 * and each rank's probability.  Declared with st_task_mix in
 * strata/scenario.h; the world and the IDN policies call it. */
#include "strata/scenario.h"

#include <math.h>

int st_task_mix_task(const st_task_mix *m, size_t rank, double t)
{
    long phase = 0;
    if (m->shift_every > 0 && t > 0)
        phase = (long)floor(t / (m->slot_s * (double)m->shift_every));
    size_t n = m->n;
    size_t shift = ((size_t)phase % n) * ((size_t)m->shift_by % n) % n;
    return m->tasks[(rank + shift) % n];
}

double st_task_mix_prob(const st_task_mix *m, size_t rank)
{
    double sum = 0;
    for (size_t k = 0; k < m->n; k++)
        sum += pow((double)(k + 1), -m->zipf);
    return pow((double)(rank + 1), -m->zipf) / sum;
}
