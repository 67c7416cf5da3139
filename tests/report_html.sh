#!/usr/bin/env bash
# report_html.sh - `strata report --format html` on a database with two
# configurations and two policies: one self-contained page (no external
# resources, the same bytes every time) that a real browser (headless
# Debian chromium) renders with the comparison table, one inline SVG
# figure per metric, and every run's configuration behind a click.  Skips
# (77) only when chromium is not installed.
set -eu
. "$(dirname "$0")/lib.sh"
lib_need STRATA STRATA_SRC
lib_need_tool chromium "chromium not installed (Debian: chromium; scripts/bootstrap installs it)"
browser=$(command -v chromium)
lib_tmp
cd "$tmp"
lib_fail_exits
qs=$STRATA_SRC/configs/quickstart.yaml
short=(--set 'duration=120 s' --set 'warmup=10 s')
"$STRATA" run "$qs" "${short[@]}" --db study.db -q >/dev/null
"$STRATA" run "$qs" "${short[@]}" --seed 2 --db study.db -q >/dev/null
"$STRATA" run "$qs" "${short[@]}" --set devices.0.count=50 --db study.db -q >/dev/null

"$STRATA" report --db study.db --format html -o report.html
"$STRATA" report --db study.db --format html -o again.html
cmp -s report.html again.html || fail "the page differs between two reports"
! grep -qiE '(src|href)=' report.html || fail "the page loads external resources"

chrome() {
    "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run \
        --user-data-dir="$(mktemp -d -p "$tmp")" "$@" 2>>chrome.err
}
chrome --dump-dom "file://$tmp/report.html" >dom.html
chrome --window-size=1200,2000 --screenshot="$tmp/shot.png" "file://$tmp/report.html" >/dev/null
[ -s dom.html ] || fail "chromium rendered nothing: $(tail -3 chrome.err)"

# the table: a header and one row per configuration (2 policies x 2)
tr=$(sed -n '/<table class="comparison">/,/<\/table>/p' dom.html | grep -c '<tr>')
[ "$tr" = 5 ] || fail "the comparison table has $tr rows, not 5"
grep -q '<th>devices.0.count</th>' dom.html || fail "the differing key is no column"
grep -q '± ' dom.html || fail "no confidence intervals in the table"
# the figures: one inline SVG per headline metric, with drawn paths
figs=$(grep -c '<figure class="plot">' dom.html)
[ "$figs" = 5 ] || fail "$figs figures, not 5"
[ "$(grep -c '<svg' dom.html)" = 5 ] || fail "not every figure is an inline SVG"
[ "$(grep -o '<polyline' dom.html | wc -l)" -gt 50 ] || fail "the SVGs draw nothing"
grep -q '>slo_attainment</tspan>' dom.html || fail "no figure is titled by its metric"
# each figure's clip paths are its own
[ "$(grep -o 'id="fig[0-9]*-text-clipping0"' dom.html | sort -u | wc -l)" = 5 ] \
    || fail "the figures share element ids"
# every run behind a click: 6 runs, each with its whole configuration
[ "$(grep -c '<details class="group">' dom.html)" = 4 ]
[ "$(grep -c '<summary>.*quickstart.yaml</summary><pre>name: quickstart' dom.html)" = 6 ] \
    || fail "not every run's configuration is in the page"
grep -q 'devices.0.count=50' dom.html || fail "the override is not shown"
# and chromium painted it
[ "$(head -c 8 shot.png | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] \
    && [ "$(stat -c %s shot.png)" -gt 20000 ] || fail "no screenshot of the page"
echo "report html ok"
