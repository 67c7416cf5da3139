/* test_membound.c - the memory bound a run is checked against before it
 * starts (study/membound.h) holds: for several policies on a sizeable
 * world (the city example scaled down), the bound is at least what the
 * run really adds to the resident set, measured with getrusage in a child
 * process, and for `cloud` within 4x of it; a policy that declares no
 * state size gets the default; a run over the limit is refused.
 *
 * Under AddressSanitizer the resident set holds the sanitizer's shadow
 * memory and its quarantine of freed blocks besides the program's own, so
 * there the child measures the peak of the bytes the run holds from malloc
 * instead, through the sanitizer's allocation hooks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <math.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "strata/scenario.h"
#include "policy/registry.h"
#include "study/membound.h"
#include "world/world.h"
#include "testutil.h"

/* The city's three classes at 15,000 + 15,000 + 10,000 phones for two
 * minutes: some 80,000 requests.  The drain is shortened to 10 s: a
 * minute would bound the requests in flight at once by a minute of
 * arrivals, as much as half the run's requests here. */
static st_scenario *load_city(const char *policy)
{
    char pol[64];
    snprintf(pol, sizeof pol, "policy=%s", policy);
    const char *ov[] = {"devices.0.count=15000", "devices.1.count=15000",
                        "devices.2.count=10000", "duration=\"120 s\"",
                        "warmup=\"10 s\"", "drain=\"10 s\"", pol};
    st_scenario *sc;
    st_error err;
    if (st_scenario_load(tu_src("configs/city.yaml"), ov, sizeof ov / sizeof *ov,
                         &sc, &err))
        fail_msg("%s", err.msg);
    return sc;
}

#if defined(__SANITIZE_ADDRESS__)
/* AddressSanitizer's allocator interface (sanitizer/allocator_interface.h,
 * which GCC does not install). */
int __sanitizer_install_malloc_and_free_hooks(
    void (*malloc_hook)(const volatile void *, size_t),
    void (*free_hook)(const volatile void *));
size_t __sanitizer_get_allocated_size(const volatile void *p);

static long long held, held_peak;

static void on_malloc(const volatile void *p, size_t n)
{
    (void)p;
    held += (long long)n;
    if (held > held_peak)
        held_peak = held;
}

static void on_free(const volatile void *p)
{
    held -= (long long)__sanitizer_get_allocated_size(p);
}

#define MEASURED "peak bytes held from malloc"
static double peak_now(void)
{
    static int hooked;
    if (!hooked) {
        hooked = 1;
        __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
    }
    return (double)held_peak;
}
#else
#define MEASURED "peak resident set"
static double peak_now(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss * 1024;
}
#endif

/* In a child: load the scenario, then run it; what the run added to the
 * peak (MEASURED), in bytes, comes back through a pipe. */
static double measured_growth(const char *policy)
{
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fd[0]);
        st_scenario *sc = load_city(policy);
        double base = peak_now();
        st_run_result res;
        st_error err;
        int rc = st_world_run(sc, 0, NULL, &res, &err);
        double growth = rc ? -1 : peak_now() - base;
        ssize_t n = write(fd[1], &growth, sizeof growth);
        _exit(n == (ssize_t)sizeof growth ? 0 : 1);
    }
    close(fd[1]);
    double growth = -1;
    ssize_t n = read(fd[0], &growth, sizeof growth);
    close(fd[0]);
    int status;
    waitpid(pid, &status, 0);
    assert_int_equal(n, (ssize_t)sizeof growth);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_true(growth > 0);
    return growth;
}

static double bound_of(const char *policy, st_membound *b)
{
    st_scenario *sc = load_city(policy);
    st_membound_of(sc, 0, NULL, b);
    st_scenario_free(sc);
    return b->total;
}

/* bound >= the measured growth, and at most `factor` times it (0: no
 * upper check). */
static void check_policy(const char *policy, double factor)
{
    st_membound b;
    double bound = bound_of(policy, &b), got = measured_growth(policy);
    print_message("%-10s bound %7.1f MB (policy %6.1f MB), %s %7.1f MB, "
                  "ratio %.2f\n", policy, bound / 1e6, b.policy / 1e6,
                  MEASURED, got / 1e6, bound / got);
    if (bound < got)
        fail_msg("%s: the bound %.0f bytes is below the %s, %.0f", policy,
                 bound, MEASURED, got);
    if (factor > 0 && bound > factor * got)
        fail_msg("%s: the bound %.0f bytes is more than %gx the %s, %.0f",
                 policy, bound, factor, MEASURED, got);
}

