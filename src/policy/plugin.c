/* plugin.c - dlopen-ed policy plugins (see plugin.h): checks the entry
 * point and its API version, registers the policies, and keeps each file's
 * SHA-256 for the stored configuration. */
#include "policy/plugin.h"
#include "policy/registry.h"
#include "base/xalloc.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_LOADED 64

static st_plugin_info loaded[MAX_LOADED];
static size_t n_loaded;

size_t st_plugin_count(void) { return n_loaded; }
const st_plugin_info *st_plugin_at(size_t i)
{
    return i < n_loaded ? &loaded[i] : NULL;
}

const char *st_plugin_sha256_of(const char *policy)
{
    const char *file;
    for (size_t i = 0; i < st_policy_count(); i++) {
        if (strcmp(st_policy_at(i)->name, policy) != 0 ||
            !st_policy_is_plugin(i, &file))
            continue;
        for (size_t k = 0; k < n_loaded; k++)
            if (strcmp(loaded[k].path, file) == 0)
                return loaded[k].sha256;
    }
    return NULL;
}

static int file_sha256(const char *path, char hex[65], st_error *err)
{
    unsigned char buf[65536], digest[SHA256_DIGEST_SIZE];
    struct sha256_ctx ctx;
    size_t n;
    FILE *f = fopen(path, "rb");
    if (!f)
        return st_error_set(err, "%s: cannot read the plugin: %s", path,
                            strerror(errno));
    sha256_init(&ctx);
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sha256_update(&ctx, n, buf);
    int bad = ferror(f);
    fclose(f);
    if (bad)
        return st_error_set(err, "%s: cannot read the plugin", path);
    sha256_digest(&ctx, sizeof digest, digest);
    for (size_t i = 0; i < sizeof digest; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    return 0;
}

static const st_plugin_info *find_loaded(const char *real)
{
    for (size_t i = 0; i < n_loaded; i++)
        if (strcmp(loaded[i].path, real) == 0)
            return &loaded[i];
    return NULL;
}

static int check_sha(const char *path, const char *got, const char *want,
                     st_error *err)
{
    if (!want || strcmp(got, want) == 0)
        return 0;
    return st_error_set(err, "%s: the plugin's SHA-256 is %s, not the %s the "
                        "scenario names (the plugin changed)", path, got, want);
}

/* The plugin's description, from its entry point. */
static const st_plugin *entry(void *h, const char *path, st_error *err)
{
    union { void *obj; st_plugin_entry_fn fn; } sym;
    sym.obj = dlsym(h, ST_PLUGIN_ENTRY);
    if (!sym.obj) {
        st_error_set(err, "%s: not a strata plugin: it does not export '%s' "
                     "(see strata/policy.h)", path, ST_PLUGIN_ENTRY);
        return NULL;
    }
    const st_plugin *pl = sym.fn();
    if (!pl) {
        st_error_set(err, "%s: its %s() returned no description", path,
                     ST_PLUGIN_ENTRY);
        return NULL;
    }
    if (pl->api_version != ST_PLUGIN_API_VERSION) {
        st_error_set(err, "%s: built for strata plugin API version %d, but "
                     "this strata has version %d; rebuild it against this "
                     "strata's headers", path, pl->api_version,
                     ST_PLUGIN_API_VERSION);
        return NULL;
    }
    return pl;
}

/* Registers every policy, or none: a duplicate name leaves no policy of
 * the plugin half-registered (the name check runs first). */
static int register_all(const st_plugin *pl, const char *path, st_error *err)
{
    size_t n = 0;
    for (; pl->policies && pl->policies[n]; n++) {
        const st_policy_ops *ops = pl->policies[n];
        if (ops->name && st_policy_lookup(ops->name))
            return st_policy_register(ops, path, err);
        for (size_t j = 0; j < n; j++)
            if (ops->name && strcmp(pl->policies[j]->name, ops->name) == 0)
                return st_error_set(err, "%s: policy '%s' is defined twice",
                                    path, ops->name);
    }
    if (n == 0)
        return st_error_set(err, "%s: the plugin defines no policy", path);
    for (size_t i = 0; i < n; i++)
        if (st_policy_register(pl->policies[i], path, err))
            return -1;
    return 0;
}

static int check_file(const char *path, char real[PATH_MAX], st_error *err)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return st_error_set(err, "%s: cannot open the plugin: %s", path,
                            strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return st_error_set(err, "%s: not a strata plugin: not a regular "
                            "file", path);
    if (!realpath(path, real))
        return st_error_set(err, "%s: %s", path, strerror(errno));
    return 0;
}

int st_plugin_load(const char *path, st_error *err)
{
    return st_plugin_load_expect(path, NULL, err);
}

int st_plugin_load_expect(const char *path, const char *sha256,
                          st_error *err)
{
    char real[PATH_MAX];
    const st_plugin_info *old;
    if (check_file(path, real, err))
        return -1;
    if ((old = find_loaded(real)))
        return check_sha(path, old->sha256, sha256, err);
    if (n_loaded == MAX_LOADED)
        return st_error_set(err, "%s: more than %d plugins", path, MAX_LOADED);
    st_plugin_info *info = &loaded[n_loaded];
    if (file_sha256(real, info->sha256, err) ||
        check_sha(path, info->sha256, sha256, err))
        return -1;
    void *h = dlopen(real, RTLD_NOW | RTLD_LOCAL);
    if (!h)
        return st_error_set(err, "%s: not a strata plugin: cannot load it as "
                            "a shared object (%s)", path, dlerror());
    const st_plugin *pl = entry(h, path, err);
    char *kept = st_xstrdup(real);
    if (!pl || register_all(pl, kept, err)) {
        free(kept);
        dlclose(h);
        return -1;
    }
    /* The handle stays open: the registry points into the plugin. */
    info->path = kept;
    info->name = pl->name ? pl->name : "";
    n_loaded++;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.so in dir, in name order. */
static int load_dir(const char *dir, st_error *err)
{
    DIR *d = opendir(dir);
    char **names = NULL;
    size_t n = 0;
    int rc = 0;
    if (!d)
        return st_error_set(err, "STRATA_PLUGIN_PATH: %s: %s", dir,
                            strerror(errno));
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 3, ".so") != 0)
            continue;
        names = st_xrealloc(names, (n + 1) * sizeof *names);
        names[n] = st_xcalloc(strlen(dir) + len + 2, 1);
        sprintf(names[n++], "%s/%s", dir, e->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        if (rc == 0)
            rc = st_plugin_load(names[i], err);
        free(names[i]);
    }
    free(names);
    return rc;
}

