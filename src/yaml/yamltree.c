/* yamltree.c - loads YAML with libyaml's document API under resource
 * limits, applies "dotted.path=value" overrides, and prints a canonical
 * text that names a configuration (its hash is the configuration's id).
 */
#include "yaml/yamltree.h"
#include "base/textfile.h"
#include "base/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* --- a growable string --- */
typedef struct sbuf {
    char *s;
    size_t n, cap;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t len)
{
    if (b->n + len + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 256;
        while (nc < b->n + len + 1)
            nc *= 2;
        char *p = st_xrealloc(b->s, nc);
        b->s = p;
        b->cap = nc;
    }
    memcpy(b->s + b->n, s, len);
    b->n += len;
    b->s[b->n] = '\0';
}

static void sb_str(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

/* --- loading --- */

/* libyaml's reader (encoding) errors carry a byte offset but no mark, so
 * the line and column are counted from the text. */
static yaml_mark_t offset_mark(const char *text, size_t len, size_t offset)
{
    yaml_mark_t m = {0};
    for (size_t i = 0; i < offset && i < len; i++) {
        if (text[i] == '\n') {
            m.line++;
            m.column = 0;
        } else {
            m.column++;
        }
    }
    return m;
}

static int parser_error(const char *label, const yaml_parser_t *p,
                        const char *text, size_t len, st_error *err)
{
    yaml_mark_t m = p->problem ? p->problem_mark : p->context_mark;
    if (p->error == YAML_READER_ERROR)
        m = offset_mark(text, len, p->problem_offset);
    return st_error_at(err, label, m.line + 1, m.column + 1,
                       "invalid YAML: %s%s%s", p->problem ? p->problem : "error",
                       p->context ? " " : "", p->context ? p->context : "");
}

/* A second document would be silently ignored by yaml_parser_load, so its
 * presence (or a syntax error after the first) is an error. */
static int expect_stream_end(const char *label, yaml_parser_t *p,
                             const char *text, size_t len, st_error *err)
{
    yaml_document_t next;
    if (!yaml_parser_load(p, &next))
        return parser_error(label, p, text, len, err);
    yaml_node_t *root = yaml_document_get_root_node(&next);
    yaml_mark_t m = next.start_mark;
    yaml_document_delete(&next);
    if (!root)
        return 0;
    return st_error_at(err, label, m.line + 1, m.column + 1,
                       "a second YAML document starts here; expected one "
                       "scenario per file");
}

/* Explicit tags (!!binary, !!python/object, !!seq on a scalar) would be
 * read as if they were not there: only a node's default tag is accepted. */
static int check_tag(const yaml_node_t *n, const char *label, st_error *err)
{
    const char *want = n->type == YAML_SCALAR_NODE ? YAML_STR_TAG
                     : n->type == YAML_SEQUENCE_NODE ? YAML_SEQ_TAG : YAML_MAP_TAG;
    const char *tag = (const char *)n->tag;
    if (!tag || strcmp(tag, want) == 0)
        return 0;
    static const char std[] = "tag:yaml.org,2002:";
    int short_form = strncmp(tag, std, sizeof std - 1) == 0;
    return st_error_at(err, label, n->start_mark.line + 1,
                       n->start_mark.column + 1, "YAML tag '%s%.60s' is not "
                       "supported; expected a plain value",
                       short_form ? "!!" : "", short_form ? tag + sizeof std - 1
                                                          : tag);
}

typedef struct key_ref {
    const yaml_node_t *k;
} key_ref;

static int cmp_key(const void *a, const void *b)
{
    const yaml_node_t *x = ((const key_ref *)a)->k, *y = ((const key_ref *)b)->k;
    size_t n = x->data.scalar.length < y->data.scalar.length
                   ? x->data.scalar.length : y->data.scalar.length;
    int c = memcmp(x->data.scalar.value, y->data.scalar.value, n);
    if (c)
        return c;
    if (x->data.scalar.length != y->data.scalar.length)
        return x->data.scalar.length < y->data.scalar.length ? -1 : 1;
    return (x->start_mark.index > y->start_mark.index) -
           (x->start_mark.index < y->start_mark.index);
}

/* Every key of a mapping once, checked by sorting (a mapping of many keys
 * must not take quadratic time). */
static int check_duplicates(yaml_document_t *doc, const yaml_node_t *m,
                            const char *label, st_error *err)
{
    size_t n = (size_t)(m->data.mapping.pairs.top - m->data.mapping.pairs.start);
    if (n < 2)
        return 0;
    key_ref *keys = st_xcalloc(n, sizeof *keys);
    for (size_t i = 0; i < n; i++)
        keys[i].k = yaml_document_get_node(doc, m->data.mapping.pairs.start[i].key);
    qsort(keys, n, sizeof *keys, cmp_key);
    int rc = 0;
    for (size_t i = 1; i < n && !rc; i++) {
        const yaml_node_t *a = keys[i - 1].k, *b = keys[i].k;
        if (a->data.scalar.length == b->data.scalar.length &&
            memcmp(a->data.scalar.value, b->data.scalar.value,
                   a->data.scalar.length) == 0)
            rc = st_error_at(err, label, b->start_mark.line + 1,
                             b->start_mark.column + 1, "duplicate key '%.200s' "
                             "(first on line %zu); expected each key once",
                             (const char *)b->data.scalar.value,
                             a->start_mark.line + 1);
    }
    free(keys);
    return rc;
}

/* Walks the tree checking depth, tags, duplicate keys, and that no node is
 * reached twice: aliases would let a small file expand exponentially when
 * printed. */
static int check_tree(yaml_document_t *doc, yaml_node_t *n, int depth,
                      unsigned char *seen, const char *label, st_error *err)
{
    int id = (int)(n - doc->nodes.start);
    if (seen[id])
        return st_error_at(err, label, n->start_mark.line + 1,
                           n->start_mark.column + 1,
                           "YAML anchors and aliases are not supported; "
                           "expected each value written out");
    seen[id] = 1;
    if (check_tag(n, label, err))
        return -1;
    if (depth > YT_MAX_DEPTH)
        return st_error_at(err, label, n->start_mark.line + 1,
                           n->start_mark.column + 1,
                           "nesting deeper than %d levels", YT_MAX_DEPTH);
    if (n->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *it = n->data.sequence.items.start;
             it < n->data.sequence.items.top; it++)
            if (check_tree(doc, yaml_document_get_node(doc, *it), depth + 1,
                           seen, label, err))
                return -1;
    } else if (n->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *pr = n->data.mapping.pairs.start;
             pr < n->data.mapping.pairs.top; pr++) {
            yaml_node_t *k = yaml_document_get_node(doc, pr->key);
            if (k->type != YAML_SCALAR_NODE)
                return st_error_at(err, label, k->start_mark.line + 1,
                                   k->start_mark.column + 1,
                                   "expected a plain key, got a %s",
                                   k->type == YAML_MAPPING_NODE ? "mapping" : "sequence");
            if (check_tree(doc, k, depth + 1, seen, label, err) ||
                check_tree(doc, yaml_document_get_node(doc, pr->value),
                           depth + 1, seen, label, err))
                return -1;
        }
        return check_duplicates(doc, n, label, err);
    }
    return 0;
}

