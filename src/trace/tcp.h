/* tcp.h - TCP-aware transfer times over one direction of a link whose rate
 * is a trace (or a constant), round by round (private to the simulator).
 *
 * A transfer of B bytes starting at t0 (the link is free) on a connection
 * with congestion window w:
 *   - a new connection (handshake tcp or tls) first waits 1 or 2 round
 *     trips and starts from the initial window; a reused one that has been
 *     idle longer than its retransmission timeout (RTT + 200 ms, Linux's
 *     floor) halves its window once per timeout elapsed, down to the
 *     initial window (RFC 2861 as Linux implements it);
 *   - round k sends min(w, remaining) bytes starting at s_k; they leave the
 *     link at f_k, the exact solution of the trace integral from s_k; the
 *     first segment's ACK is back one RTT after that segment left, so the
 *     next round starts at s_{k+1} = max(f_k, first-segment end + RTT);
 *   - w doubles per round below ssthresh (slow start, the receiver ACKing
 *     every segment) and grows by one MSS per round above it (congestion
 *     avoidance).
 * Loss-free: no drops, no retransmissions, no receiver-window limit, and
 * the RTT is propagation only (queueing at the link is its own FIFO).  The
 * cost is two trace searches per round, so logarithmic in B in slow start.
 * The returned time is when the last bit leaves the link; the caller adds
 * the last half RTT of propagation, as for a fluid transfer.
 */
#ifndef STRATA_TRACE_TCP_H
#define STRATA_TRACE_TCP_H

#include "strata/scenario.h"
#include "strata/trace.h"

/* One direction of a link as a transfer sees it: trace time = time +
 * offset, the rate multiplied by dir->scale; dir->bps when tr is NULL. */
typedef struct st_path {
    const st_link_dir *dir;
    const st_trace *tr;
    double offset;
    st_trace_cursor *cur;   /* where the last search ended (moved by each
                             * search; NULL: search from scratch).  The
                             * answers are the same either way. */
} st_path;

/* When `bits` sent from `start` have all left the link (fluid). */
double st_path_finish(const st_path *p, double start, double bits);

/* end[k] = st_path_finish(p, start, 8 * bytes[k]) for k < n, bit for
 * bit, finding where start falls in the trace once. */
void st_path_finish_many(const st_path *p, double start, const double *bytes,
                         size_t n, double *end);

/* Per connection (one per device link direction); all zero = never used. */
typedef struct st_tcp_conn {
    double cwnd;       /* bytes; 0 = not yet set */
    double ssthresh;   /* bytes */
    double last_send;  /* when the previous transfer's last bit left */
} st_tcp_conn;

/* Sends `bytes` over p from `start` on connection c (updated) with round
 * trip rtt; `opens` marks the leg that opens a request's connection (it
 * pays the handshake).  Returns when the last bit leaves the link (+inf if
 * never); *rounds (when not NULL) gets the number of rounds. */
double st_tcp_send(const st_transport *tp, st_tcp_conn *c, const st_path *p,
                   double start, double bytes, double rtt, int opens,
                   unsigned *rounds);

/* Round trips a new connection spends before its first data byte. */
int st_tcp_handshake_rtts(st_handshake h);

/* The defaults stated in scenario.h: fluid, 10 x 1448 B, restart on. */
st_transport st_transport_default(void);

#endif
