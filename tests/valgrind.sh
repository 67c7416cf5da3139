#!/usr/bin/env bash
# valgrind.sh - runs tests/valgrind-check on the tested binary when it is a
# plain build (e.g. meson test -C build valgrind).  The default test build
# uses AddressSanitizer, which valgrind cannot run, so there this test is
# skipped (exit 77) and CI runs tests/valgrind-check on its own, which
# builds a plain binary for the purpose.
. "$(dirname "$0")/lib.sh"
lib_need STRATA STRATA_SRC
lib_need_tool valgrind "valgrind is not installed (tests/valgrind-check installs it)"
if nm "$STRATA" 2>/dev/null | grep -q '__asan_init'; then
    skip "$STRATA is built with AddressSanitizer; run tests/valgrind-check"
fi
exec "$STRATA_SRC/tests/valgrind-check" "$STRATA"
