/* plot.c - a figure of the HTML report as an SVG document, drawn with
 * PLplot's svg device into memory (st_plot_svg in html.h): points with
 * their confidence intervals as error bars, a line per series on a
 * numeric axis, and a legend.  Each figure gets its own PLplot stream, so
 * nothing of one leaks into the next. */
#include "results/html.h"
#include "base/xalloc.h"

#include <math.h>
#include <plplot.h>
#include <stdlib.h>
#include <string.h>

#define WIDTH 860
#define HEIGHT 460
#define N_COLOURS 8

/* Dark2, as the gnuplot figures (analysis/common.gp). */
static const int palette[N_COLOURS][3] = {
    {0x1b, 0x9e, 0x77}, {0xd9, 0x5f, 0x02}, {0x75, 0x70, 0xb3},
    {0xe7, 0x29, 0x8a}, {0x66, 0xa6, 0x1e}, {0xe6, 0xab, 0x02},
    {0xa6, 0x76, 0x1d}, {0x66, 0x66, 0x66}};

/* PLplot reads '#' as its escape character: "##" is a plain one. */
static char *pl_text(const char *s)
{
    size_t n = 0;
    for (const char *p = s ? s : ""; *p; p++)
        n += *p == '#' ? 2 : 1;
    char *t = st_xmalloc(n + 1), *o = t;
    for (const char *p = s ? s : ""; *p; p++) {
        *o++ = *p;
        if (*p == '#')
            *o++ = '#';
    }
    *o = '\0';
    return t;
}

static void widen(double v, double *lo, double *hi)
{
    if (isfinite(v)) {
        *lo = fmin(*lo, v);
        *hi = fmax(*hi, v);
    }
}

/* The data's extent, padded; a flat or empty range gets a unit span. */
static void ranges(const st_plot *p, double r[4])
{
    r[0] = r[2] = INFINITY;
    r[1] = r[3] = -INFINITY;
    for (size_t k = 0; k < p->n_series; k++) {
        const st_plot_series *s = &p->series[k];
        for (size_t i = 0; i < s->n; i++) {
            widen(s->x[i], &r[0], &r[1]);
            widen(s->y[i], &r[2], &r[3]);
            widen(s->lo[i], &r[2], &r[3]);
            widen(s->hi[i], &r[2], &r[3]);
        }
    }
    if (p->n_ticks) {
        r[0] = 1;
        r[1] = (double)p->n_ticks;
    }
    for (int a = 0; a < 4; a += 2) {
        if (!(r[a] <= r[a + 1]))
            r[a] = 0, r[a + 1] = 1;
        double pad = r[a + 1] > r[a] ? 0.06 * (r[a + 1] - r[a])
                                     : fmax(0.5, 0.1 * fabs(r[a]));
        r[a] -= pad;
        r[a + 1] += pad;
    }
}

static void axes(const st_plot *p, const double r[4])
{
    plcol0(1);
    plvpor(0.10, 0.74, 0.14, 0.90);
    plwind(r[0], r[1], r[2], r[3]);
    plbox(p->n_ticks ? "bc" : "bcnst", 0, 0, "bcnstv", 0, 0);
    for (size_t i = 0; i < p->n_ticks; i++) {
        char *t = pl_text(p->ticks[i]);
        plmtex("b", 1.6, ((double)(i + 1) - r[0]) / (r[1] - r[0]), 0.5, t);
        free(t);
    }
    char *x = pl_text(p->xlabel), *y = pl_text(p->ylabel),
         *title = pl_text(p->title);
    pllab(x, y, title);
    free(x);
    free(y);
    free(title);
}

