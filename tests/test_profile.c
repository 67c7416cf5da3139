/* test_profile.c - importing published measurements: each importer on a
 * small fixture written here and on the real files when the shared data is
 * present (values compared with numbers this test reads from the source
 * itself); bad or partial files fail naming the file and what is missing;
 * the written YAML loads as a scenario's hardware (via 'include') and
 * says the same numbers; 'profile info' tabulates it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <sys/stat.h>
#include <yaml.h>

#include "profile/profile.h"
#include "strata/scenario.h"
#include "testutil.h"

/* --- helpers --- */

static char *path_in(const char *rel)
{
    static char p[8][1024];
    static int k;
    char *out = p[k++ & 7];
    snprintf(out, sizeof p[0], "%s/%s", tu_tmpdir(), rel);
    return out;
}

static void mkdirs(const char *rel)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s/%s", tu_tmpdir(), rel);
    for (char *s = buf + strlen(tu_tmpdir()) + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            mkdir(buf, 0700);
            *s = '/';
        }
    mkdir(buf, 0700);
}

static void write_at(const char *rel, const char *text)
{
    FILE *f = fopen(path_in(rel), "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static long model_ix(const st_profile_set *s, const char *name)
{
    for (size_t i = 0; i < s->n_models; i++)
        if (strcmp(s->models[i].name, name) == 0)
            return (long)i;
    return -1;
}

static long hw_ix(const st_profile_set *s, const char *name)
{
    for (size_t i = 0; i < s->n_hw; i++)
        if (strcmp(s->hw[i].name, name) == 0)
            return (long)i;
    return -1;
}

static const st_pcell *cell(const st_profile_set *s, const char *model,
                            const char *hw)
{
    long m = model_ix(s, model), h = hw_ix(s, hw);
    for (size_t i = 0; i < s->n_cells; i++)
        if ((long)s->cells[i].model == m && (long)s->cells[i].hw == h)
            return &s->cells[i];
    return NULL;
}

static int missing_has(const st_profile_set *s, const char *a, const char *b)
{
    for (size_t i = 0; i < s->n_missing; i++)
        if (strstr(s->missing[i], a) && (!b || strstr(s->missing[i], b)))
            return 1;
    return 0;
}

static void assert_err_has(const st_error *e, const char *a, const char *b)
{
    if (!strstr(e->msg, a) || (b && !strstr(e->msg, b)))
        fail_msg("error '%s' lacks '%s'%s%s", e->msg, a, b ? " or " : "",
                 b ? b : "");
}

static int import1(st_profile_set *s, st_profile_source src, const char *path,
                   const st_profile_select *sel, st_error *err)
{
    st_profile_set_init(s, src);
    return st_profile_import(s, &path, 1, sel, err);
}

/* The set written, then read back through the scenario loader. */
static st_scenario *round_trip(const st_profile_set *s,
                               const st_profile_assume *a, const char *name)
{
    FILE *f = fopen(path_in(name), "w");
    st_error err;
    assert_non_null(f);
    assert_int_equal(st_profile_write(s, a, f, &err), 0);
    fclose(f);
    st_scenario *sc = NULL;
    if (st_scenario_load_profiles(path_in(name), &sc, &err))
        fail_msg("written profile does not load: %s", err.msg);
    return sc;
}

static int sc_model(const st_scenario *sc, const char *name)
{
    return st_scenario_model(sc, name);
}

static int sc_hw(const st_scenario *sc, const char *name)
{
    for (size_t i = 0; i < sc->n_hardware; i++)
        if (strcmp(sc->hardware[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* --- TensorFlow Lite CSV --- */

static const char *tflite_csv =
    "model,quantized,size_mb,top1,top5,cpu4_ms,gpu_ms,nnapi_ms\n"
    "Mobilenet_V2_1.0_224_quant,1,3.4,0.708,0.899,12,,6.9\n"
    "Mobilenet_V2_1.0_224,0,14.0,0.718,0.906,17.5,6.2,11.23\n"
    "\"Odd, Name\",0,,0.5,0.7,40,9.5,\n";

static void tflite_fixture(void **state)
{
    (void)state;
    const char *p = tu_write_file(0, "t.csv", tflite_csv);
    st_profile_set s;
    st_error err;
    assert_int_equal(import1(&s, ST_PROFILE_TFLITE_CSV, p, NULL, &err), 0);
    assert_int_equal(s.n_models, 3);
    assert_int_equal(s.n_hw, 3);
    const st_pcell *c = cell(&s, "mobilenet_v2_1.0_224", "pixel-3-cpu4");
    assert_non_null(c);
    assert_true(c->exec_ms == 17.5);
    assert_true(cell(&s, "mobilenet_v2_1.0_224", "pixel-3-nnapi")->exec_ms == 11.23);
    assert_null(cell(&s, "mobilenet_v2_1.0_224_quant", "pixel-3-gpu"));
    assert_true(missing_has(&s, "mobilenet_v2_1.0_224_quant", "gpu_ms"));
    long q = model_ix(&s, "mobilenet_v2_1.0_224_quant");
    assert_true(q >= 0);
    assert_true(s.models[q].accuracy == 0.708);
    assert_string_equal(s.models[q].precision, "quantized");
    long odd = model_ix(&s, "odd_name");
    assert_true(odd >= 0);
    assert_true(isnan(s.models[odd].size_mb));
    assert_true(missing_has(&s, "odd_name", "size_mb"));
    st_profile_set_free(&s);

    /* Selection keeps float models on the CPU only. */
    const char *rt[] = {"cpu4"}, *pr[] = {"float"};
    st_profile_select sel = {.runtimes = rt, .n_runtimes = 1,
                             .precisions = pr, .n_precisions = 1};
    assert_int_equal(import1(&s, ST_PROFILE_TFLITE_CSV, p, &sel, &err), 0);
    assert_int_equal(s.n_hw, 1);
    assert_int_equal(s.n_models, 2);
    assert_int_equal(model_ix(&s, "mobilenet_v2_1.0_224_quant"), -1);
    st_profile_set_free(&s);

    /* A device the table does not have is an error listing what it has. */
    const char *dev[] = {"Galaxy S1"};
    st_profile_select bad = {.devices = dev, .n_devices = 1};
    assert_int_equal(import1(&s, ST_PROFILE_TFLITE_CSV, p, &bad, &err), -1);
    assert_err_has(&err, "Galaxy S1", "Pixel 3");
    st_profile_set_free(&s);
}

static void tflite_bad(void **state)
{
    (void)state;
    st_profile_set s;
    st_error err;
    const char *p = tu_write_file(1, "nohead.csv",
        "model,quantized,size_mb,top5,cpu4_ms\nx,0,1,0.5,3\n");
    assert_int_equal(import1(&s, ST_PROFILE_TFLITE_CSV, p, NULL, &err), -1);
    assert_err_has(&err, "nohead.csv", "'top1'");
    st_profile_set_free(&s);

    p = tu_write_file(1, "short.csv",
        "model,quantized,size_mb,top1,cpu4_ms\na,0,1,0.5,3\nb,0,1,0.5\n");
    assert_int_equal(import1(&s, ST_PROFILE_TFLITE_CSV, p, NULL, &err), -1);
    assert_err_has(&err, "short.csv:3", "got 4");
    st_profile_set_free(&s);

    p = tu_write_file(1, "nan.csv",
        "model,quantized,size_mb,top1,cpu4_ms\na,0,1,0.5,fast\n");
    assert_int_equal(import1(&s, ST_PROFILE_TFLITE_CSV, p, NULL, &err), -1);
    assert_err_has(&err, "nan.csv:2:5", "cpu4");
    st_profile_set_free(&s);

    p = tu_write_file(1, "q.csv",
        "model,quantized,size_mb,top1,cpu4_ms\na,yes,1,0.5,3\n");
    assert_int_equal(import1(&s, ST_PROFILE_TFLITE_CSV, p, NULL, &err), -1);
    assert_err_has(&err, "q.csv:2", "quantized");
    st_profile_set_free(&s);

    assert_int_equal(import1(&s, ST_PROFILE_TFLITE_CSV, path_in("none.csv"),
                             NULL, &err), -1);
    assert_err_has(&err, "none.csv", "cannot open");
    st_profile_set_free(&s);
}

/* --- AI Hub --- */

static const char *hub_info =
    "name: Tiny-Net\n"
    "id: tiny_net\n"
    "use_case: Image Classification\n"
    "technical_details:\n"
    "  Model size (float): 13.3 MB\n"
    "  Model size (w8a16): 4.39 MB\n";

static const char *hub_numerics =
    "metrics:\n"
    "- dataset_name: imagenet\n"
    "  dataset_split_description: validation split\n"
    "  metric_name: Classification Accuracy\n"
    "  metric_unit: '%'\n"
    "  num_partial_samples: 1000\n"
    "  partial_torch_metric: 72.4\n"
    "  device_metric:\n"
    "    Phone X:\n"
    "      float:\n"
    "        tflite: {partial_metric: 72.3}\n"
    "        onnx: {partial_metric: 72.0}\n";

static const char *hub_perf =
    "precisions:\n"
    "  float:\n"
    "    components:\n"
    "      Tiny-Net:\n"
    "        performance_metrics:\n"
    "          Phone X:\n"
    "            tflite:\n"
    "              job_status: Passed\n"
    "              inference_time_milliseconds: 0.593\n"
    "              estimated_peak_memory_range_mb: {min: 0, max: 55}\n"
    "              primary_compute_unit: NPU\n"
    "            onnx:\n"
    "              job_status: Passed\n"
    "              inference_time_milliseconds: 0.7\n"
    "          Board Y:\n"
    "            tflite:\n"
    "              inference_time_milliseconds: 3.5\n"
    "              primary_compute_unit: CPU\n"
    "  w8a8:\n"
    "    components:\n"
    "      Tiny-Net:\n"
    "        performance_metrics:\n"
    "          Phone X:\n"
    "            tflite:\n"
    "              inference_time_milliseconds: 0.289\n";

static void hub_dir(const char *dir, const char *perf, const char *info,
                    const char *num)
{
    char rel[256];
    mkdirs(dir);
    snprintf(rel, sizeof rel, "%s/perf.yaml", dir);
    if (perf)
        write_at(rel, perf);
    snprintf(rel, sizeof rel, "%s/info.yaml", dir);
    if (info)
        write_at(rel, info);
    snprintf(rel, sizeof rel, "%s/numerics.yaml", dir);
    if (num)
        write_at(rel, num);
}

static void aihub_fixture(void **state)
{
    (void)state;
    hub_dir("hub/tiny", hub_perf, hub_info, hub_numerics);
    st_profile_set s;
    st_error err;
    const char *dev[] = {"phone x"}, *rt[] = {"tflite"};
    st_profile_select sel = {.devices = dev, .n_devices = 1, .runtimes = rt,
                             .n_runtimes = 1};
    /* The collection directory finds the model directory inside. */
    assert_int_equal(import1(&s, ST_PROFILE_AIHUB, path_in("hub"), &sel, &err), 0);
    assert_int_equal(s.n_hw, 1);
    assert_string_equal(s.hw[0].name, "phone-x-tflite");
    long f = model_ix(&s, "tiny_net"), q = model_ix(&s, "tiny_net_w8a8");
    assert_true(f >= 0 && q >= 0);
    assert_true(fabs(s.models[f].accuracy - 0.723) < 1e-12);
    assert_true(s.models[f].size_mb == 13.3);
    assert_string_equal(s.models[f].task, "image-classification");
    /* w8a8: no size in info.yaml and no accuracy: reported, not made up. */
    assert_true(isnan(s.models[q].size_mb) && isnan(s.models[q].accuracy));
    assert_true(missing_has(&s, "tiny_net_w8a8", "Model size (w8a8)"));
    assert_true(missing_has(&s, "tiny_net_w8a8", "accuracy"));
    const st_pcell *c = cell(&s, "tiny_net", "phone-x-tflite");
    assert_non_null(c);
    assert_true(c->exec_ms == 0.593 && c->memory_mb == 55);
    assert_string_equal(c->unit, "NPU");

    /* Written and read back: the w8a8 model is left out (no accuracy). */
    st_profile_assume a = {.load_mbps = 200, .load_base_ms = 50,
                           .input_bytes = 1000, .output_bytes = -1};
    st_scenario *sc = round_trip(&s, &a, "hub.yaml");
    assert_int_equal(sc->n_models, 1);
    int m = sc_model(sc, "tiny_net"), h = sc_hw(sc, "phone-x-tflite");
    assert_true(m >= 0 && h >= 0);
    const st_profile *p = &sc->hardware[h].per_model[m];
    assert_true(p->present);
    assert_true(fabs(st_dist_mean(&p->exec_s) - 0.593e-3) < 1e-12);
    assert_true(fabs(p->load_s - (50 + 13.3 / 200 * 1000) / 1000) < 1e-9);
    assert_true(p->memory_mb == 55);
    assert_true(sc->models[m].input_bytes == 1000);
    st_scenario_free(sc);
    st_profile_set_free(&s);
}

static void aihub_bad(void **state)
{
    (void)state;
    st_profile_set s;
    st_error err;
    hub_dir("hub2/nonum", hub_perf, hub_info, NULL);
    assert_int_equal(import1(&s, ST_PROFILE_AIHUB, path_in("hub2/nonum"), NULL,
                             &err), -1);
    assert_err_has(&err, "nonum", "numerics.yaml");
    st_profile_set_free(&s);

    hub_dir("hub2/noid", hub_perf, "name: T\nuse_case: X\n", hub_numerics);
    assert_int_equal(import1(&s, ST_PROFILE_AIHUB, path_in("hub2/noid"), NULL,
                             &err), -1);
    assert_err_has(&err, "noid/info.yaml:1:1", "'id'");
    st_profile_set_free(&s);

    hub_dir("hub2/badtime", "precisions:\n  float:\n    components:\n"
            "      T:\n        performance_metrics:\n          P:\n"
            "            tflite: {inference_time_milliseconds: fast}\n",
            hub_info, hub_numerics);
    assert_int_equal(import1(&s, ST_PROFILE_AIHUB, path_in("hub2/badtime"),
                             NULL, &err), -1);
    assert_err_has(&err, "badtime/perf.yaml:7:", "inference_time_milliseconds");
    st_profile_set_free(&s);

    hub_dir("hub2/noprec", "supported_devices: []\n", hub_info, hub_numerics);
    assert_int_equal(import1(&s, ST_PROFILE_AIHUB, path_in("hub2/noprec"),
                             NULL, &err), -1);
    assert_err_has(&err, "noprec/perf.yaml", "'precisions'");
    st_profile_set_free(&s);

    mkdirs("hub3/empty");
    assert_int_equal(import1(&s, ST_PROFILE_AIHUB, path_in("hub3"), NULL,
                             &err), -1);
    assert_err_has(&err, "hub3", "no perf.yaml");
    st_profile_set_free(&s);
}

/* --- MLPerf Mobile --- */

static const char *ml_system =
    "{\"System\": \"Phone Z\", \"Processor Name\": \"Chip 1\","
    " \"Accelerator_type\": \"CPU\"}";

static const char *ml_results =
    "{\"results\": [\n"
    " {\"benchmark_id\": \"image_classification\",\n"
    "  \"loadgen_scenario\": \"SingleStream\",\n"
    "  \"backend_settings\": {\"framework\": \"SNPE\", \"accelerator_desc\": \"CPU\"},\n"
    "  \"performance_run\": {\"throughput\": {\"value\": 50.0},\n"
    "     \"measured_samples\": 3000, \"loadgen_info\": {\"duration\": 57.0}},\n"
    "  \"accuracy_run\": {\"accuracy\": {\"normalized\": 0.75, \"formatted\": \"75%\"}}},\n"
    " {\"benchmark_id\": \"image_classification_offline\",\n"
    "  \"loadgen_scenario\": \"Offline\",\n"
    "  \"backend_settings\": {\"framework\": \"SNPE\"},\n"
    "  \"performance_run\": {\"throughput\": {\"value\": 80.0}}},\n"
    " {\"benchmark_id\": \"super_resolution\",\n"
    "  \"loadgen_scenario\": \"SingleStream\",\n"
    "  \"backend_settings\": {\"framework\": \"SNPE\"},\n"
    "  \"performance_run\": {\"throughput\": {\"value\": 2.0}},\n"
    "  \"accuracy_run\": null}\n"
    "]}\n";

static void mlperf_fixture(void **state)
{
    (void)state;
    mkdirs("ml/closed/Vendor/results/PZ");
    mkdirs("ml/closed/Vendor/systems");
    write_at("ml/closed/Vendor/results/PZ/results.json", ml_results);
    write_at("ml/closed/Vendor/systems/PZ.json", ml_system);
    st_profile_set s;
    st_error err;
    assert_int_equal(import1(&s, ST_PROFILE_MLPERF, path_in("ml"), NULL, &err), 0);
    assert_int_equal(s.n_hw, 1);
    assert_string_equal(s.hw[0].name, "phone-z");
    assert_string_equal(s.hw[0].soc, "Chip 1");
    const st_pcell *c = cell(&s, "mobilenet_edgetpu", "phone-z");
    assert_non_null(c);
    assert_true(fabs(c->exec_ms - 57.0 * 1000 / 3000) < 1e-12);
    /* p90 = 20 ms > mean 19 ms: the lognormal with both has that p90. */
    double sd = c->exec_sd_ms, mean = c->exec_ms;
    assert_true(sd > 0);
    double sigma = sqrt(log(1 + sd * sd / (mean * mean)));
    double mu = log(mean) - sigma * sigma / 2;
    assert_true(fabs(exp(mu + 1.2815515655446004 * sigma) - 20.0) < 1e-9);
    long m = model_ix(&s, "mobilenet_edgetpu");
    assert_true(s.models[m].accuracy == 0.75);
    assert_true(missing_has(&s, "Offline", NULL));
    /* super resolution: only the p90, and no accuracy. */
    const st_pcell *sr = cell(&s, "edsr", "phone-z");
    assert_true(sr && sr->exec_ms == 500);
    assert_true(missing_has(&s, "edsr", "accuracy"));
    st_profile_set_free(&s);

    /* Model selection by the benchmark's id. */
    const char *mod[] = {"super_resolution"};
    st_profile_select sel = {.models = mod, .n_models = 1};
    assert_int_equal(import1(&s, ST_PROFILE_MLPERF, path_in("ml"), &sel, &err), 0);
    assert_int_equal(s.n_models, 1);
    st_profile_set_free(&s);
}

static void mlperf_bad(void **state)
{
    (void)state;
    st_profile_set s;
    st_error err;
    mkdirs("ml2/closed/V/results/P");
    mkdirs("ml2/closed/V/systems");
    write_at("ml2/closed/V/systems/P.json", ml_system);
    write_at("ml2/closed/V/results/P/results.json", "{\"meta\": {}}");
    assert_int_equal(import1(&s, ST_PROFILE_MLPERF, path_in("ml2"), NULL,
                             &err), -1);
    assert_err_has(&err, "P/results.json", "'results' is missing");
    st_profile_set_free(&s);

    write_at("ml2/closed/V/results/P/results.json", "{\"results\": [\n  {,}]}");
    assert_int_equal(import1(&s, ST_PROFILE_MLPERF, path_in("ml2"), NULL,
                             &err), -1);
    assert_err_has(&err, "P/results.json:2:", "invalid JSON");
    st_profile_set_free(&s);

    write_at("ml2/closed/V/results/P/results.json",
             "{\"results\": [{\"loadgen_scenario\": \"SingleStream\"}]}");
    assert_int_equal(import1(&s, ST_PROFILE_MLPERF, path_in("ml2"), NULL,
                             &err), -1);
    assert_err_has(&err, "results[0]", "'benchmark_id' is missing");
    st_profile_set_free(&s);

    write_at("ml2/closed/V/systems/P.json", "{\"Processor Name\": \"C\"}");
    write_at("ml2/closed/V/results/P/results.json", ml_results);
    assert_int_equal(import1(&s, ST_PROFILE_MLPERF, path_in("ml2"), NULL,
                             &err), -1);
    assert_err_has(&err, "P.json", "'System'");
    st_profile_set_free(&s);
}

/* --- include and info --- */

static void include_and_info(void **state)
{
    (void)state;
    const char *p = tu_write_file(2, "inc.csv", tflite_csv);
    st_profile_set s;
    st_error err;
    const char *rt[] = {"cpu4"};
    st_profile_select sel = {.runtimes = rt, .n_runtimes = 1};
    assert_int_equal(import1(&s, ST_PROFILE_TFLITE_CSV, p, &sel, &err), 0);
    st_profile_assume a = {.load_mbps = 100, .exec_cv = 0.1, .input_bytes = 5000,
                           .output_bytes = 400};
    FILE *f = fopen(path_in("phone.yaml"), "w");
    assert_int_equal(st_profile_write(&s, &a, f, &err), 0);
    fclose(f);
    st_profile_set_free(&s);

    /* A scenario whose phone comes from the imported file. */
    write_at("scen.yaml",
        "name: inc\nduration: 10 s\ninclude: [phone.yaml]\n"
        "models:\n  - {name: big, task: image-classification, accuracy: 0.9}\n"
        "hardware:\n  - name: gpu\n    profiles: {big: {exec_ms: 5},"
        " mobilenet_v2_1.0_224: {exec_ms: 1}}\n"
        "nodes:\n  - {name: cloud, hardware: gpu}\n"
        "devices:\n  - {name: ph, hardware: pixel-3-cpu4, attach: cloud,"
        " link: {up: {mbps: 10}, down: {mbps: 10}, rtt_ms: 40},"
        " workload: {task: image-classification, arrival: {process: poisson,"
        " rate_per_s: 1}, slo_ms: 300}}\n"
        "policy: local\n");
    st_scenario *sc;
    if (st_scenario_load(path_in("scen.yaml"), NULL, 0, &sc, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(sc->n_models, 4);
    assert_int_equal(sc->n_hardware, 2);
    int m = sc_model(sc, "mobilenet_v2_1.0_224"), h = sc_hw(sc, "pixel-3-cpu4");
    assert_true(m >= 0 && h >= 0);
    const st_profile *pr = &sc->hardware[h].per_model[m];
    assert_true(fabs(st_dist_mean(&pr->exec_s) - 17.5e-3) < 1e-9);
    assert_true(fabs(pr->load_s - 14.0 / 100) < 1e-9);
    /* The stored text holds the included entries and no 'include'. */
    assert_non_null(strstr(sc->text, "mobilenet_v2_1.0_224_quant"));
    assert_null(strstr(sc->text, "include"));
    char hash[17];
    memcpy(hash, sc->hash, sizeof hash);
    st_scenario_free(sc);

    /* Overrides reach included entries and change the hash. */
    const char *ov[] = {"hardware.1.profiles.odd_name.load_ms=999"};
    if (st_scenario_load(path_in("scen.yaml"), ov, 1, &sc, &err))
        fail_msg("%s", err.msg);
    assert_true(fabs(sc->hardware[1].per_model[sc_model(sc, "odd_name")].load_s
                     - 0.999) < 1e-12);
    assert_string_not_equal(hash, sc->hash);
    st_scenario_free(sc);

    /* Errors inside an included file name that file and line. */
    write_at("badinc.yaml", "models:\n  - {name: q, task: t, accuracy: 2}\n");
    write_at("scen2.yaml", "name: b\nduration: 1 s\ninclude: badinc.yaml\n");
    assert_int_equal(st_scenario_load(path_in("scen2.yaml"), NULL, 0, &sc,
                                      &err), -1);
    assert_err_has(&err, "badinc.yaml:2:", "accuracy");
    /* A duplicate across files is an error at the second one. */
    write_at("scen3.yaml", "name: c\nduration: 1 s\ninclude: [phone.yaml]\n"
             "models:\n  - {name: odd_name, task: t, accuracy: 0.5}\n");
    assert_int_equal(st_scenario_load(path_in("scen3.yaml"), NULL, 0, &sc,
                                      &err), -1);
    assert_err_has(&err, "phone.yaml:", "duplicate model name 'odd_name'");
    /* A missing include names the scenario's line. */
    write_at("scen4.yaml", "name: d\nduration: 1 s\ninclude: [nope.yaml]\n");
    assert_int_equal(st_scenario_load(path_in("scen4.yaml"), NULL, 0, &sc,
                                      &err), -1);
    assert_err_has(&err, "scen4.yaml:3:", "nope.yaml");
    /* Included files only hold models and hardware. */
    write_at("nested.yaml", "include: [phone.yaml]\n");
    write_at("scen5.yaml", "name: e\nduration: 1 s\ninclude: nested.yaml\n");
    assert_int_equal(st_scenario_load(path_in("scen5.yaml"), NULL, 0, &sc,
                                      &err), -1);
    assert_err_has(&err, "nested.yaml:1:1", "include");

    /* info: one row per model, one column per hardware. */
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    assert_int_equal(st_profile_info(path_in("scen.yaml"), ST_PROFILE_EXEC,
                                     mem, &err), 0);
    fclose(mem);
    assert_non_null(strstr(text, "4 model(s) x 2 hardware"));
    assert_non_null(strstr(text, "pixel-3-cpu4"));
    const char *row = strstr(text, "\nmobilenet_v2_1.0_224 ");
    assert_non_null(row);
    const char *eol = strchr(row + 1, '\n');
    char line[512];
    snprintf(line, sizeof line, "%.*s", (int)(eol - row - 1), row + 1);
    assert_non_null(strstr(line, "17.5"));
    assert_non_null(strstr(line, "0.7180"));
    free(text);
    assert_int_equal(st_profile_info(path_in("nope.yaml"), ST_PROFILE_EXEC,
                                     stdout, &err), -1);
    assert_err_has(&err, "nope.yaml", "cannot open");
}

/* --- the real files --- */

/* Field col of the CSV row whose first field is name (the table has no
 * quoted fields). */
static int csv_field(const char *path, const char *name, int col, char *out,
                     size_t size)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    int found = 0;
    while (f && !found && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *save, *tok = strtok_r(line, ",", &save);
        if (!tok || strcmp(tok, name) != 0)
            continue;
        char *p = line + strlen(tok) + 1;
        for (int k = 1; k < col; k++)
            p = strchr(p, ',') + 1;
        snprintf(out, size, "%.*s", (int)strcspn(p, ","), p);
        found = 1;
    }
    if (f)
        fclose(f);
    return found;
}

static void real_tflite(void **state)
{
    (void)state;
    const char *p0 = tu_shared("profiles/tflite-pixel3.csv");
    if (!p0)
        skip();   /* shared data absent: STRATA_SHARED_DATA unset */
    char path[1024], v[64];
    snprintf(path, sizeof path, "%s", p0);
    st_profile_set s;
    st_error err;
    assert_int_equal(import1(&s, ST_PROFILE_TFLITE_CSV, path, NULL, &err), 0);
    const char *names[] = {"Mobilenet_V2_1.0_224", "Inception_V3", "NASNet_large"};
    for (size_t i = 0; i < 3; i++) {
        char *slug = strdup(names[i]);
        for (char *q = slug; *q; q++)
            *q = (char)(*q >= 'A' && *q <= 'Z' ? *q - 'A' + 'a' : *q);
        assert_true(csv_field(path, names[i], 5, v, sizeof v));   /* cpu4_ms */
        const st_pcell *c = cell(&s, slug, "pixel-3-cpu4");
        assert_non_null(c);
        assert_true(c->exec_ms == atof(v));
        assert_true(csv_field(path, names[i], 3, v, sizeof v));   /* top1 */
        assert_true(s.models[model_ix(&s, slug)].accuracy == atof(v));
        free(slug);
    }
    /* Empty cells in the table are reported, not filled. */
    assert_true(csv_field(path, "Inception_V4_quant", 6, v, sizeof v));
    assert_string_equal(v, "");
    assert_null(cell(&s, "inception_v4_quant", "pixel-3-gpu"));
    assert_true(missing_has(&s, "inception_v4_quant", "gpu_ms"));
    st_profile_set_free(&s);
}

static yaml_node_t *ykey(yaml_document_t *d, yaml_node_t *m, const char *k)
{
    if (!m || m->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
         p < m->data.mapping.pairs.top; p++)
        if (strcmp((char *)yaml_document_get_node(d, p->key)->data.scalar.value,
                   k) == 0)
            return yaml_document_get_node(d, p->value);
    return NULL;
}

static int load_yaml(const char *path, yaml_document_t *d)
{
    FILE *f = fopen(path, "rb");
    yaml_parser_t p;
    if (!f)
        return -1;
    yaml_parser_initialize(&p);
    yaml_parser_set_input_file(&p, f);
    int ok = yaml_parser_load(&p, d);
    yaml_parser_delete(&p);
    fclose(f);
    return ok ? 0 : -1;
}

static void real_aihub(void **state)
{
    (void)state;
    const char *p0 = tu_shared("profiles/ai-hub/mobilenet_v2");
    if (!p0)
        skip();
    char dir[1024], perf[1100];
    snprintf(dir, sizeof dir, "%s", p0);
    snprintf(perf, sizeof perf, "%s/perf.yaml", dir);
    /* The number straight from perf.yaml. */
    yaml_document_t d;
    assert_int_equal(load_yaml(perf, &d), 0);
    yaml_node_t *comps = ykey(&d, ykey(&d, ykey(&d, yaml_document_get_root_node(&d),
                                                "precisions"), "float"), "components");
    assert_non_null(comps);
    yaml_node_t *comp = yaml_document_get_node(&d, comps->data.mapping.pairs.start->value);
    yaml_node_t *m = ykey(&d, ykey(&d, ykey(&d, comp, "performance_metrics"),
                                   "Samsung Galaxy S24"), "tflite");
    yaml_node_t *t = ykey(&d, m, "inference_time_milliseconds");
    yaml_node_t *mem = ykey(&d, ykey(&d, m, "estimated_peak_memory_range_mb"), "max");
    assert_non_null(t);
    double want = atof((char *)t->data.scalar.value);
    double want_mem = mem ? atof((char *)mem->data.scalar.value) : NAN;
    yaml_document_delete(&d);

    st_profile_set s;
    st_error err;
    const char *dev[] = {"Samsung Galaxy S24"}, *rt[] = {"tflite"},
               *pr[] = {"float"};
    st_profile_select sel = {dev, 1, rt, 1, pr, 1, NULL, 0};
    assert_int_equal(import1(&s, ST_PROFILE_AIHUB, dir, &sel, &err), 0);
    const st_pcell *c = cell(&s, "mobilenet_v2", "samsung-galaxy-s24-tflite");
    assert_non_null(c);
    assert_true(c->exec_ms == want);
    if (!isnan(want_mem))
        assert_true(c->memory_mb == want_mem);
    long mi = model_ix(&s, "mobilenet_v2");
    assert_true(s.models[mi].accuracy > 0.5 && s.models[mi].accuracy < 1);
    assert_true(s.models[mi].size_mb > 0);
    st_profile_set_free(&s);

    /* The whole collection, every device: each model present. */
    const char *root = tu_shared("profiles/ai-hub");
    char rootp[1024];
    snprintf(rootp, sizeof rootp, "%s", root);
    assert_int_equal(import1(&s, ST_PROFILE_AIHUB, rootp, NULL, &err), 0);
    assert_true(model_ix(&s, "vit") >= 0 && model_ix(&s, "resnet50_w8a8") >= 0);
    assert_true(hw_ix(&s, "samsung-galaxy-s25-qnn_dlc") >= 0);
    st_profile_set_free(&s);
}

static void real_mlperf(void **state)
{
    (void)state;
    const char *p0 = tu_shared("profiles/mlperf-mobile-v3.1/closed/"
                               "Qualcomm_Innovation_Center");
    if (!p0)
        skip();
    char dir[1024], res[1200], sys[1200];
    snprintf(dir, sizeof dir, "%s", p0);
    snprintf(res, sizeof res, "%s/results/SD4G2/results.json", dir);
    snprintf(sys, sizeof sys, "%s/systems/SD4G2.json", dir);
    json_error_t je;
    json_t *r = json_load_file(res, 0, &je), *sj = json_load_file(sys, 0, &je);
    assert_non_null(r);
    assert_non_null(sj);
    json_t *ic = json_array_get(json_object_get(r, "results"), 0);
    assert_string_equal(json_string_value(json_object_get(ic, "benchmark_id")),
                        "image_classification");
    json_t *perf = json_object_get(ic, "performance_run");
    double qps = json_number_value(json_object_get(json_object_get(perf,
                                   "throughput"), "value"));
    double n = json_number_value(json_object_get(perf, "measured_samples"));
    double dur = json_number_value(json_object_get(json_object_get(perf,
                                   "loadgen_info"), "duration"));
    double acc = json_number_value(json_object_get(json_object_get(
        json_object_get(ic, "accuracy_run"), "accuracy"), "normalized"));
    char device[256];
    snprintf(device, sizeof device, "%s",
             json_string_value(json_object_get(sj, "System")));
    json_decref(r);
    json_decref(sj);

    st_profile_set s;
    st_error err;
    const char *dev[] = {device};
    st_profile_select sel = {.devices = dev, .n_devices = 1};
    assert_int_equal(import1(&s, ST_PROFILE_MLPERF, dir, &sel, &err), 0);
    assert_int_equal(s.n_hw, 1);
    assert_string_equal(s.hw[0].device, device);
    const st_pcell *c = cell(&s, "mobilenet_edgetpu", s.hw[0].name);
    assert_non_null(c);
    assert_true(fabs(c->exec_ms - dur * 1000 / n) < 1e-9);
    assert_true(c->exec_ms < 1000 / qps);   /* mean below the p90 */
    assert_true(s.models[model_ix(&s, "mobilenet_edgetpu")].accuracy == acc);
    /* Offline results are skipped, with a note. */
    assert_true(missing_has(&s, "Offline", NULL));
    st_profile_set_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tflite_fixture),
        cmocka_unit_test(tflite_bad),
        cmocka_unit_test(aihub_fixture),
        cmocka_unit_test(aihub_bad),
        cmocka_unit_test(mlperf_fixture),
        cmocka_unit_test(mlperf_bad),
        cmocka_unit_test(include_and_info),
        cmocka_unit_test(real_tflite),
        cmocka_unit_test(real_aihub),
        cmocka_unit_test(real_mlperf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
