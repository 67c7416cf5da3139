/* reference.c - the scenario format's sections, in the order a scenario
 * is read, each with the key table its reader checks against (keys.h):
 * the source of docs/scenario.md and strata-scenario(5). */
#include "config/keys.h"

static const cfg_ref_section sections[] = {
    {"(top level)", "A scenario file is one YAML mapping.", conf_keys_top},
    {"include[] (an included file)", "A file named by include holds only "
     "models and hardware lists, merged into the scenario's (as `strata "
     "profile import` writes them).", conf_keys_include},
    {"models[]", "One entry per model variant.", conf_keys_model},
    {"hardware[]", "One entry per kind of hardware.", conf_keys_hardware},
    {"hardware[].profiles.MODEL", "How the model runs on this hardware.",
     conf_keys_profile},
    {"nodes[]", "The infrastructure: access points, edge, regional and cloud "
     "nodes.", conf_keys_node},
    {"nodes[].serverless", "Per-model serverless endpoints (SageMaker "
     "Serverless Inference style).", conf_keys_serverless},
    {"topology", "Instead of nodes: a tree written by level, or a graph.",
     conf_keys_topology},
    {"topology.tree[]", "One level of the tree; every node of a level is "
     "alike.", conf_keys_level},
    {"topology.graphml", "A network from a GraphML file, each node's "
     "parent the next hop on its shortest path to the repository.",
     conf_keys_graphml},
    {"devices[]", "Classes of devices (phones, boards).", conf_keys_device},
    {"devices[].dispatch", "An on-device queue of requests.",
     conf_keys_dispatch},
    {"devices[].link", "A link (also nodes[].uplink, constant rates only).",
     conf_keys_link},
    {"devices[].link.up, .down", "One direction of a link: a constant rate "
     "or traces.", conf_keys_link_dir},
    {"devices[].link.transport", "How transfers use a device's access link "
     "(src/trace/tcp.h); `transport: tcp` is this mapping's defaults.",
     conf_keys_transport},
    {"devices[].workload", "What each device of the class asks for.",
     conf_keys_workload},
    {"devices[].workload.slo_phases[]", "Another SLO for a range of each "
     "device's requests (LayerCake's DO_LATENCY_PIVOT).", conf_keys_slo_phase},
    {"devices[].workload.tasks", "A Zipf popularity over tasks, optionally "
     "sliding over time.", conf_keys_tasks},
    {"devices[].workload.arrival", "When requests arrive.",
     conf_keys_arrival},
    {"(a distribution of times)", "Where a key takes a time or distribution "
     "(exec, rtt, slo): a scalar time (\"250 ms\", 0.25) is a constant, or "
     "a mapping of these keys; times take _ms or _s suffixes.",
     cfg_keys_dist},
    {"policy[]", "A policy: its name alone, or a mapping (`strata policy "
     "info NAME` lists its parameters).", conf_keys_policy},
    {"plugins[]", "A policy plugin: a path alone, or a mapping.",
     conf_keys_plugin},
    {"cost", "Prices not tied to a node.", conf_keys_cost},
};

const cfg_ref_section *conf_reference(size_t *n)
{
    *n = sizeof sections / sizeof *sections;
    return sections;
}
