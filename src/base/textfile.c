/* textfile.c - bounded reading of input files (see textfile.h). */
#include "base/textfile.h"
#include "base/xalloc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *file_type(mode_t m)
{
    if (S_ISDIR(m))
        return "a directory";
    if (S_ISCHR(m))
        return "a character device";
    if (S_ISBLK(m))
        return "a block device";
    if (S_ISSOCK(m))
        return "a socket";
    return "not a regular file";
}

static int check_mode(const char *path, mode_t m, const char *kind,
                      st_error *err)
{
    if (S_ISREG(m) || S_ISFIFO(m))
        return 0;
    return st_error_at(err, path, 0, 0, "is %s; expected %s", file_type(m),
                       kind);
}

int st_text_check_path(const char *path, const char *kind, st_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return st_error_at(err, path, 0, 0, "cannot open: %s", strerror(errno));
    return check_mode(path, st.st_mode, kind, err);
}

/* Checks the path before opening it (opening a device can have effects),
 * then what was opened (the path may have changed in between). */
static FILE *open_checked(const char *path, const char *kind, st_error *err)
{
    if (st_text_check_path(path, kind, err))
        return NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        st_error_at(err, path, 0, 0, "cannot open: %s", strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0) {
        st_error_at(err, path, 0, 0, "cannot open: %s", strerror(errno));
        fclose(f);
        return NULL;
    }
    if (check_mode(path, st.st_mode, kind, err)) {
        fclose(f);
        return NULL;
    }
    return f;
}

int st_text_open(st_text *t, const char *path, const char *kind,
                 st_error *err)
{
    *t = (st_text){.path = path, .kind = kind, .err = err,
                   .max_line = ST_TEXT_MAX_LINE, .max_bytes = ST_TEXT_MAX_BYTES};
    t->f = open_checked(path, kind, err);
    if (!t->f)
        return -1;
    t->line = st_xmalloc(ST_TEXT_MAX_LINE + 1);
    return 0;
}

void st_text_close(st_text *t)
{
    if (t->f)
        fclose(t->f);
    free(t->line);
    t->f = NULL;
    t->line = NULL;
}

int st_text_fail(const st_text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    st_error_vat(t->err, t->path, t->lineno, 0, fmt, ap);
    va_end(ap);
    return -1;
}

/* UTF-16 shows itself by a byte-order mark, or by a NUL after the first
 * (ASCII) character. */
static int looks_utf16(const unsigned char *s, size_t n)
{
    return n >= 2 && ((s[0] == 0xff && s[1] == 0xfe) ||
                      (s[0] == 0xfe && s[1] == 0xff) ||
                      (s[0] != 0 && s[1] == 0) || (s[0] == 0 && s[1] != 0));
}

static int nul_error(const char *path, const char *kind, size_t line,
                     size_t col, const unsigned char *head, size_t n,
                     st_error *err)
{
    if (line == 1 && looks_utf16(head, n))
        return st_error_at(err, path, 0, 0, "is UTF-16 text; expected %s in "
                           "UTF-8 (convert it with iconv -f UTF-16 -t UTF-8)",
                           kind);
    return st_error_at(err, path, line, col, "contains a NUL byte; expected %s",
                       kind);
}

int st_text_line(st_text *t)
{
    size_t limit = t->max_line < ST_TEXT_MAX_LINE ? t->max_line : ST_TEXT_MAX_LINE;
    size_t len = 0;
    int c, got = 0;
    while ((c = getc(t->f)) != EOF) {
        got = 1;
        if (++t->bytes > t->max_bytes)
            return st_error_at(t->err, t->path, t->lineno + 1, 0, "file larger "
                               "than %llu MB; expected %s", t->max_bytes >> 20,
                               t->kind);
        if (c == '\n')
            break;
        if (c == '\0') {
            t->line[len] = '\0';
            return nul_error(t->path, t->kind, t->lineno + 1, len + 1,
                             (const unsigned char *)t->line, len + 1, t->err);
        }
        if (len >= limit)
            return st_error_at(t->err, t->path, t->lineno + 1, 0, "line is "
                               "longer than %zu KiB; expected %s", limit / 1024,
                               t->kind);
        t->line[len++] = (char)c;
    }
    if (ferror(t->f))
        return st_error_at(t->err, t->path, t->lineno + 1, 0, "read error: %s",
                           strerror(errno));
    if (!got)
        return 0;
    if (len > 0 && t->line[len - 1] == '\r')
        len--;                          /* files written on Windows */
    t->line[len] = '\0';
    t->len = len;
    t->lineno++;
    return 1;
}

/* Line and column (1-based) of byte offset off. */
static void position(const char *s, size_t off, size_t *line, size_t *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off; i++) {
        if (s[i] == '\n') {
            ++*line;
            *col = 1;
        } else {
            ++*col;
        }
    }
}

static int read_stream(const char *path, FILE *f, const char *kind,
                       size_t max_bytes, char **out, size_t *len, st_error *err)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = st_xmalloc(cap + 1);
    for (;;) {
        if (n == cap) {
            if (cap > max_bytes)
                break;
            cap *= 2;
            buf = st_xrealloc(buf, cap + 1);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        free(buf);
        return st_error_at(err, path, 0, 0, "read error: %s", strerror(errno));
    }
    if (n > max_bytes) {
        free(buf);
        return st_error_at(err, path, 0, 0, "file larger than %zu MB; expected "
                           "%s", max_bytes >> 20, kind);
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

int st_text_read_all(const char *path, const char *kind, size_t max_bytes,
                     char **out, size_t *len, st_error *err)
{
    FILE *f = open_checked(path, kind, err);
    if (!f)
        return -1;
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) &&
        (unsigned long long)st.st_size > max_bytes) {
        fclose(f);
        return st_error_at(err, path, 0, 0, "file larger than %zu MB; "
                           "expected %s", max_bytes >> 20, kind);
    }
    int rc = read_stream(path, f, kind, max_bytes, out, len, err);
    fclose(f);
    if (rc)
        return -1;
    const char *nul = memchr(*out, '\0', *len);
    if (nul) {
        size_t line, col;
        position(*out, (size_t)(nul - *out), &line, &col);
        nul_error(path, kind, line, col, (const unsigned char *)*out, *len, err);
        free(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

size_t st_csv_split(char *line, char **fields, size_t max)
{
    size_t n = 0;
    char *s = line;
    while (n < max) {
        char *comma = n + 1 < max ? strchr(s, ',') : NULL;
        if (comma)
            *comma = '\0';
        char *b = s + strspn(s, " \t");
        char *e = b + strlen(b);
        while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
            *--e = '\0';
        fields[n++] = b;
        if (!comma)
            break;
        s = comma + 1;
    }
    return n;
}
