#!/usr/bin/env bash
# The report: self-contained, rendered in headless Chromium with every chart,
# and clear errors for foreign inputs.
# usage: report.sh MIGSIM SOURCE_DIR
set -u
migsim=$1
source_dir=$2
# shellcheck source=tests/lib.sh
. "$source_dir/tests/lib.sh"
"$migsim" run "$source_dir/scenarios/baseline.yaml" --scale 100 --replicates 2 -o "$work/base.h5" --quiet
"$migsim" run "$source_dir/scenarios/doubled_permit_fee.yaml" --scale 100 --replicates 2 -o "$work/fee.h5" --quiet
printf 'extends: %s/scenarios/baseline.yaml\nend: 2025-12-31\nscale: 400\n' "$source_dir" >"$work/short.yaml"
"$migsim" calibrate "$work/short.yaml" --targets "$source_dir/scenarios/targets/imws_round6.yaml" \
    --free migrants.entry_rate:0.15:0.35 --method abc-smc --particles 4 --budget 8 -o "$work/cal" >/dev/null
"$migsim" run "$source_dir/scenarios/border_closure_tajikistan.yaml" --scale 100 --replicates 2 -o "$work/border.h5" --quiet
expect 0 "report" "$migsim" report "$work/base.h5" --compare "$work/fee.h5" --calibration "$work/cal.h5" -o "$work/report.html"
contains "$work/out" "wrote $work/report.html" "report names its file"
expect 0 "plain report" "$migsim" report "$work/base.h5" -o "$work/plain.html"

# Self-contained: nothing outside the file is referenced, and no scripts.
if grep -qiE '<script|<link|<img|<iframe|src=|href=|url\(|@import' "$work/report.html"; then
    not_ok "the report references something outside itself"
else ok; fi
grep -q '<svg' "$work/report.html" && ok || not_ok "no inline SVG"

# Rendered by a real browser.
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    not_ok "chromium is not installed (bash .ci/setup installs it)"
else
    flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
           --disable-background-networking --disable-component-update --disable-sync
           --user-data-dir="$work/profile" --hide-scrollbars --enable-logging=stderr --v=0)
    timeout 120 "$browser" "${flags[@]}" --window-size=1000,5200 --screenshot="$work/shot.png" \
        "file://$work/report.html" >/dev/null 2>"$work/console.log"
    timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$work/report.html" \
        >"$work/dom.html" 2>>"$work/console.log"
    /usr/bin/python3 "$source_dir/tests/browser_check.py" "$work/shot.png" "$work/dom.html" \
        "$work/console.log" 10 && ok || not_ok "browser rendering"
    # Several options against one baseline: one headline table, a line each.
    expect 0 "report with two options" "$migsim" report "$work/base.h5" --compare "$work/fee.h5" \
        --compare "$work/border.h5" -o "$work/options.html"
    timeout 120 "$browser" "${flags[@]}" --window-size=1000,5200 --screenshot="$work/options.png" \
        "file://$work/options.html" >/dev/null 2>"$work/console2.log"
    timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$work/options.html" \
        >"$work/options-dom.html" 2>>"$work/console2.log"
    /usr/bin/python3 "$source_dir/tests/browser_check.py" "$work/options.png" \
        "$work/options-dom.html" "$work/console2.log" 9 && ok || not_ok "browser rendering, options"
    /usr/bin/python3 - "$work/options-dom.html" <<'PY' && ok || not_ok "options table"
import re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
table = re.search(r'<table class="options".*?</table>', dom, flags=re.S).group(0)
rows = re.findall(r"<tr>", table)
assert len(rows) == 4, rows  # the header, the baseline and two options
assert "doubled_permit_fee" in table and "border_closure_tajikistan" in table
chart = re.search(r'<svg[^>]*aria-labelledby="compare-0-title.*?</svg>', dom, flags=re.S).group(0)
assert len(re.findall(r'stroke-width="2"', chart)) == 2, "one line per option"
# The map: Kazakhstan's outline and its neighbours', flows through the border.
svg = re.search(r'<svg[^>]*aria-labelledby="map-title.*?</svg>', dom, flags=re.S).group(0)
assert len(re.findall(r'fill="#fffdf6"', svg)) >= 1, "no outline of Kazakhstan"
assert len(re.findall(r'fill="#ecebe6"', svg)) >= 10, "too few neighbours"
assert "arrivals entering here" in svg and "Natural Earth" in dom
# Remittances: one panel per origin, each with its own axis.
svg = re.search(r'<svg[^>]*aria-labelledby="remittances-title.*?</svg>', dom, flags=re.S).group(0)
assert len(re.findall(r'USD over the run', svg)) == 6, "one panel per origin"
assert len(re.findall(r'class="axis"', svg)) == 6
PY
fi

# Foreign inputs: exit 2 with one clear message, nothing written or replaced.
echo "keep" >"$work/existing.html"
echo "plain text" >"$work/text.h5"
expect 2 "not HDF5" "$migsim" report "$work/text.h5" -o "$work/existing.html"
contains "$work/err" "text.h5: error: not an HDF5 file" "not HDF5 message"
/usr/bin/python3 -c "import h5py; h5py.File('$work/other.h5', 'w').create_dataset('x', data=[1])"
expect 2 "foreign HDF5" "$migsim" report "$work/other.h5" -o "$work/existing.html"
contains "$work/err" "other.h5: error: no variable 'origin'" "missing variable message"
/usr/bin/python3 - "$work/base.h5" "$work/broken.h5" <<'PY'
import shutil, sys, h5py
shutil.copy(sys.argv[1], sys.argv[2])
with h5py.File(sys.argv[2], "a") as f:
    del f["migrant_stock"]
    f.create_dataset("migrant_stock", data=[1.0, 2.0])
PY
expect 2 "wrong dimensions" "$migsim" report "$work/broken.h5" -o "$work/existing.html"
contains "$work/err" "'migrant_stock' has 1 dimensions, expected 4" "wrong dimensions message"
expect 2 "a run as calibration" "$migsim" report "$work/base.h5" --calibration "$work/base.h5" -o "$work/existing.html"
contains "$work/err" "expected a calibration trace" "calibration message"
expect 2 "different shapes" "$migsim" report "$work/fee.h5" --compare "$work/cal.h5" -o "$work/existing.html"
expect 2 "seven options" "$migsim" report "$work/base.h5" --compare "$work/fee.h5" --compare "$work/fee.h5" \
    --compare "$work/fee.h5" --compare "$work/fee.h5" --compare "$work/fee.h5" --compare "$work/fee.h5" \
    --compare "$work/fee.h5" -o "$work/existing.html"
[ "$(cat "$work/existing.html")" = "keep" ] && ok || not_ok "an existing report was replaced"
ls "$work" | grep -q '\.tmp-' && not_ok "temporary file left behind" || ok
expect 2 "missing output" "$migsim" report "$work/base.h5"

finish report