/* A first pass over the events that stops at the depth limit.  libyaml's
 * scanner takes time quadratic in the flow nesting depth, so a file of
 * nothing but '[' would otherwise keep the loader busy for hours before
 * check_tree could refuse it. */
static int check_depth(const char *label, const char *text, size_t len,
                       st_error *err)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return st_error_at(err, label, 0, 0, "out of memory");
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    int depth = 0, rc = 0, done = 0;
    while (!done && !rc) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            rc = parser_error(label, &p, text, len, err);
            break;
        }
        if (ev.type == YAML_SEQUENCE_START_EVENT ||
            ev.type == YAML_MAPPING_START_EVENT) {
            if (++depth > YT_MAX_DEPTH)
                rc = st_error_at(err, label, ev.start_mark.line + 1,
                                 ev.start_mark.column + 1,
                                 "nesting deeper than %d levels", YT_MAX_DEPTH);
        } else if (ev.type == YAML_SEQUENCE_END_EVENT ||
                   ev.type == YAML_MAPPING_END_EVENT) {
            depth--;
        }
        done = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    return rc;
}

int yt_load_text(const char *label, const char *text, size_t len,
                 yaml_document_t *doc, st_error *err)
{
    yaml_parser_t p;
    if (len > YT_MAX_FILE_BYTES)
        return st_error_at(err, label, 0, 0, "file larger than %u MB",
                           YT_MAX_FILE_BYTES >> 20);
    if (check_depth(label, text, len, err))
        return -1;
    if (!yaml_parser_initialize(&p))
        return st_error_at(err, label, 0, 0, "out of memory");
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    if (!yaml_parser_load(&p, doc)) {
        parser_error(label, &p, text, len, err);
        yaml_parser_delete(&p);
        return -1;
    }
    yaml_node_t *root = yaml_document_get_root_node(doc);
    if (!root) {
        yaml_parser_delete(&p);
        yaml_document_delete(doc);
        return st_error_at(err, label, 0, 0,
                           "empty document; expected a mapping of keys");
    }
    int extra = expect_stream_end(label, &p, text, len, err);
    yaml_parser_delete(&p);
    if (extra) {
        yaml_document_delete(doc);
        return -1;
    }
    size_t nn = (size_t)(doc->nodes.top - doc->nodes.start);
    if (nn > YT_MAX_NODES) {
        yaml_document_delete(doc);
        return st_error_at(err, label, 0, 0, "more than %d YAML nodes",
                           YT_MAX_NODES);
    }
    unsigned char *seen = st_xcalloc(nn + 1, 1);
    int rc = check_tree(doc, root, 0, seen, label, err);
    free(seen);
    if (rc)
        yaml_document_delete(doc);
    return rc;
}

