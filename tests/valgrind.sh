#!/usr/bin/env bash
# valgrind.sh - runs tests/valgrind-check on the tested binary when it is a
# plain build (e.g. meson test -C build valgrind).  The default test build
# uses AddressSanitizer, which valgrind cannot run, so there this test is
# skipped (exit 77) and CI runs tests/valgrind-check on its own, which
# builds a plain binary for the purpose.
: "${STRATA:?}" "${STRATA_SRC:?}"
if ! command -v valgrind >/dev/null; then
    echo "SKIP: valgrind is not installed (tests/valgrind-check installs it)"
    exit 77
fi
if nm "$STRATA" 2>/dev/null | grep -q '__asan_init'; then
    echo "SKIP: $STRATA is built with AddressSanitizer; run tests/valgrind-check"
    exit 77
fi
exec "$STRATA_SRC/tests/valgrind-check" "$STRATA"
