/* devices.c - the `devices` section: classes of phones with a count,
 * hardware, where they attach, their access link, an optional on-device
 * dispatch queue, and a workload (workload.c). */
#include "config/load.h"
#include "config/topology.h"
#include "base/xalloc.h"

#include <math.h>
#include <string.h>

/* dispatch: {queue: fifo|edf, workers: N}; absent = decide at arrival. */
static int read_dispatch(cfg *c, yaml_node_t *m, st_device_class *dc)
{
    static const char *const keys[] = {"queue", "workers", NULL};
    const char *q;
    long workers = 1;
    if (cfg_keys(c, m, keys, "dispatch"))
        return -1;
    yaml_node_t *qn = cfg_need(c, m, "queue", "dispatch");
    if (!qn || cfg_str(c, qn, "queue", &q))
        return -1;
    if (strcmp(q, "fifo") == 0)
        dc->dispatch = ST_DISPATCH_FIFO;
    else if (strcmp(q, "edf") == 0)
        dc->dispatch = ST_DISPATCH_EDF;
    else
        return cfg_fail(c, qn, "unknown dispatch queue '%s'; expected fifo "
                        "or edf (earliest deadline first)", q);
    if (cfg_opt_long(c, m, "workers", 1, 1024, &workers))
        return -1;
    dc->dispatch_workers = (int)workers;
    return 0;
}

static int read_device(cfg *c, yaml_node_t *m, st_scenario *sc,
                       st_device_class *dc)
{
    static const char *const keys[] = {"name", "count", "hardware", "executors",
        "memory_mb", "attach", "link", "preload", "workload", "dispatch", NULL};
    yaml_node_t *n;
    long ex = 1;
    dc->count = 1;
    dc->memory_mb = INFINITY;
    if (cfg_keys(c, m, keys, "a device class") ||
        conf_read_name(c, m, "a device class", &dc->name))
        return -1;
    if (cfg_opt_long(c, m, "count", 1, ST_MAX_DEVICES, &dc->count) ||
        cfg_opt_long(c, m, "executors", 1, 1024, &ex) ||
        cfg_opt_num(c, m, "memory_mb", 1e-3, 1e12, &dc->memory_mb))
        return -1;
    dc->executors = (int)ex;
    n = cfg_need(c, m, "hardware", "a device class");
    if (!n || conf_ref(c, n, "hardware", CONF_NAMES(sc->hardware), sc->n_hardware,
                  &dc->hardware))
        return -1;
    n = cfg_need(c, m, "attach", "a device class");
    if (!n || st_topology_attach(c, n, sc, dc))
        return -1;
    n = cfg_need(c, m, "link", "a device class");
    if (!n || conf_read_link(c, n, sc, 1, &dc->link) ||
        conf_read_preload(c, m, sc, &dc->preload))
        return -1;
    if ((n = cfg_get(c, m, "dispatch")) && read_dispatch(c, n, dc))
        return -1;
    n = cfg_need(c, m, "workload", "a device class");
    return !n || conf_read_workload(c, n, sc, dc);
}

int conf_read_devices(cfg *c, yaml_node_t *root, st_scenario *sc)
{
    int fail;
    yaml_node_t *l = conf_named_list(c, root, "devices", 1, &fail);
    if (fail)
        return -1;
    sc->n_device_classes = conf_seq_len(l);
    sc->devices = st_xcalloc(sc->n_device_classes, sizeof *sc->devices);
    for (size_t i = 0; i < sc->n_device_classes; i++) {
        if (read_device(c, conf_seq_at(c, l, i), sc, &sc->devices[i]))
            return -1;
        sc->n_devices += sc->devices[i].count;
        if (sc->n_devices > ST_MAX_DEVICES)
            return cfg_fail(c, conf_seq_at(c, l, i), "more than %ld devices in all",
                            ST_MAX_DEVICES);
    }
    return conf_check_unique(c, l, CONF_NAMES(sc->devices), sc->n_device_classes,
                        "device class");
}
