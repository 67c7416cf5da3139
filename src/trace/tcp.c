/* tcp.c - the TCP-aware transfer model: slow start, congestion avoidance,
 * restart after idle and connection set-up, round by round over the exact
 * trace integral (see tcp.h for the model and its assumptions). */
#include "trace/tcp.h"

#include <math.h>

/* Linux's minimum retransmission timeout (TCP_RTO_MIN): with a steady
 * RTT its RTO is about srtt + 200 ms, the idle time that triggers a
 * restart. */
#define RTO_FLOOR_S 0.2

st_transport st_transport_default(void)
{
    return (st_transport){
        .kind = ST_TRANSPORT_FLUID, .init_cwnd = 10, .mss = 1448,
        .ssthresh = INFINITY, .idle_restart = 1,
        .handshake = ST_HANDSHAKE_REUSED,
    };
}

int st_tcp_handshake_rtts(st_handshake h)
{
    return h == ST_HANDSHAKE_TLS ? 2 : h == ST_HANDSHAKE_TCP ? 1 : 0;
}

double st_path_finish(const st_path *p, double start, double bits)
{
    if (!p->tr)
        return start + bits / (p->dir->bps * p->dir->scale);
    double t0 = start + p->offset, b = bits / p->dir->scale;
    return (p->cur ? st_trace_finish_cursor(p->tr, p->cur, t0, b)
                   : st_trace_finish(p->tr, t0, b)) - p->offset;
}

/* Transfers st_path_finish_many scales at once (more go in turns). */
#define MANY_CHUNK 32

void st_path_finish_many(const st_path *p, double start, const double *bytes,
                         size_t n, double *end)
{
    if (!p->tr) {
        for (size_t k = 0; k < n; k++)
            end[k] = st_path_finish(p, start, bytes[k] * 8);
        return;
    }
    double t0 = start + p->offset, scaled[MANY_CHUNK];
    st_trace_cursor scratch = {0};
    for (size_t at = 0; at < n; at += MANY_CHUNK) {
        size_t m = n - at < MANY_CHUNK ? n - at : MANY_CHUNK;
        for (size_t k = 0; k < m; k++)
            scaled[k] = bytes[at + k] * 8 / p->dir->scale;
        st_trace_finish_many(p->tr, p->cur ? p->cur : &scratch, t0, scaled, m,
                             end + at);
        for (size_t k = 0; k < m; k++)
            end[at + k] -= p->offset;
    }
}

static void open_fresh(const st_transport *tp, st_tcp_conn *c)
{
    c->cwnd = tp->init_cwnd * tp->mss;
    c->ssthresh = tp->ssthresh;
}

/* Linux's tcp_cwnd_restart: after an idle RTO, ssthresh keeps at least
 * 3/4 of the window, and the window halves once per RTO elapsed, never
 * below min(initial window, window). */
static void restart_after_idle(const st_transport *tp, st_tcp_conn *c,
                               double now, double rtt)
{
    double rto = rtt + RTO_FLOOR_S, idle = now - c->last_send;
    if (!(idle > rto))
        return;
    if (0.75 * c->cwnd > c->ssthresh)
        c->ssthresh = 0.75 * c->cwnd;
    double init = tp->init_cwnd * tp->mss;
    double floor = init < c->cwnd ? init : c->cwnd;
    for (double d = idle - rto; d > 0 && c->cwnd > floor; d -= rto)
        c->cwnd /= 2;
    if (c->cwnd < floor)
        c->cwnd = floor;
}

/* Window growth once the ACKs for `sent` bytes are back: one byte per byte
 * acknowledged in slow start (capped at ssthresh), one MSS per window in
 * congestion avoidance. */
static void grow(const st_transport *tp, st_tcp_conn *c, double sent)
{
    if (c->cwnd < c->ssthresh) {
        double w = c->cwnd + sent;
        c->cwnd = w < c->ssthresh ? w : c->ssthresh;
    } else {
        c->cwnd += tp->mss * sent / c->cwnd;
    }
}

/* The connection's window at `start`, before any data of this transfer. */
static void prepare(const st_transport *tp, st_tcp_conn *c, double start,
                    double rtt)
{
    if (!(c->cwnd > 0) || tp->handshake != ST_HANDSHAKE_REUSED)
        open_fresh(tp, c);
    else if (tp->idle_restart)
        restart_after_idle(tp, c, start, rtt);
}

double st_tcp_send(const st_transport *tp, st_tcp_conn *c, const st_path *p,
                   double start, double bytes, double rtt, int opens,
                   unsigned *rounds)
{
    unsigned n = 0;
    double end = start;
    if (bytes > 0) {
        prepare(tp, c, start, rtt);
        double s = start, left = bytes;
        if (opens)
            s += st_tcp_handshake_rtts(tp->handshake) * rtt;
        for (;;) {
            double send = c->cwnd < left ? c->cwnd : left;
            n++;
            end = st_path_finish(p, s, send * 8);
            left -= send;
            grow(tp, c, send);
            if (!(left > 0) || !isfinite(end))
                break;
            double first = tp->mss < send ? tp->mss : send;
            double ack = st_path_finish(p, s, first * 8) + rtt;
            s = end > ack ? end : ack;
        }
        c->last_send = end;
    }
    if (rounds)
        *rounds = n;
    return end;
}
