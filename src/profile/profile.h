/* profile.h - hardware profiles from published measurements: importing
 * them into one in-memory set, writing strata's hardware-profile YAML, and
 * tabulating such a file.
 *
 * Three public sources are read: TensorFlow Lite's hosted-models table
 * (CSV, measured on a Pixel 3), Qualcomm AI Hub's per-model perf.yaml /
 * info.yaml / numerics.yaml, and MLPerf Mobile result JSON (with the
 * submitter's systems JSON).  Importers keep what the source says and
 * nothing more: a value the source lacks is recorded in the set's missing
 * list (and left out of the output), never filled in.  What no source
 * gives (model load times, input/output sizes, the spread of execution
 * times) comes from stated assumptions (st_profile_assume) that the writer
 * prints next to the numbers.
 */
#ifndef STRATA_PROFILE_H
#define STRATA_PROFILE_H

#include <stddef.h>
#include <stdio.h>
#include "strata/error.h"

typedef enum st_profile_source {
    ST_PROFILE_TFLITE_CSV,   /* "tflite-csv" */
    ST_PROFILE_AIHUB,        /* "ai-hub" */
    ST_PROFILE_MLPERF        /* "mlperf-mobile" */
} st_profile_source;

/* 0 and *out set, or -1 for an unknown name. */
int st_profile_source_parse(const char *name, st_profile_source *out);
const char *st_profile_source_name(st_profile_source s);

/* One model of the zoo.  Numbers are NaN when the source has none. */
typedef struct st_pmodel {
    char *name;         /* strata name: lower case, [a-z0-9._-] */
    char *title;        /* as the source spells it */
    char *task;         /* e.g. "image-classification" */
    char *precision;    /* "float", "w8a8", "quantized", ... or NULL */
    double accuracy;    /* fraction in [0,1] */
    double size_mb;
    char *accuracy_note;   /* where the accuracy comes from */
    char *size_note;
} st_pmodel;

/* One device running one runtime. */
typedef struct st_phw {
    char *name;         /* strata name, e.g. "samsung-galaxy-s24-tflite" */
    char *device;       /* "Samsung Galaxy S24" */
    char *soc;          /* chipset when the source names it, else NULL */
    char *runtime;      /* "tflite", "cpu4", "snpe", ... */
    char *note;         /* one line about the system, or NULL */
} st_phw;

/* One (model, hardware) measurement. */
typedef struct st_pcell {
    size_t model, hw;   /* indices into the set */
    double exec_ms;     /* mean execution time */
    double exec_sd_ms;  /* spread the source implies, NaN if none */
    double memory_mb;   /* peak memory the source reports, NaN if none */
    char *unit;         /* compute unit that ran it (CPU/GPU/NPU...) or NULL */
    char *note;         /* how exec_ms was derived, or NULL */
} st_pcell;

typedef struct st_profile_set {
    st_profile_source source;
    char **inputs;      /* files read, in order */
    size_t n_inputs;
    st_pmodel *models;
    size_t n_models;
    st_phw *hw;
    size_t n_hw;
    st_pcell *cells;
    size_t n_cells;
    char **missing;     /* "WHAT: what the source lacks" lines */
    size_t n_missing;
    char **offered;     /* every name a selection could match (private) */
    size_t n_offered;
} st_profile_set;

/* Which measurements to keep.  Each list is empty (keep all) or names
 * wanted values, compared without regard to case; a name that matches
 * nothing in the source is an error that lists what is there.  Devices
 * match the device or its chipset; models match the strata name or the
 * source's. */
typedef struct st_profile_select {
    const char *const *devices;
    size_t n_devices;
    const char *const *runtimes;
    size_t n_runtimes;
    const char *const *precisions;
    size_t n_precisions;
    const char *const *models;
    size_t n_models;
} st_profile_select;

void st_profile_set_init(st_profile_set *set, st_profile_source source);
void st_profile_set_free(st_profile_set *set);

/* Imports measurements from paths into set (which may already hold some
 * from the same source).  tflite-csv: CSV files.  ai-hub: a model
 * directory (perf.yaml, info.yaml, numerics.yaml), a perf.yaml, or a
 * directory of model directories.  mlperf-mobile: a result JSON, or a
 * directory searched for results/.../result(s).json; the phone's name comes
 * from the submitter's systems/<name>.json.  Returns 0, or -1 with err
 * naming the file (and line:col or JSON path) and what is missing or
 * malformed.  A selection that matches nothing is an error too. */
int st_profile_import(st_profile_set *set, const char *const *paths,
                      size_t n_paths, const st_profile_select *sel,
                      st_error *err);

/* The individual importers (one file each), for tests. */
int st_profile_import_tflite_csv(st_profile_set *set, const char *path,
                                 const st_profile_select *sel, st_error *err);
int st_profile_import_aihub(st_profile_set *set, const char *path,
                            const st_profile_select *sel, st_error *err);
int st_profile_import_mlperf(st_profile_set *set, const char *path,
                             const st_profile_select *sel, st_error *err);

/* Stated assumptions for what the sources do not measure. */
typedef struct st_profile_assume {
    double load_mbps;      /* load_ms = load_base_ms + size / load_mbps; */
    double load_base_ms;   /* load_mbps <= 0: no load times written */
    double exec_cv;        /* sd = exec_cv x mean when the source gives no
                              spread; 0: constant execution times */
    double input_bytes;    /* < 0: not written */
    double output_bytes;
    const char *command;   /* the command line, quoted in the header */
} st_profile_assume;

/* Writes the set as a hardware-profile YAML (top-level 'models' and
 * 'hardware' lists, for a scenario's 'include'), with the source, units,
 * assumptions and missing values in comments.  0, or -1 (nothing usable
 * to write, or a write error) with err set. */
int st_profile_write(const st_profile_set *set, const st_profile_assume *a,
                     FILE *out, st_error *err);

/* What st_profile_info tabulates in each cell. */
typedef enum st_profile_field {
    ST_PROFILE_EXEC,      /* mean execution time, ms */
    ST_PROFILE_LOAD,      /* load time, ms */
    ST_PROFILE_MEMORY     /* memory footprint, MB */
} st_profile_field;

/* Prints a table of models (rows, with task, accuracy and size) by
 * hardware (columns) of a hardware-profile file or a scenario, read with
 * the scenario loader (so includes resolve and errors name file:line:col).
 * 0, or -1 with err set. */
int st_profile_info(const char *path, st_profile_field field, FILE *out,
                    st_error *err);

#endif
