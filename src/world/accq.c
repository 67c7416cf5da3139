/* accq.c - the FIFO of legs on each direction of a device's access link,
 * kept so that a leg cancelled at its client timeout frees the link for
 * the legs queued behind it (DESIGN section 2: "the rest of the transfer
 * is cancelled and the link freed"; runtime.h declares the interface).
 *
 * The FIFOs are kept from the first decision that carries a timeout (no
 * leg can be cancelled before): a run without timeouts never builds one.
 * Only a leg that has to wait for the link joins its direction's FIFO
 * (accq_sent): a leg can only be behind a cancelled one if it was offered
 * before the cancellation, so before the cancelled leg's end, which means
 * it was waiting.  A leg sent on a free link (the common case) costs
 * nothing more.  A leg leaves the FIFO at its hop event (accq_arrived)
 * together with every leg ahead of it: legs leave the link in FIFO order,
 * so those are done sending too, and a leg is off the FIFO before its
 * request can be released.
 *
 * When a leg still on the link is cancelled (accq_cancel), the link is
 * free from then (or from when the leg would have started), and every leg
 * queued behind it is sent again, in the same order, as transfer() sent
 * it: offered at the same instant, with the same bytes and round-trip
 * draw, starting once the link is free (access_send: the trace integral,
 * or TCP's rounds).  Its hop event moves to the new end: the old event
 * stays in the engine's queue and is made stale by a new token, as the
 * client timeouts' events are (the engine removes nothing).
 *
 * What keeps its times:
 * - legs already sending: only legs behind the cancelled one move, and
 *   none of them had started;
 * - a probe (st_view_probe): its answer was given when it was sent.  A
 *   probe between two legs shows as a leg that started later than both
 *   the end of the leg ahead and its own offer; the legs from there still
 *   start no earlier than the probe ended, and a probe at the end of the
 *   FIFO keeps the link busy until it is done.
 * Over TCP a cancelled leg's connection starts again from the initial
 * window (tcp.h's connection state), so the first leg sent again behind it
 * starts from the initial window and each next one from what the previous
 * left; the growth a probe's bytes gave in between is not replayed.
 */
#include "world/runtime.h"
#include "base/xalloc.h"

static request **tail_of(const world *w, int dev, int up)
{
    return &w->accq[2 * (size_t)dev + (up ? 1 : 0)];
}

void accq_enable(world *w)
{
    if (!w->accq)
        w->accq = st_xcalloc(2 * (size_t)w->sc->n_devices, sizeof *w->accq);
}

void accq_sent(world *w, request *r, int up, double ready, double rtt)
{
    if (!w->accq)   /* no leg is re-timed, and acc_token stays 0 */
        return;
    r->acc_ready = ready;
    r->acc_rtt = rtt;
    r->acc_token = 0;
    if (!(r->acc_start > ready))
        return;
    request **tail = tail_of(w, r->pub.device, up);
    r->acc_token = ++w->next_token;
    if (*tail) {
        r->acc_next = (*tail)->acc_next;
        (*tail)->acc_next = r;
    } else {
        r->acc_next = r;
    }
    *tail = r;
    r->acc_listed = 1;
}

/* Takes the first leg off a FIFO and returns it. */
static request *pop_head(request **tail)
{
    request *h = (*tail)->acc_next;
    if (h == *tail)
        *tail = NULL;
    else
        (*tail)->acc_next = h->acc_next;
    h->acc_listed = 0;
    return h;
}

void accq_arrived(world *w, request *r, int up)
{
    if (!r->acc_listed)
        return;
    request **tail = tail_of(w, r->pub.device, up);
    while (pop_head(tail) != r)
        ;
}

/* Takes r off its FIFO. */
static void unlink_leg(request **tail, request *r)
{
    request *p = *tail;
    while (p->acc_next != r)
        p = p->acc_next;
    if (p == r) {
        *tail = NULL;
    } else {
        p->acc_next = r->acc_next;
        if (r == *tail)
            *tail = p;
    }
    r->acc_listed = 0;
}

/* The first leg of a FIFO that starts once r's leg has ended (NULL:
 * none); the legs behind r are those from there to the tail. */
static request *first_behind(request *const *tail, const request *r)
{
    if (!*tail)
        return NULL;
    for (request *q = (*tail)->acc_next;; q = q->acc_next) {
        if (q->acc_start >= r->acc_end)
            return q;
        if (q == *tail)
            return NULL;
    }
}

/* Sends leg q again on a link free from *busy, which access_send moves to
 * q's new end, and moves its hop event there.  prev_end: when the leg
 * ahead of q used to end (a later start than that and q's offer was
 * waiting for a probe, which keeps its times). */
static void resend(world *w, request *q, int up, double prev_end,
                   double *busy, st_event_fn hop)
{
    if (q->acc_start > prev_end && q->acc_start > q->acc_ready &&
        q->acc_start > *busy)
        *busy = q->acc_start;
    const st_model *m = &w->sc->models[q->dec.model];
    q->acc_start = *busy > q->acc_ready ? *busy : q->acc_ready;
    q->acc_end = access_send(w, q->pub.device, up, q->acc_ready,
                             up ? m->input_bytes : m->output_bytes,
                             q->acc_rtt);
    q->acc_token = ++w->next_token;
    st_sim_at(w->sim, q->acc_end + q->acc_rtt / 2, hop, q, q->acc_token);
}

void accq_cancel(world *w, request *r, int up, double now, st_event_fn hop)
{
    int dev = r->pub.device;
    device_rt *d = dev_rt(w, dev);
    double *busy = up ? &d->up_busy : &d->down_busy;
    double held = *busy, prev_end = r->acc_end;
    st_tcp_conn *c = access_conn(w, dev, up);
    if (c)
        *c = (st_tcp_conn){0};
    *busy = r->acc_start > now ? r->acc_start : now;
    request **tail = w->accq ? tail_of(w, dev, up) : NULL;
    if (r->acc_listed)
        unlink_leg(tail, r);
    request *q = tail ? first_behind(tail, r) : NULL;
    for (; q; q = q == *tail ? NULL : q->acc_next) {
        double end = q->acc_end;
        resend(w, q, up, prev_end, busy, hop);
        prev_end = end;
    }
    if (held > prev_end && held > *busy)   /* a probe at the end */
        *busy = held;
}
