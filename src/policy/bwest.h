/* bwest.h - estimators of a quantity from a stream of samples, as a client
 * estimates its bandwidth (or RTT) from its own past transfers.
 *
 *   last      the latest sample
 *   ewma      exponentially weighted moving average: after a sample x,
 *             value = (1 - alpha) * value + alpha * x, starting from the
 *             initial estimate (LayerCake's phone library: alpha 0.5)
 *   harmonic  harmonic mean of the last k samples, the usual robust
 *             throughput estimate of adaptive-bitrate clients: one slow
 *             sample pulls it down more than a fast one pushes it up
 *
 * Before any sample every estimator gives the initial estimate.  Samples
 * that are not finite and positive are ignored (a client drops a transfer
 * time that came out negative after subtracting the RTT).  Plain values:
 * no allocation, no globals, so the estimators are unit-testable and a
 * policy keeps one per device.
 */
#ifndef STRATA_BWEST_H
#define STRATA_BWEST_H

#define ST_BWEST_KMAX 64

typedef enum st_bwest_kind {
    ST_BWEST_LAST, ST_BWEST_EWMA, ST_BWEST_HARMONIC
} st_bwest_kind;

typedef struct st_bwest {
    st_bwest_kind kind;
    double alpha;              /* ewma: weight of a new sample, (0, 1] */
    int k;                     /* harmonic: window, 1..ST_BWEST_KMAX */
    double init;               /* the estimate before any sample */
    double value;              /* the current estimate */
    long n;                    /* samples taken */
    double ring[ST_BWEST_KMAX];  /* harmonic: the last k samples */
} st_bwest;

/* Names for parameters: "last", "ewma", "harmonic"; NULL-ended. */
extern const char *const st_bwest_names[];

/* alpha and k are clamped into their ranges. */
void st_bwest_init(st_bwest *e, st_bwest_kind kind, double alpha, int k,
                   double init);
/* Adds a sample; returns 1 if it was used, 0 if ignored. */
int st_bwest_add(st_bwest *e, double sample);
double st_bwest_value(const st_bwest *e);

#endif
