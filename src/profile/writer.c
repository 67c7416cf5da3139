/* writer.c - writes an st_profile_set as strata's hardware-profile YAML:
 * 'models' and 'hardware' lists a scenario can include, with the source,
 * units, assumptions and what the source lacks in comments.  Values are
 * written plain only when they are safe as plain YAML, else double-quoted
 * with escapes; comment text is kept on one line. */
#include "profile/pset.h"
#include "base/xalloc.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const citations[] = {
    "TensorFlow Lite hosted-models table (Apache-2.0), measured on a Pixel 3 "
    "(Android 10): cpu4 = 4 CPU threads, gpu = GPU delegate, nnapi = NNAPI",
    "Qualcomm AI Hub Models (BSD-3-Clause): per model perf.yaml, info.yaml "
    "and numerics.yaml",
    "MLPerf Mobile v3.1 closed-division results (MLCommons, Apache-2.0): "
    "result JSON and systems JSON per phone",
};

static const char *const exec_units[] = {
    "exec: the table's latency (ms), taken as the mean",
    "exec: inference_time_milliseconds (AI Hub's estimated inference time), "
    "taken as the mean; memory_mb: the upper end of "
    "estimated_peak_memory_range_mb",
    "exec: the mean latency = loadgen duration / samples measured "
    "(SingleStream runs queries back to back); where the 90th percentile "
    "(1 / reported QPS) lies above the mean, a lognormal with that mean and "
    "90th percentile",
};

/* Comment text: one line, no control characters. */
static void put_comment_text(FILE *f, const char *s)
{
    for (; s && *s; s++)
        fputc((unsigned char)*s < 0x20 ? ' ' : *s, f);
}

static int plain_safe(const char *s)
{
    if (!*s || *s == '-' || *s == '.')
        return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.'))
            return 0;
    return 1;
}

