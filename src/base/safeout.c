/* safeout.c - temporary file and rename, or write-through for devices and
 * pipes (see safeout.h). */
#include "base/safeout.h"
#include "base/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int refuse(const char *path, const char *what, st_error *err)
{
    return st_error_set(err, "%s: is %s; expected a file to write (or -, a "
                        "pipe or a character device such as /dev/stdout)",
                        path, what);
}

/* The file a path names once symbolic links are followed (the path itself
 * when it does not exist yet: then its directory must). */
static char *resolve(const char *path)
{
    char *r = realpath(path, NULL);
    return r ? r : st_xstrdup(path);
}

static int open_through(st_out *o, const char *path, st_error *err)
{
    o->f = fopen(path, "w");
    if (!o->f)
        return st_error_set(err, "%s: cannot open for writing: %s", path,
                            strerror(errno));
    return 0;
}

/* A temporary file beside the target, with the target's permissions (or
 * the default ones for a new file). */
static int open_temp(st_out *o, const struct stat *old, st_error *err)
{
    size_t n = strlen(o->target) + 16;
    o->tmp = st_xcalloc(n, 1);
    snprintf(o->tmp, n, "%s.tmp-XXXXXX", o->target);
    int fd = mkstemp(o->tmp);
    if (fd < 0) {
        int e = errno;
        free(o->tmp);
        o->tmp = NULL;
        return st_error_set(err, "%s: cannot create the output next to it: %s",
                            o->path, strerror(e));
    }
    mode_t mask = umask(0);
    umask(mask);
    (void)fchmod(fd, old ? (old->st_mode & 07777) : (0666 & ~mask));
    o->f = fdopen(fd, "wb");
    if (!o->f) {
        int e = errno;
        close(fd);
        unlink(o->tmp);
        return st_error_set(err, "%s: cannot write: %s", o->path, strerror(e));
    }
    return 0;
}

int st_safe_output_open(st_out *o, const char *path, st_error *err)
{
    *o = (st_out){.path = path};
    if (strcmp(path, "-") == 0) {
        o->f = stdout;
        return 0;
    }
    struct stat st;
    int exists = stat(path, &st) == 0;
    if (exists && S_ISDIR(st.st_mode))
        return refuse(path, "a directory", err);
    if (exists && S_ISBLK(st.st_mode))
        return refuse(path, "a block device", err);
    if (exists && S_ISSOCK(st.st_mode))
        return refuse(path, "a socket", err);
    if (exists && (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)))
        return open_through(o, path, err);
    o->target = resolve(path);
    if (open_temp(o, exists ? &st : NULL, err)) {
        free(o->target);
        o->target = NULL;
        return -1;
    }
    return 0;
}

static void discard(st_out *o)
{
    if (o->tmp)
        unlink(o->tmp);
}

int st_safe_output_commit(st_out *o, int failed, st_error *err)
{
    int e = 0;
    if (!failed && ferror(o->f))
        e = errno ? errno : EIO;
    if (o->f == stdout) {
        if (fflush(stdout) != 0 && !failed && !e)
            e = errno ? errno : EIO;
    } else if (fclose(o->f) != 0 && !failed && !e) {
        e = errno ? errno : EIO;
    }
    o->f = NULL;
    if (!failed && !e && o->tmp && rename(o->tmp, o->target) != 0)
        e = errno;
    if (failed || e)
        discard(o);
    if (e && !failed)
        st_error_set(err, "%s: could not write: %s", o->path, strerror(e));
    free(o->tmp);
    free(o->target);
    o->tmp = o->target = NULL;
    return failed || e ? -1 : 0;
}

int st_safe_output_write(const char *path, const char *text, size_t len,
                         st_error *err)
{
    st_out o;
    if (st_safe_output_open(&o, path, err))
        return -1;
    int bad = fwrite(text, 1, len, o.f) != len;
    if (bad)
        st_error_set(err, "%s: could not write: %s", path,
                     strerror(errno ? errno : EIO));
    return st_safe_output_commit(&o, bad, err);
}