/* Pipes are read too (to the end, as st_size says nothing there), e.g. a
 * scenario given as <(generator). */
int yt_load_file(const char *path, yaml_document_t *doc, st_error *err)
{
    char *buf;
    size_t n;
    if (st_text_read_all(path, "a YAML text file", YT_MAX_FILE_BYTES, &buf, &n,
                         err))
        return -1;
    int rc = yt_load_text(path, buf, n, doc, err);
    free(buf);
    return rc;
}

/* --- overrides --- */

/* origin YT_FROM_OVERRIDE: the copy has no line (it came from the command
 * line); otherwise it keeps n's line and column. */
static int copy_node(yaml_document_t *dst, yaml_document_t *src,
                     yaml_node_t *n, size_t origin)
{
    int id = 0;
    switch (n->type) {
    case YAML_SCALAR_NODE:
        id = yaml_document_add_scalar(dst, NULL, n->data.scalar.value,
                                      (int)n->data.scalar.length,
                                      n->data.scalar.style);
        break;
    case YAML_SEQUENCE_NODE:
        id = yaml_document_add_sequence(dst, NULL, YAML_ANY_SEQUENCE_STYLE);
        for (yaml_node_item_t *it = n->data.sequence.items.start;
             it < n->data.sequence.items.top; it++) {
            int c = copy_node(dst, src, yaml_document_get_node(src, *it),
                              origin);
            yaml_document_append_sequence_item(dst, id, c);
        }
        break;
    case YAML_MAPPING_NODE:
        id = yaml_document_add_mapping(dst, NULL, YAML_ANY_MAPPING_STYLE);
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
             p < n->data.mapping.pairs.top; p++) {
            int k = copy_node(dst, src, yaml_document_get_node(src, p->key),
                              origin);
            int v = copy_node(dst, src, yaml_document_get_node(src, p->value),
                              origin);
            yaml_document_append_mapping_pair(dst, id, k, v);
        }
        break;
    default:
        abort();   /* libyaml has no other node type */
    }
    if (!id)
        st_oom("a YAML node");
    yaml_node_t *c = yaml_document_get_node(dst, id);
    c->start_mark = origin == YT_FROM_OVERRIDE ? (yaml_mark_t){0} : n->start_mark;
    c->start_mark.index = origin;
    return id;
}

int yt_copy(yaml_document_t *dst, yaml_document_t *src, yaml_node_t *n,
            size_t origin)
{
    return copy_node(dst, src, n, origin);
}

static int find_key(yaml_document_t *doc, yaml_node_t *map, const char *key,
                    size_t keylen)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
         p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        if (k->type == YAML_SCALAR_NODE && k->data.scalar.length == keylen &&
            memcmp(k->data.scalar.value, key, keylen) == 0)
            return (int)(p - map->data.mapping.pairs.start);
    }
    return -1;
}

static void mark_override(yaml_document_t *doc, int id)
{
    yaml_node_t *n = yaml_document_get_node(doc, id);
    n->start_mark.index = YT_FROM_OVERRIDE;
    n->start_mark.line = n->start_mark.column = 0;
}

/* Finds (or, in a mapping, creates) the child named seg of node parent_id
 * and returns a pointer to the slot holding its id, so the caller can
 * replace the value; NULL with err set when the path does not fit. */