/* Points with an interval on both ends get an error bar. */
static void error_bars(const st_plot_series *s)
{
    double *x = st_xmalloc((s->n + 1) * sizeof *x), *lo = st_xmalloc((s->n + 1) * sizeof *lo),
           *hi = st_xmalloc((s->n + 1) * sizeof *hi);
    PLINT n = 0;
    for (size_t i = 0; i < s->n; i++)
        if (isfinite(s->lo[i]) && isfinite(s->hi[i])) {
            x[n] = s->x[i];
            lo[n] = s->lo[i];
            hi[n++] = s->hi[i];
        }
    if (n)
        plerry(n, x, lo, hi);
    free(x);
    free(lo);
    free(hi);
}

static void draw_series(const st_plot *p)
{
    for (size_t k = 0; k < p->n_series; k++) {
        const st_plot_series *s = &p->series[k];
        plcol0(2 + (PLINT)(k % N_COLOURS));
        if (!p->n_ticks && s->n > 1)
            plline((PLINT)s->n, s->x, s->y);
        plpoin((PLINT)s->n, s->x, s->y, 17);
        error_bars(s);
    }
}

static void legend(const st_plot *p)
{
    PLINT n = (PLINT)p->n_series;
    if (!n)
        return;
    PLINT *opt = calloc((size_t)n, sizeof *opt), *colour = calloc((size_t)n, sizeof *colour),
          *style = calloc((size_t)n, sizeof *style), *sym_n = calloc((size_t)n, sizeof *sym_n);
    PLFLT *width = st_xcalloc((size_t)n, sizeof *width), *scale = st_xcalloc((size_t)n, sizeof *scale);
    char **text = st_xcalloc((size_t)n, sizeof *text);
    const char **sym = st_xcalloc((size_t)n, sizeof *sym);
    for (PLINT k = 0; k < n; k++) {
        opt[k] = PL_LEGEND_SYMBOL | (p->n_ticks ? 0 : PL_LEGEND_LINE);
        colour[k] = 2 + k % N_COLOURS;
        style[k] = 1;
        width[k] = 1;
        scale[k] = 1;
        sym_n[k] = 1;
        sym[k] = "#(728)";
        text[k] = pl_text(p->series[k].name);
    }
    PLFLT w, h;
    plcol0(1);
    pllegend(&w, &h, PL_LEGEND_BACKGROUND, PL_POSITION_RIGHT | PL_POSITION_OUTSIDE,
             0.02, 0, 0.06, 0, 1, 0, 0, 0, n, opt, 0.8, 0.8, 2.0, 0, colour,
             (const char *const *)text, NULL, NULL, NULL, NULL, colour, style, width,
             colour, scale, sym_n, sym);
    for (PLINT k = 0; k < n; k++)
        free(text[k]);
    free(opt), free(colour), free(style), free(sym_n);
    free(width), free(scale), free(text), free(sym);
}

/* PLplot exits the process when asked for a device it lacks: ask first. */
static int have_svg_device(void)
{
    int n = 256;   /* the room given; PLplot sets the number listed */
    const char **menu = calloc((size_t)n, sizeof *menu);
    const char **names = calloc((size_t)n, sizeof *names);
    int found = 0;
    if (menu && names) {
        plgDevs(&menu, &names, &n);
        for (int i = 0; i < n && !found; i++)
            found = names[i] && strcmp(names[i], "svg") == 0;
    }
    free(menu);
    free(names);
    return found;
}

char *st_plot_svg(const st_plot *p)
{
    if (!have_svg_device())
        return NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    PLINT prev, strm;
    plgstrm(&prev);
    plmkstrm(&strm);
    plsdev("svg");
    plsfile(f);
    plspage(0, 0, WIDTH, HEIGHT, 0, 0);
    plscolbg(255, 255, 255);
    plscol0(1, 0, 0, 0);
    for (int k = 0; k < N_COLOURS; k++)
        plscol0(2 + k, palette[k][0], palette[k][1], palette[k][2]);
    plinit();
    pladv(0);
    plschr(0, 0.75);
    double r[4];
    ranges(p, r);
    axes(p, r);
    draw_series(p);
    legend(p);
    plend1();     /* closes f, which sets buf */
    plsstrm(prev);
    return buf;
}