static void test_cloud_bound(void **state)
{
    (void)state;
    check_policy("cloud", 4);
}

static void test_local_bound(void **state)
{
    (void)state;
    check_policy("local", 0);
}

static void test_layercake_bound(void **state)
{
    (void)state;
    check_policy("layercake", 0);
}

static void test_infaas_bound(void **state)
{
    (void)state;
    check_policy("infaas", 0);
}

/* layercake keeps a history per (model, place) pair: more than cloud. */
static void test_policies_differ(void **state)
{
    (void)state;
    st_membound lc, cl;
    bound_of("layercake", &lc);
    bound_of("cloud", &cl);
    assert_true(lc.policy > 10 * cl.policy);
    assert_true(lc.world.devices == cl.world.devices);
}

static void none_decide(st_policy *p, const st_request *req, const st_view *v,
                        st_decision *out)
{
    (void)p, (void)req, (void)v;
    *out = (st_decision){.drop = 1};
}

/* A policy (as a plugin defines one) that declares no state size. */
static void test_undeclared_default(void **state)
{
    (void)state;
    static const st_policy_ops none = {.name = "none", .decide = none_decide};
    st_scenario *sc = load_city("cloud");
    st_state_size s;
    st_policy_state_size(&none, sc, NULL, &s);
    assert_true(s.per_device == ST_STATE_DEFAULT_PER_DEVICE);
    assert_true(s.per_model_slot == ST_STATE_DEFAULT_PER_MODEL_SLOT);
    assert_true(s.per_request == ST_STATE_DEFAULT_PER_REQUEST);
    assert_true(s.fixed == 0 && s.per_node == 0);
    double slots = (double)(sc->n_devices + (long)sc->n_nodes) * (double)sc->n_models;
    assert_true(st_state_size_total(&s, sc, 1000) ==
                ST_STATE_DEFAULT_PER_DEVICE * (double)sc->n_devices +
                ST_STATE_DEFAULT_PER_MODEL_SLOT * slots +
                ST_STATE_DEFAULT_PER_REQUEST * 1000);
    st_scenario_free(sc);
}

/* Over the limit: refused naming the file, the limit and what to raise;
 * under it: accepted. */
static void test_limit(void **state)
{
    (void)state;
    st_scenario *sc = load_city("cloud");
    st_membound b;
    st_membound_of(sc, 0, NULL, &b);
    char mb[32];
    st_error err;
    snprintf(mb, sizeof mb, "%.0f", b.total / 1e6 / 2);
    setenv("STRATA_MEMORY_LIMIT_MB", mb, 1);
    assert_int_equal(st_membound_check(sc, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "city.yaml"));
    assert_non_null(strstr(err.msg, "STRATA_MEMORY_LIMIT_MB"));
    assert_non_null(strstr(err.msg, "policy 'cloud'"));
    snprintf(mb, sizeof mb, "%.0f", b.total / 1e6 * 2);
    setenv("STRATA_MEMORY_LIMIT_MB", mb, 1);
    assert_int_equal(st_membound_check(sc, NULL, &err), 0);
    /* two at once need twice one */
    double two[] = {b.total, b.total, 1};
    snprintf(mb, sizeof mb, "%.0f", b.total / 1e6 * 1.5);
    setenv("STRATA_MEMORY_LIMIT_MB", mb, 1);
    assert_int_equal(st_membound_check_many("s.yaml", two, 3, 1, &err), 0);
    assert_int_equal(st_membound_check_many("s.yaml", two, 3, 2, &err), -1);
    assert_non_null(strstr(err.msg, "s.yaml: 2 runs at once"));
    unsetenv("STRATA_MEMORY_LIMIT_MB");
    st_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cloud_bound),
        cmocka_unit_test(test_local_bound),
        cmocka_unit_test(test_layercake_bound),
        cmocka_unit_test(test_infaas_bound),
        cmocka_unit_test(test_policies_differ),
        cmocka_unit_test(test_undeclared_default),
        cmocka_unit_test(test_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