static int *child_slot(yaml_document_t *doc, int parent_id, const char *seg,
                       size_t seglen, const char *label, const char *ov,
                       st_error *err)
{
    yaml_node_t *parent = yaml_document_get_node(doc, parent_id);
    if (parent->type == YAML_MAPPING_NODE) {
        int i = find_key(doc, parent, seg, seglen);
        if (i < 0) {
            int k = yaml_document_add_scalar(doc, NULL, (yaml_char_t *)seg,
                                             (int)seglen, YAML_PLAIN_SCALAR_STYLE);
            int v = yaml_document_add_mapping(doc, NULL, YAML_ANY_MAPPING_STYLE);
            mark_override(doc, k);
            mark_override(doc, v);
            yaml_document_append_mapping_pair(doc, parent_id, k, v);
            parent = yaml_document_get_node(doc, parent_id);
            i = (int)(parent->data.mapping.pairs.top -
                      parent->data.mapping.pairs.start) - 1;
        }
        return &parent->data.mapping.pairs.start[i].value;
    }
    if (parent->type == YAML_SEQUENCE_NODE) {
        long len = parent->data.sequence.items.top - parent->data.sequence.items.start;
        char tmp[32], *end;
        long idx = -1;
        if (seglen > 0 && seglen < sizeof tmp) {
            memcpy(tmp, seg, seglen);
            tmp[seglen] = '\0';
            idx = strtol(tmp, &end, 10);
            if (*end)
                idx = -1;
        }
        if (idx < 0 || idx >= len) {
            st_error_at(err, label, 0, 0,
                        "override '%s': '%.*s' is not an index of a list of "
                        "%ld items (expected 0..%ld)", ov, (int)seglen, seg,
                        len, len - 1);
            return NULL;
        }
        return &parent->data.sequence.items.start[idx];
    }
    st_error_at(err, label, 0, 0,
                "override '%s': '%.*s' goes inside a scalar value", ov,
                (int)seglen, seg);
    return NULL;
}

/* Strict UTF-8 (no overlong forms, surrogates or code points past
 * U+10FFFF), as libyaml requires of every scalar added to a document: it
 * refuses others by returning no node at all. */
static int utf8_valid(const unsigned char *s)
{
    while (*s) {
        unsigned c = *s++;
        int more = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1
                 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : -1;
        if (more < 0)
            return 0;
        unsigned cp = more ? c & (0x3fu >> more) : c;
        for (int i = 0; i < more; i++, s++) {
            if ((*s & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (*s & 0x3fu);
        }
        static const unsigned min[] = {0, 0x80, 0x800, 0x10000};
        if (cp < min[more] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
    }
    return 1;
}

int yt_apply_override(yaml_document_t *doc, const char *label,
                      const char *ov, st_error *err)
{
    const char *eq = strchr(ov, '=');
    if (!eq || eq == ov)
        return st_error_at(err, label, 0, 0,
                           "override '%s': expected dotted.path=value", ov);
    if (!utf8_valid((const unsigned char *)ov))
        return st_error_at(err, label, 0, 0, "override '%s': expected UTF-8 "
                           "text", ov);
    const char *value = eq + 1;
    yaml_document_t vdoc;
    st_error verr;
    if (yt_load_text("override", value, strlen(value), &vdoc, &verr) != 0) {
        /* An empty value or one YAML cannot parse is taken literally. */
        yaml_document_initialize(&vdoc, NULL, NULL, NULL, 1, 1);
        yaml_document_add_scalar(&vdoc, NULL, (yaml_char_t *)value,
                                 (int)strlen(value), YAML_PLAIN_SCALAR_STYLE);
    }
    int node_id = 1;   /* the root */
    int *slot = NULL;
    const char *seg = ov;
    while (seg < eq) {
        const char *dot = memchr(seg, '.', (size_t)(eq - seg));
        const char *segend = dot ? dot : eq;
        slot = child_slot(doc, node_id, seg, (size_t)(segend - seg), label,
                          ov, err);
        if (!slot) {
            yaml_document_delete(&vdoc);
            return -1;
        }
        node_id = *slot;
        seg = segend + 1;
    }
    int copied = copy_node(doc, &vdoc, yaml_document_get_root_node(&vdoc),
                           YT_FROM_OVERRIDE);
    *slot = copied;
    yaml_document_delete(&vdoc);
    return 0;
}

/* --- canonical text --- */

static int plain_ok(const char *s, size_t n)
{
    if (n == 0 || s[0] == ' ' || s[n - 1] == ' ' || s[0] == '-')
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
            !(c >= '0' && c <= '9') && !strchr("_./+- ", c))
            return 0;
    }
    return 1;
}

static void put_scalar(sbuf *b, const yaml_node_t *n)
{
    const char *s = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length;
    if (plain_ok(s, len)) {
        sb_put(b, s, len);
        return;
    }
    sb_str(b, "\"");
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            sb_put(b, esc, 2);
        } else if (c < 0x20 || c == 0x7f) {
            snprintf(esc, sizeof esc, "\\x%02x", c);
            sb_str(b, esc);
        } else {
            sb_put(b, (const char *)&c, 1);
        }
    }
    sb_str(b, "\"");
}

