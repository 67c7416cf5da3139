/* devices.c - the `devices` section: classes of phones with a count,
 * hardware, where they attach, their access link, an optional on-device
 * dispatch queue, and a workload (workload.c). */
#include "config/load.h"
#include "config/keys.h"
#include "config/topology.h"
#include "base/xalloc.h"

#include <math.h>
#include <string.h>

const cfg_key conf_keys_dispatch[] = {
    {"queue", "string", NULL, NULL, "fifo, edf", "the order waiting requests "
     "are taken in (edf: earliest deadline first)"},
    {"workers", "integer", NULL, "1", "[1, 1024]", "requests the device "
     "handles at once; each stays busy until its request completes"},
    {NULL, NULL, NULL, NULL, NULL, NULL}};

/* dispatch: {queue: fifo|edf, workers: N}; absent = decide at arrival. */
static int read_dispatch(cfg *c, yaml_node_t *m, st_device_class *dc)
{
    const char *q;
    long workers = 1;
    if (cfg_keys_in(c, m, conf_keys_dispatch, "dispatch"))
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

const cfg_key conf_keys_device[] = {
    {"name", "string", NULL, NULL, "unique", "the class's name"},
    {"count", "integer", NULL, "1", "[1, 1e7]", "devices of this class"},
    {"hardware", "name of a hardware entry", NULL, NULL, NULL, "the "
     "device's own hardware"},
    {"executors", "integer", NULL, "1", "[1, 1024]", "requests it runs "
     "locally in parallel"},
    {"memory_mb", "number", "MB", "unlimited", "[0.001, 1e12]", "budget "
     "for resident models"},
    {"attach", "node name, or a list of them", NULL, NULL, NULL, "the node "
     "its access link reaches (a list: devices spread round-robin)"},
    {"link", "link", NULL, NULL, NULL, "the access link (devices[].link)"},
    {"preload", "all, none or a list of model names", NULL, "none", NULL,
     "models resident at the start"},
    {"workload", "mapping", NULL, NULL, NULL, "what the devices ask for "
     "(devices[].workload)"},
    {"dispatch", "mapping", NULL, "-", NULL, "an on-device queue: the policy "
     "decides when a worker takes the request (devices[].dispatch); absent: "
     "at arrival"},
    {NULL, NULL, NULL, NULL, NULL, NULL}};

static int read_device(cfg *c, yaml_node_t *m, st_scenario *sc,
                       st_device_class *dc)
{
    yaml_node_t *n;
    long ex = 1;
    dc->count = 1;
    dc->memory_mb = INFINITY;
    if (cfg_keys_in(c, m, conf_keys_device, "a device class") ||
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
