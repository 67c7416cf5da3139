#!/usr/bin/env bash
# install.sh - the SDK as a user gets it: `meson install --destdir` into a
# staging directory, then, from what was installed alone, build the
# example policy plugin with its own meson.build (dependency('strata')
# through pkg-config), run the installed example scenario with --plugin,
# and check the stored runs; the installed headers each compile on their
# own, and the manual pages open with man.
set -u
. "$(dirname "$0")/lib.sh"
lib_need STRATA_SRC STRATA_BUILD
lib_tmp
lib_fails
for tool in meson ninja pkg-config sqlite3 cc man; do
    lib_need_tool $tool "$tool not found"
done

stage="$tmp/stage"
meson install -C "$STRATA_BUILD" --destdir "$stage" --no-rebuild --quiet \
    >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; echo "FAIL: meson install"; exit 1; }
pc=$(find "$stage" -name strata.pc | head -1)
[ -n "$pc" ] || { echo "FAIL: no strata.pc installed"; exit 1; }
prefix=$(sed -n 's/^prefix=//p' "$pc")
root="$stage$prefix"
export PKG_CONFIG_PATH="$(dirname "$pc")" PKG_CONFIG_SYSROOT_DIR="$stage"
bin="$root/bin/strata"
[ -x "$bin" ] || fail "no binary at $bin"
[ "$(pkg-config --variable=plugin_api_version strata)" = 1 ] || fail "strata.pc lacks plugin_api_version"
for f in share/strata/configs/quickstart.yaml share/strata/analysis/figures \
         share/strata/examples/policy-plugin/meson.build share/doc/strata/LICENSE \
         share/bash-completion/completions/strata share/man/man5/strata-scenario.5; do
    [ -e "$root/$f" ] || fail "$f is not installed"
done

# Every installed header compiles on its own with pkg-config's flags.
for h in "$root"/include/strata/*.h; do
    echo "#include <strata/$(basename "$h")>" >"$tmp/h.c"
    # shellcheck disable=SC2046
    cc -std=c17 -Wall -Wextra -Werror -fsyntax-only $(pkg-config --cflags strata) "$tmp/h.c" \
        2>"$tmp/cc.err" || fail "$(basename "$h") does not compile alone: $(head -3 "$tmp/cc.err")"
done

# The example, built out of tree from the installed copy.
ex="$root/share/strata/examples/policy-plugin"
if ! meson setup "$tmp/ex" "$ex" >"$tmp/setup.log" 2>&1 || ! ninja -C "$tmp/ex" >"$tmp/ninja.log" 2>&1; then
    cat "$tmp/setup.log" "$tmp/ninja.log" | tail -20
    echo "FAIL: the example plugin does not build against the installed SDK"
    exit 1
fi
so="$tmp/ex/bwthresh.so"
[ -f "$so" ] || { echo "FAIL: no bwthresh.so"; exit 1; }

cd "$tmp"
"$bin" run "$ex/bwthresh.yaml" --set duration=60s --plugin "$so" --db r.db -q >out.txt 2>err.txt \
    || { cat err.txt; fail "the installed strata does not run the example with --plugin"; }
grep -qE '^bwthresh +[0-9]+ ' out.txt || fail "the table lacks the plugin policy"
[ "$(sqlite3 r.db "select group_concat(policy, ',') from (select policy from runs where status = 'ok' order by id)")" = "local,cloud,bwthresh" ] \
    || fail "the stored runs are not local, cloud and bwthresh"
sha=$(sha256sum "$so" | cut -d' ' -f1)
[ "$(sqlite3 r.db "select count(*) from runs where policy = 'bwthresh' and instr(config_text, '$sha') > 0")" = 1 ] \
    || fail "the stored run does not record the plugin's SHA-256"
[ "$(sqlite3 r.db "select count(*) from metrics m join runs r on r.id = m.run_id
      where r.policy = 'bwthresh' and m.name = 'requests' and m.value > 0")" = 1 ] \
    || fail "the plugin's run has no requests"
"$bin" policy info bwthresh --plugin "$so" | grep -q threshold_mbps || fail "policy info from the installed binary"
"$bin" report --db r.db --by policy >report.txt 2>&1 || fail "report: $(cat report.txt)"
for p in local cloud bwthresh; do
    grep -qE "^$p " report.txt || fail "the report does not compare $p"
done

# Bash completion completes commands, subcommands and each command's
# options (read from the installed binary's --help).
complete_words() {
    # shellcheck disable=SC1090,SC2034
    ( PATH="$root/bin:$PATH"; . "$root/share/bash-completion/completions/strata"
      COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _strata; printf '%s\n' "${COMPREPLY[@]}" )
}
complete_words strata ru | grep -qx run || fail "completion of 'strata ru'"
complete_words strata run --pl | grep -qx -- --plugin || fail "completion of 'strata run --pl'"
complete_words strata trace sy | grep -qx synth || fail "completion of 'strata trace sy'"
complete_words strata policy info lay | grep -qx layercake || fail "completion of 'strata policy info lay'"

# man finds the installed pages (scripts/bootstrap installs man-db).
for page in strata strata-run strata-policy; do
    MANPATH="$root/share/man" man -P cat "$page" 2>/dev/null | grep -q "$page" \
        || fail "man $page does not show the installed page"
done
MANPATH="$root/share/man" man -P cat 5 strata-scenario 2>/dev/null | grep -q plugins \
    || fail "man 5 strata-scenario"

lib_done
echo "install: ok (prefix $prefix)"