static void indent(sbuf *b, int depth)
{
    sb_str(b, "\n");
    for (int i = 0; i < depth; i++)
        sb_str(b, "  ");
}

static void emit_block(sbuf *b, yaml_document_t *doc, yaml_node_t *n,
                       int depth);

static void emit_child(sbuf *b, yaml_document_t *doc, yaml_node_t *v,
                       int depth)
{
    int empty = (v->type == YAML_MAPPING_NODE &&
                 v->data.mapping.pairs.start == v->data.mapping.pairs.top) ||
                (v->type == YAML_SEQUENCE_NODE &&
                 v->data.sequence.items.start == v->data.sequence.items.top);
    if (v->type == YAML_SCALAR_NODE || empty) {
        sb_str(b, " ");
        emit_block(b, doc, v, depth);
    } else {
        emit_block(b, doc, v, depth + 1);
    }
}

static void emit_block(sbuf *b, yaml_document_t *doc, yaml_node_t *n,
                       int depth)
{
    switch (n->type) {
    case YAML_SCALAR_NODE:
        put_scalar(b, n);
        break;
    case YAML_SEQUENCE_NODE:
        if (n->data.sequence.items.start == n->data.sequence.items.top)
            sb_str(b, "[]");
        for (yaml_node_item_t *it = n->data.sequence.items.start;
             it < n->data.sequence.items.top; it++) {
            indent(b, depth);
            sb_str(b, "-");
            emit_child(b, doc, yaml_document_get_node(doc, *it), depth);
        }
        break;
    case YAML_MAPPING_NODE:
        if (n->data.mapping.pairs.start == n->data.mapping.pairs.top)
            sb_str(b, "{}");
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
             p < n->data.mapping.pairs.top; p++) {
            indent(b, depth);
            put_scalar(b, yaml_document_get_node(doc, p->key));
            sb_str(b, ":");
            emit_child(b, doc, yaml_document_get_node(doc, p->value), depth);
        }
        break;
    default:
        break;
    }
}

char *yt_canonical(yaml_document_t *doc)
{
    sbuf b = {0};
    emit_block(&b, doc, yaml_document_get_root_node(doc), 0);
    sb_str(&b, "\n");
    /* Every line starts with a newline written by indent(); drop the
     * first so the text starts at its first key. */
    if (b.s[0] == '\n')
        memmove(b.s, b.s + 1, b.n);
    return b.s;
}

static void emit_flow(sbuf *b, yaml_document_t *doc, yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SCALAR_NODE:
        put_scalar(b, n);
        break;
    case YAML_SEQUENCE_NODE:
        sb_str(b, "[");
        for (yaml_node_item_t *it = n->data.sequence.items.start;
             it < n->data.sequence.items.top; it++) {
            if (it != n->data.sequence.items.start)
                sb_str(b, ", ");
            emit_flow(b, doc, yaml_document_get_node(doc, *it));
        }
        sb_str(b, "]");
        break;
    case YAML_MAPPING_NODE:
        sb_str(b, "{");
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
             p < n->data.mapping.pairs.top; p++) {
            if (p != n->data.mapping.pairs.start)
                sb_str(b, ", ");
            put_scalar(b, yaml_document_get_node(doc, p->key));
            sb_str(b, ": ");
            emit_flow(b, doc, yaml_document_get_node(doc, p->value));
        }
        sb_str(b, "}");
        break;
    default:
        break;
    }
}

char *yt_flow(yaml_document_t *doc, yaml_node_t *node)
{
    sbuf b = {0};
    sb_str(&b, "");
    emit_flow(&b, doc, node);
    return b.s;
}
