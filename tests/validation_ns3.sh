#!/usr/bin/env bash
# validation_ns3.sh - strata's tcp transfer model agrees with ns-3's TCP on
# a few fixed cases per network (validation/run --quick: HSDPA 3G,
# Mahimahi LTE and 5Gophers traces; one and several rounds, rate-limited
# transfers, new and reused connections, NewReno and Cubic): every tcp
# row's median relative error of per-request latency is at most TOL.
#
# TOL = 0.02.  Measured with validation/run (the full grid: 768 exchanges
# per network, connection mode and ns-3 TCP), the tcp model's median error
# is at most 0.0027 and its p95 at most 0.052; on these quick cases the
# median is at most 0.003.  The fluid model's errors are printed, not
# asserted (median 0.25-0.50 with a new connection per request).
set -eu
. "$(dirname "$0")/lib.sh"
lib_need STRATA STRATA_SRC
TOL=0.02
if [ -z "${NS3_REPLAY:-}" ] || [ ! -x "$NS3_REPLAY" ]; then
    skip "the ns-3 reference program was not built (needs libns3-dev," \
         "which scripts/bootstrap installs, and -Dvalidation not disabled)"
fi
lib_data
if [ ! -d "$data/traces" ]; then
    skip "no shared data at $data (set STRATA_DATA)"
fi
lib_tmp
# ns-3's libraries are not built with the sanitizers: leaks they keep
# until exit are theirs.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
STRATA_DATA=$data "$STRATA_SRC/validation/run" --quick --out "$tmp/out" --jobs 2
csv=$tmp/out/errors.csv
rows=$(awk -F, 'NR > 1 && $4 == "tcp"' "$csv" | wc -l)
# 3 networks x 2 connection modes x 2 ns-3 TCPs
[ "$rows" -eq 12 ] || { echo "FAIL: expected 12 tcp rows, got $rows"; exit 1; }
unf=$(awk -F, 'NR > 1 { n += $6 } END { print n + 0 }' "$csv")
[ "$unf" -eq 0 ] || { echo "FAIL: ns-3 left $unf exchanges unfinished"; exit 1; }
bad=$(awk -F, -v tol=$TOL 'NR > 1 && $4 == "tcp" && !($7 + 0 <= tol) {
          print $1 "/" $2 "/" $3 ": median " $7 }' "$csv")
if [ -n "$bad" ]; then
    echo "FAIL: tcp model median relative error above $TOL:"
    echo "$bad"
    exit 1
fi
echo "ok: every tcp median relative error <= $TOL (fluid reported above)"