static void put_scalar(FILE *f, const char *s)
{
    if (plain_safe(s)) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20 || c == 0x7f)
            fprintf(f, "\\x%02x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

/* What gets written: models with an accuracy and at least one measured
 * time; hardware with at least one such model. */
typedef struct plan {
    unsigned char *model_ok, *hw_ok;
    char **notes;
    size_t n_notes;
} plan;

static void note(plan *p, char *s)
{
    p->notes = st_xrealloc(p->notes, (p->n_notes + 1) * sizeof *p->notes);
    p->notes[p->n_notes++] = s;
}

static int cell_ok(const st_profile_set *set, const st_pcell *c)
{
    return !isnan(c->exec_ms) && !isnan(set->models[c->model].accuracy);
}

static void make_plan(const st_profile_set *set, plan *p)
{
    p->model_ok = st_xcalloc(set->n_models + 1, 1);
    p->hw_ok = st_xcalloc(set->n_hw + 1, 1);
    for (size_t i = 0; i < set->n_cells; i++)
        if (cell_ok(set, &set->cells[i])) {
            p->model_ok[set->cells[i].model] = 1;
            p->hw_ok[set->cells[i].hw] = 1;
        }
    for (size_t m = 0; m < set->n_models; m++)
        if (!p->model_ok[m])
            note(p, ps_printf("%s: not written (%s)", set->models[m].name,
                              isnan(set->models[m].accuracy)
                                  ? "no accuracy in the source"
                                  : "no measured execution time"));
}

static void free_plan(plan *p)
{
    for (size_t i = 0; i < p->n_notes; i++)
        free(p->notes[i]);
    free(p->notes);
    free(p->model_ok);
    free(p->hw_ok);
}

static int has_load(const st_pmodel *m, const st_profile_assume *a)
{
    return a->load_mbps > 0 && !isnan(m->size_mb);
}

static void header(FILE *f, const st_profile_set *set,
                   const st_profile_assume *a, const plan *p)
{
    fprintf(f, "# Hardware profiles for strata, imported from %s data.\n",
            st_profile_source_name(set->source));
    fprintf(f, "# Source: %s.\n", citations[set->source]);
    if (a->command) {
        fputs("# Command: ", f);
        put_comment_text(f, a->command);
        fputc('\n', f);
    }
    fputs("# Read:\n", f);
    for (size_t i = 0; i < set->n_inputs; i++) {
        fputs("#   ", f);
        put_comment_text(f, set->inputs[i]);
        fputc('\n', f);
    }
    fputs("# Units: times in ms, sizes and memory in MB, accuracy as a "
          "fraction (1 = all correct).\n", f);
    fprintf(f, "#   %s.\n", exec_units[set->source]);
    fputs("# Assumptions (no source measures these):\n", f);
    if (a->load_mbps > 0)
        fprintf(f, "#   load_ms = %.6g + size_mb / %.6g MB/s x 1000 "
                "(--load-base-ms, --load-mbps)\n", a->load_base_ms, a->load_mbps);
    else
        fputs("#   load_ms: not written (no --load-mbps given)\n", f);
    if (a->exec_cv > 0)
        fprintf(f, "#   where the source gives no spread: lognormal with sd = "
                "%.6g x mean (--exec-cv)\n", a->exec_cv);
    else
        fputs("#   where the source gives no spread: constant (no --exec-cv "
              "given)\n", f);
    if (a->input_bytes >= 0 || a->output_bytes >= 0)
        fprintf(f, "#   input_bytes %.6g, output_bytes %.6g (--input-bytes, "
                "--output-bytes)\n", a->input_bytes >= 0 ? a->input_bytes : 0,
                a->output_bytes >= 0 ? a->output_bytes : 0);
    else
        fputs("#   input_bytes, output_bytes: not written (no --input-bytes, "
              "--output-bytes given)\n", f);
    if (set->n_missing + p->n_notes == 0)
        return;
    fputs("# Not in the source (left out, never invented):\n", f);
    for (size_t i = 0; i < set->n_missing; i++) {
        fputs("#   - ", f);
        put_comment_text(f, set->missing[i]);
        fputc('\n', f);
    }
    for (size_t i = 0; i < p->n_notes; i++) {
        fputs("#   - ", f);
        put_comment_text(f, p->notes[i]);
        fputc('\n', f);
    }
}

static void write_model(FILE *f, const st_pmodel *m, const st_profile_assume *a)
{
    fputs("  # ", f);
    put_comment_text(f, m->title);
    if (m->precision)
        fprintf(f, " (%s)", m->precision);
    fputs(": accuracy from ", f);
    put_comment_text(f, m->accuracy_note);
    if (m->size_note) {
        fputs("; size from ", f);
        put_comment_text(f, m->size_note);
    }
    fputs("\n  - {name: ", f);
    put_scalar(f, m->name);
    fputs(", task: ", f);
    put_scalar(f, m->task);
    fprintf(f, ", accuracy: %.6g", m->accuracy);
    if (!isnan(m->size_mb))
        fprintf(f, ", size_mb: %.6g", m->size_mb);
    if (a->input_bytes >= 0)
        fprintf(f, ", input_bytes: %.6g", a->input_bytes);
    if (a->output_bytes >= 0)
        fprintf(f, ", output_bytes: %.6g", a->output_bytes);
    fputs("}\n", f);
}

static void write_cell(FILE *f, const st_profile_set *set, const st_pcell *c,
                       const st_profile_assume *a)
{
    const st_pmodel *m = &set->models[c->model];
    fputs("      # ", f);
    put_comment_text(f, c->unit ? c->unit : "compute unit not stated");
    if (c->note) {
        fputs("; ", f);
        put_comment_text(f, c->note);
    }
    if (!isnan(c->memory_mb))
        fprintf(f, "; peak memory up to %.6g MB", c->memory_mb);
    if (a->load_mbps > 0 && !has_load(m, a))
        fputs("; no load_ms (the source gives no model size)", f);
    fputs("\n      ", f);
    put_scalar(f, m->name);
    double sd = !isnan(c->exec_sd_ms) ? c->exec_sd_ms : a->exec_cv * c->exec_ms;
    if (sd > 0)
        fprintf(f, ": {exec: {dist: lognormal, mean_ms: %.6g, sd_ms: %.6g}",
                c->exec_ms, sd);
    else
        fprintf(f, ": {exec: {dist: constant, value_ms: %.6g}", c->exec_ms);
    if (has_load(m, a))
        fprintf(f, ", load_ms: %.6g",
                a->load_base_ms + m->size_mb / a->load_mbps * 1000);
    /* 0 would mean "the model's size" to the scenario loader. */
    if (c->memory_mb > 0)
        fprintf(f, ", memory_mb: %.6g", c->memory_mb);
    fputs("}\n", f);
}

static void write_hw(FILE *f, const st_profile_set *set, size_t h,
                     const st_profile_assume *a)
{
    const st_phw *hw = &set->hw[h];
    fputs("  # ", f);
    put_comment_text(f, hw->device);
    if (hw->soc) {
        fputs(" (", f);
        put_comment_text(f, hw->soc);
        fputs(")", f);
    }
    fputs(", runtime ", f);
    put_comment_text(f, hw->runtime);
    if (hw->note) {
        fputs("; ", f);
        put_comment_text(f, hw->note);
    }
    fputs("\n  - name: ", f);
    put_scalar(f, hw->name);
    fputs("\n    profiles:\n", f);
    for (size_t m = 0; m < set->n_models; m++)
        for (size_t i = 0; i < set->n_cells; i++) {
            const st_pcell *c = &set->cells[i];
            if (c->hw == h && c->model == m && cell_ok(set, c))
                write_cell(f, set, c, a);
        }
}

int st_profile_write(const st_profile_set *set, const st_profile_assume *a,
                     FILE *out, st_error *err)
{
    plan p = {0};
    make_plan(set, &p);
    size_t nm = 0;
    for (size_t m = 0; m < set->n_models; m++)
        nm += p.model_ok[m];
    if (nm == 0) {
        free_plan(&p);
        return st_error_set(err, "nothing to write: no model has both an "
                            "accuracy and a measured execution time");
    }
    header(out, set, a, &p);
    fputs("models:\n", out);
    for (size_t m = 0; m < set->n_models; m++)
        if (p.model_ok[m])
            write_model(out, &set->models[m], a);
    fputs("hardware:\n", out);
    for (size_t h = 0; h < set->n_hw; h++)
        if (p.hw_ok[h])
            write_hw(out, set, h, a);
    free_plan(&p);
    if (ferror(out))
        return st_error_set(err, "could not write the profile: %s",
                            strerror(errno ? errno : EIO));
    return 0;
}
