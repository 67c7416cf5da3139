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
    {"queue", "string", NULL, NULL, CFG_ONE_OF("fifo", "edf"), "the order "
     "waiting requests are taken in (edf: earliest deadline first)"},
    {"workers", "integer", NULL, "1", CFG_INT(1, 1024), "requests the device "
     "handles at once; each stays busy until its request completes"},
    CFG_KEYS_END};

/* dispatch: {queue: fifo|edf, workers: N}; absent = decide at arrival. */
static int read_dispatch(cfg *c, yaml_node_t *m, st_device_class *dc)
{
    const cfg_key *k = conf_keys_dispatch;
    long workers = 1;
    int q;
    if (cfg_keys_in(c, m, k, "dispatch"))
        return -1;
    yaml_node_t *qn = cfg_need(c, m, "queue", "dispatch");
    if (!qn || cfg_key_word(c, qn, k, "queue", "dispatch queue", &q) ||
        cfg_opt_long(c, m, k, "workers", &workers))
        return -1;
    dc->dispatch = (st_dispatch_kind)(ST_DISPATCH_FIFO + q);
    dc->dispatch_workers = (int)workers;
    return 0;
}

const cfg_key conf_keys_device[] = {
    {"name", "string", NULL, NULL, CFG_NOTE("unique"), "the class's name"},
    {"count", "integer", NULL, "1", CFG_INT(1, ST_MAX_DEVICES), "devices of "
     "this class"},
    {"hardware", "name of a hardware entry", NULL, NULL, CFG_ANY, "the "
     "device's own hardware"},
    {"executors", "integer", NULL, "1", CFG_INT(1, 1024), "requests it runs "
     "locally in parallel"},
    {"memory_mb", "number", "MB", "unlimited", CONF_RANGE_MEMORY, "budget "
     "for resident models"},
    {"attach", "node name, or a list of them", NULL, NULL, CFG_ANY, "the "
     "node its access link reaches (a list: devices spread round-robin)"},
    {"link", "link", NULL, NULL, CFG_ANY, "the access link (devices[].link)"},
    {"preload", "all, none or a list of model names", NULL, "none", CFG_ANY,
     "models resident at the start"},
    {"workload", "mapping", NULL, NULL, CFG_ANY, "what the devices ask for "
     "(devices[].workload)"},
    {"dispatch", "mapping", NULL, "-", CFG_ANY, "an on-device queue: the "
     "policy decides when a worker takes the request (devices[].dispatch); "
     "absent: at arrival"},
    CFG_KEYS_END};

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
    if (cfg_opt_long(c, m, conf_keys_device, "count", &dc->count) ||
        cfg_opt_long(c, m, conf_keys_device, "executors", &ex) ||
        cfg_opt_value(c, m, conf_keys_device, "memory_mb", &dc->memory_mb))
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
