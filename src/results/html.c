/* html.c - the report as one self-contained HTML page (st_html_write in
 * html.h): the comparison table, the figures inlined as SVG, and every
 * run of every group with its configuration behind a click
 * (details/summary).  No scripts, no external files: the page can be
 * attached to a pull request or mailed as it is. */
#include "results/html.h"

#include <sqlite3.h>
#include <string.h>

static const char style[] =
    "body{font-family:sans-serif;margin:2em;max-width:90em;color:#222}"
    "table{border-collapse:collapse;margin:1em 0}"
    "th,td{border:1px solid #ccc;padding:.25em .6em;font-size:.9em}"
    "th{background:#f3f3f3}td.num{text-align:right;white-space:nowrap}"
    "figure{margin:1.5em 0}figure svg{max-width:100%;height:auto}"
    "figcaption{font-size:.9em;color:#555}"
    "details{margin:.3em 0}summary{cursor:pointer}"
    "pre{background:#f8f8f8;padding:.5em;overflow:auto;font-size:.8em}"
    ".note{background:#fff3cd;border:1px solid #e0c060;padding:.5em}";

/* Text with the five characters HTML gives meaning escaped. */
static void put_esc(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default: putc(*s, out);
        }
    }
}

static void put_tag_text(FILE *out, const char *tag, const char *text)
{
    fprintf(out, "<%s>", tag);
    put_esc(out, text);
    fprintf(out, "</%s>\n", tag);
}

static void write_table(FILE *out, const st_html_report *h)
{
    fputs("<table class=\"comparison\">\n", out);
    for (size_t r = 0; r < h->rows; r++) {
        fputs("<tr>", out);
        for (size_t c = 0; c < h->cols; c++) {
            const char *tag = r ? "td" : "th";
            fprintf(out, "<%s%s>", tag,
                    r && h->right[c] ? " class=\"num\"" : "");
            put_esc(out, h->cell[r * h->cols + c]);
            fprintf(out, "</%s>", tag);
        }
        fputs("</tr>\n", out);
    }
    fputs("</table>\n", out);
}

/* Writes svg with every "text-clipping" id (PLplot numbers them from 0 in
 * each document) prefixed by the figure's number: ids are per page. */
static void put_svg(FILE *out, const char *svg, size_t k)
{
    static const char id[] = "text-clipping";
    for (const char *p = svg, *at; *p; p = at + sizeof id - 1) {
        at = strstr(p, id);
        if (!at) {
            fputs(p, out);
            break;
        }
        fwrite(p, 1, (size_t)(at - p), out);
        fprintf(out, "fig%zu-%s", k, id);
    }
}

/* An SVG document inline: from its <svg> element on (HTML has no use for
 * the XML declaration or doctype before it). */
static void write_figures(FILE *out, const st_html_report *h)
{
    if (!h->n_figures)
        return;
    fputs("<h2>Figures</h2>\n", out);
    for (size_t i = 0; i < h->n_figures; i++) {
        const char *svg = h->figures[i] ? strstr(h->figures[i], "<svg") : NULL;
        if (!svg)
            continue;
        fputs("<figure class=\"plot\">\n", out);
        put_svg(out, svg, i);
        fputs("\n<figcaption>", out);
        put_esc(out, h->captions[i]);
        fputs("</figcaption></figure>\n", out);
    }
}

/* ---- the runs ------------------------------------------------------------ */

#define RUN_COLS 7   /* after the grouping columns, see runs_sql */

char *st_grouped_sql(sqlite3 *db, char *const *by_expr, size_t n_by,
                     const char *lead, const char *middle, const char *tail)
{
    sqlite3_str *s = sqlite3_str_new(db);
    sqlite3_str_appendf(s, "SELECT %s", lead);
    for (size_t i = 0; i < n_by; i++)
        sqlite3_str_appendf(s, ", %s", by_expr[i]);
    sqlite3_str_appendf(s, ", %s ORDER BY ", middle);
    /* Numbers in numeric order (text casts to its leading number, or 0),
     * then as text, so "250 ms" < "1 s" never happens by accident. */
    for (size_t i = 0; i < n_by; i++)
        sqlite3_str_appendf(s, "CAST(%s AS REAL), %s, ", by_expr[i],
                            by_expr[i]);
    sqlite3_str_appendall(s, tail);
    return sqlite3_str_finish(s);
}

