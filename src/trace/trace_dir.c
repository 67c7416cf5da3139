/* trace_dir.c - expanding a trace path (a file, or a directory of trace
 * files, as public trace sets are distributed) into a sorted file list. */
#include "trace/trace_dir.h"
#include "base/xalloc.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int skip_dir_entry(const char *name)
{
    return name[0] == '.' || strncmp(name, "LICENSE", 7) == 0 ||
           strncmp(name, "README", 6) == 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void push(char ***files, size_t *n, char *f)
{
    *files = st_xrealloc(*files, (*n + 1) * sizeof **files);
    (*files)[(*n)++] = f;
}

int st_trace_expand_path(const char *path, char ***files, size_t *n,
                         st_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return st_error_set(err, "trace '%s' does not exist", path);
    if (!S_ISDIR(st.st_mode)) {
        push(files, n, st_xstrdup(path));
        return 0;
    }
    DIR *d = opendir(path);
    if (!d)
        return st_error_set(err, "cannot read trace directory '%s'", path);
    size_t first = *n;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (skip_dir_entry(e->d_name))
            continue;
        if (*n >= ST_MAX_TRACE_FILES) {
            closedir(d);
            return st_error_set(err, "more than %d trace files",
                                ST_MAX_TRACE_FILES);
        }
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        char *f = st_xcalloc(len, 1);
        snprintf(f, len, "%s/%s", path, e->d_name);
        push(files, n, f);
    }
    closedir(d);
    if (*n == first)
        return st_error_set(err, "trace directory '%s' holds no trace files",
                            path);
    qsort(*files + first, *n - first, sizeof **files, cmp_str);
    return 0;
}
