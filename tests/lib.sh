# lib.sh - the preamble the shell tests share, sourced first by each:
#
#     . "$(dirname "$0")/lib.sh"
#     lib_need STRATA STRATA_SRC     # the variables meson sets for the test
#     lib_tmp                        # $tmp, removed on exit
#     lib_fails                      # fail() counts; lib_done reports
#
# fail() either counts failures (lib_fails, then lib_done at the end) or
# stops the test at the first (lib_fail_exits); skip() ends the test as
# skipped (exit 77) saying why; lib_data finds the shared data.

# lib_need VAR...: every variable is set, else the test fails naming it.
lib_need() {
    local v
    for v in "$@"; do
        [ -n "${!v:-}" ] || { echo "$0: $v is not set" >&2; exit 1; }
    done
}

# skip REASON: the test is skipped (exit 77), saying why.
skip() {
    echo "SKIP: $*"
    exit 77
}

# lib_need_tool TOOL REASON: skipped without TOOL on the PATH.
lib_need_tool() {
    command -v "$1" >/dev/null || skip "$2"
}

# lib_tmp [HOOK]: a fresh directory $tmp, removed when the test exits,
# after running HOOK (a function's name) if given.
lib_tmp() {
    tmp=$(mktemp -d)
    lib_exit_hook=${1:-}
    trap lib_cleanup EXIT
}

lib_cleanup() {
    [ -z "${lib_exit_hook:-}" ] || "$lib_exit_hook"
    rm -rf "$tmp"
}

# lib_fails: fail MESSAGE prints "FAIL: MESSAGE" and counts it; the test
# goes on, and lib_done ends it with the count.
lib_fails() {
    fails=0
    fail() {
        echo "FAIL: $*"
        fails=$((fails + 1))
    }
}

lib_done() {
    [ "$fails" = 0 ] || { echo "$fails failure(s)"; exit 1; }
}

# lib_fail_exits [PREFIX]: fail MESSAGE prints "PREFIX: MESSAGE" (default
# FAIL) on stderr and ends the test.
lib_fail_exits() {
    lib_fail_prefix=${1:-FAIL}
    fail() {
        echo "$lib_fail_prefix: $*" >&2
        exit 1
    }
}

# lib_data: $data, the shared data (STRATA_DATA, else STRATA_SHARED_DATA,
# else ../shared/data beside the repository).
lib_data() {
    data=${STRATA_DATA:-${STRATA_SHARED_DATA:-$STRATA_SRC/../shared/data}}
}

# mini_scenario FILE NAME DURATION COUNT LINK WORKLOAD POLICY: one model,
# one node, one class of COUNT devices (its entry on line 11, its link on
# line 15, its workload on 16, the policy on 17).
mini_scenario() {
    cat >"$1" <<YAML
name: $2
duration: $3
models:
  - {name: m, task: cls, accuracy: 0.7, size_mb: 10, input_bytes: 1000, output_bytes: 100}
hardware:
  - name: hw
    profiles: {m: {exec_ms: 5}}
nodes:
  - {name: cloud, hardware: hw}
devices:
  - name: ph
    count: $4
    hardware: hw
    attach: cloud
    link: $5
    workload: $6
policy: $7
YAML
}
