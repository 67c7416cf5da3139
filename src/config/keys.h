/* keys.h - the key tables of the scenario format, one per mapping, each
 * declared beside the code that reads that mapping; the reader checks
 * documents against them and reference.c writes them out as the format's
 * reference (docs/scenario.md, strata-scenario(5)).  Private to
 * src/config. */
#ifndef STRATA_CONFIG_KEYS_H
#define STRATA_CONFIG_KEYS_H

#include "yaml/keyref.h"

extern const cfg_key conf_keys_top[];       /* scenario.c */
extern const cfg_key conf_keys_cost[];      /* scenario.c */
extern const cfg_key conf_keys_include[];   /* include.c */
extern const cfg_key conf_keys_model[];     /* models.c */
extern const cfg_key conf_keys_hardware[];  /* models.c */
extern const cfg_key conf_keys_profile[];   /* models.c */
extern const cfg_key conf_keys_node[];      /* nodes.c */
extern const cfg_key conf_keys_serverless[]; /* nodes.c */
extern const cfg_key conf_keys_topology[];  /* topology.c */
extern const cfg_key conf_keys_level[];     /* topology.c */
extern const cfg_key conf_keys_graphml[];   /* topology_graph.c */
extern const cfg_key conf_keys_device[];    /* devices.c */
extern const cfg_key conf_keys_dispatch[];  /* devices.c */
extern const cfg_key conf_keys_link[];      /* links.c */
extern const cfg_key conf_keys_link_dir[];  /* links.c */
extern const cfg_key conf_keys_transport[]; /* links.c */
extern const cfg_key conf_keys_workload[];  /* workload.c */
extern const cfg_key conf_keys_slo_phase[]; /* workload.c */
extern const cfg_key conf_keys_tasks[];     /* workload.c */
extern const cfg_key conf_keys_arrival[];   /* workload.c */
extern const cfg_key conf_keys_policy[];    /* policies.c */
extern const cfg_key conf_keys_plugin[];    /* policies.c */

/* Ranges that several tables share: a tree level's keys are a node's. */
#define CONF_RANGE_TIER CFG_ONE_OF("access", "edge", "regional", "cloud")
#define CONF_RANGE_EXECUTORS CFG_INT(1, 100000)
#define CONF_RANGE_MEMORY CFG_NUM(1e-3, 1e12)
#define CONF_RANGE_PRICE CFG_NUM(0, 1e6)
#define CONF_RANGE_TRANSPORT CFG_ONE_OF("fluid", "tcp")

/* The scenario format's sections, in reading order, for the reference. */
const cfg_ref_section *conf_reference(size_t *n);

#endif