int st_plugin_load_env(st_error *err)
{
    const char *env = getenv("STRATA_PLUGIN_PATH");
    if (!env || !*env)
        return 0;
    char *list = st_xstrdup(env);
    int rc = 0;
    for (char *save = NULL, *tok = strtok_r(list, ":", &save); tok && !rc;
         tok = strtok_r(NULL, ":", &save)) {
        struct stat sb;
        rc = stat(tok, &sb) == 0 && S_ISDIR(sb.st_mode) ? load_dir(tok, err)
                                                        : st_plugin_load(tok, err);
    }
    free(list);
    return rc;
}

void st_plugin_describe(char **text)
{
    if (n_loaded == 0)
        return;
    size_t len = strlen(*text) + 64;
    for (size_t i = 0; i < n_loaded; i++)
        len += strlen(loaded[i].path) + 96;
    *text = st_xrealloc(*text, len);
    strcat(*text, "# policy plugins loaded (path, SHA-256):\n");
    for (size_t i = 0; i < n_loaded; i++) {
        /* A newline in a path would end the comment: shown as '?'. */
        char *line = *text + strlen(*text);
        sprintf(line, "#   plugin %s sha256 %s\n", loaded[i].path,
                loaded[i].sha256);
        for (char *c = line; *c && c[1]; c++)
            if (*c == '\n')
                *c = '?';
    }
}