static char *runs_sql(const st_html_report *h)
{
    return st_grouped_sql(h->db, h->by_expr, h->n_by, "0",
                          "r.run_key, r.seed, r.config_hash, r.overrides,"
                          " coalesce(r.sweep || ' (' || r.sweep_file || ', "
                          "point ' || r.sweep_point || ')', '-'),"
                          " r.scenario_file, r.config_text FROM runs r"
                          " WHERE r.status = 'ok'", "r.seed, r.run_key");
}

static const char *col_text(sqlite3_stmt *q, int c)
{
    const char *t = (const char *)sqlite3_column_text(q, c);
    return t ? t : "";
}

/* 1 when row q has other grouping values than last (NULL: none yet). */
static int group_changed(sqlite3_stmt *q, size_t n_by, char **last)
{
    int changed = !last[0];
    for (size_t i = 0; i < n_by && !changed; i++)
        changed = strcmp(last[i + 1], col_text(q, 1 + (int)i)) != 0;
    if (!changed)
        return 0;
    for (size_t i = 0; i <= n_by; i++) {
        sqlite3_free(last[i]);
        last[i] = sqlite3_mprintf("%s", i ? col_text(q, (int)i) : "");
    }
    return 1;
}

static void open_group(FILE *out, const st_html_report *h, sqlite3_stmt *q)
{
    fputs("<details class=\"group\"><summary>", out);
    for (size_t i = 0; i < h->n_by; i++) {
        fputs(i ? ", " : "", out);
        put_esc(out, h->by[i]);
        putc('=', out);
        const char *v = col_text(q, 1 + (int)i);
        put_esc(out, *v ? v : "-");
    }
    fputs("</summary>\n<table><tr><th>run</th><th>seed</th>"
          "<th>config_hash</th><th>sweep</th><th>overrides</th>"
          "<th>configuration</th></tr>\n", out);
}

static void write_run(FILE *out, sqlite3_stmt *q, int c)
{
    fputs("<tr><td>", out);
    put_esc(out, col_text(q, c));
    fputs("</td><td class=\"num\">", out);
    put_esc(out, col_text(q, c + 1));
    fputs("</td><td>", out);
    put_esc(out, col_text(q, c + 2));
    fputs("</td><td>", out);
    put_esc(out, col_text(q, c + 4));
    fputs("</td><td><pre>", out);
    put_esc(out, col_text(q, c + 3));
    fputs("</pre></td><td><details><summary>", out);
    put_esc(out, *col_text(q, c + 5) ? col_text(q, c + 5) : "configuration");
    fputs("</summary><pre>", out);
    put_esc(out, col_text(q, c + 6));
    fputs("</pre></details></td></tr>\n", out);
}

static int write_runs(FILE *out, const st_html_report *h)
{
    char *sql = runs_sql(h);
    sqlite3_stmt *q = NULL;
    int rc = sql ? sqlite3_prepare_v2(h->db, sql, -1, &q, NULL) : SQLITE_NOMEM;
    sqlite3_free(sql);
    char **last = sqlite3_malloc64((h->n_by + 1) * sizeof *last);
    if (!last)
        rc = SQLITE_NOMEM;
    else
        memset(last, 0, (h->n_by + 1) * sizeof *last);
    fputs("<h2>Runs</h2>\n<p>Each group's runs, with what made each one"
          " (the overrides applied to the scenario file, the sweep point)"
          " and its whole resolved configuration.</p>\n", out);
    int open = 0;
    while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        rc = SQLITE_OK;
        if (group_changed(q, h->n_by, last)) {
            if (open)
                fputs("</table></details>\n", out);
            open_group(out, h, q);
            open = 1;
        }
        write_run(out, q, 1 + (int)h->n_by);
    }
    if (open)
        fputs("</table></details>\n", out);
    for (size_t i = 0; last && i <= h->n_by; i++)
        sqlite3_free(last[i]);
    sqlite3_free(last);
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int st_html_write(FILE *out, const st_html_report *h)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "\n<title>", out);
    put_esc(out, h->title);
    fprintf(out, "</title>\n<style>%s</style></head>\n<body>\n", style);
    put_tag_text(out, "h1", h->title);
    put_tag_text(out, "p", h->intro);
    if (h->note) {
        fputs("<p class=\"note\">", out);
        put_esc(out, h->note);
        fputs("</p>\n", out);
    }
    write_table(out, h);
    write_figures(out, h);
    int rc = write_runs(out, h);
    fputs("</body></html>\n", out);
    return rc;
}
