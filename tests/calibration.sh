#!/usr/bin/env bash
# `migsim calibrate` end to end: both methods write a calibrated scenario
# that loads and a trace that opens; sequential rounds; bad requests exit 2.
# usage: calibration.sh MIGSIM SOURCE_DIR
set -u
migsim=$1
source_dir=$2
# shellcheck source=tests/lib.sh
. "$source_dir/tests/lib.sh"
# A one-year scenario at a small scale keeps each simulation short.
cat >"$work/short.yaml" <<YAML
extends: $source_dir/scenarios/baseline.yaml
end: 2025-12-31
scale: 200
YAML
targets=(--targets "$source_dir/scenarios/targets/bma_round5.yaml" --targets "$source_dir/scenarios/targets/imws_round6.yaml")
expect 0 "nelder-mead" "$migsim" calibrate "$work/short.yaml" "${targets[@]}" \
    --free migrants.entry_rate:0.15:0.35 --free migrants.visit_rate:1:4 --budget 12 -o "$work/nm"
contains "$work/out" "nelder-mead: 12 evaluations" "evaluation budget"
contains "$work/out" "fit of the calibrated scenario" "fit table"
expect 0 "calibrated scenario is valid" "$migsim" check "$work/nm.yaml"
grep -q "^extends: short.yaml" "$work/nm.yaml" && ok || not_ok "calibrated scenario extends its input"
/usr/bin/python3 -c "
import h5py, sys
f = h5py.File('$work/nm.h5', 'r')
assert f['parameters'].shape == (12, 2), f['parameters'].shape
assert f.attrs['method'] == b'nelder-mead' or f.attrs['method'] == 'nelder-mead'
assert f['simulated'].shape[1] == 27
" && ok || not_ok "nelder-mead trace"
expect 0 "abc-smc" "$migsim" calibrate "$work/short.yaml" "${targets[@]}" \
    --free migrants.entry_rate:0.15:0.35 --free migrants.entry_propensity.RUS:0.5:3 \
    --method abc-smc --particles 6 --budget 20 -o "$work/abc"
contains "$work/out" "abc-smc: generation 1 accepted 6 particles" "two generations"
contains "$work/out" "posterior (6 particles, effective sample size" "posterior"
contains "$work/out" "correlations" "posterior correlations"
grep -q "entry_propensity: {RUS: " "$work/abc.yaml" && ok || not_ok "by-origin value written"
expect 0 "calibrated abc scenario is valid" "$migsim" check "$work/abc.yaml"
expect 0 "sequential round" "$migsim" calibrate "$work/short.yaml" \
    --targets "$source_dir/scenarios/targets/imws_round6.yaml" \
    --free migrants.entry_rate:0.15:0.35 --free migrants.entry_propensity.RUS:0.5:3 \
    --method abc-smc --particles 6 --budget 8 --prior "$work/abc.h5" -o "$work/round6"
# Bad requests and bad targets: exit 2 with a clear message.
expect 2 "unknown parameter" "$migsim" calibrate "$work/short.yaml" "${targets[@]}" --free migrants.entry_rat -o "$work/x"
contains "$work/err" "unknown parameter 'migrants.entry_rat'" "unknown parameter message"
expect 2 "inverted bounds" "$migsim" calibrate "$work/short.yaml" "${targets[@]}" --free migrants.entry_rate:0.5:0.1 -o "$work/x"
expect 2 "a third bound" "$migsim" calibrate "$work/short.yaml" "${targets[@]}" --free migrants.entry_rate:0.1:0.5:9 -o "$work/x"
expect 2 "unknown origin" "$migsim" calibrate "$work/short.yaml" "${targets[@]}" --free migrants.entry_propensity.XXX:0.2:1 -o "$work/x"
contains "$work/err" "unknown origin code 'XXX'" "unknown origin message"
[ ! -e "$work/x.yaml" ] && ok || not_ok "a refused calibration wrote its output"
expect 2 "no targets" "$migsim" calibrate "$work/short.yaml" --free migrants.entry_rate -o "$work/x"
expect 2 "no output" "$migsim" calibrate "$work/short.yaml" "${targets[@]}" --free migrants.entry_rate
expect 2 "prior with nelder-mead" "$migsim" calibrate "$work/short.yaml" "${targets[@]}" --free migrants.entry_rate --prior "$work/abc.h5" -o "$work/x"
expect 2 "prior not a trace" "$migsim" calibrate "$work/short.yaml" "${targets[@]}" --free migrants.entry_rate --method abc-smc --prior "$work/short.yaml" -o "$work/x"
bad() { # NAME BODY EXPECTED
    printf 'figures:\n  - id: x\n%s' "$2" >"$work/$1.yaml"
    expect 2 "targets $1" "$migsim" calibrate "$work/short.yaml" --targets "$work/$1.yaml" --free migrants.entry_rate -o "$work/x"
    contains "$work/err" "$3" "targets $1 message"
}
bad unknown_statistic $'    statistic: stock\n    date: 2025-01-15\n    value: 1\n    uncertainty: {sd: 1}\n' "unknown_statistic.yaml:3:16: error: figure 'x': unknown statistic 'stock'"
bad impossible_value $'    statistic: remitter_share\n    date: 2025-01-15\n    value: 150\n    uncertainty: {sd: 1}\n' "impossible_value.yaml:2:5: error: figure 'x': an impossible value for 'remitter_share'"
bad inverted $'    statistic: remitter_share\n    date: 2025-01-15\n    uncertainty: {interval: [30, 20]}\n' "inverted.yaml:5:30: error: 'interval' is inverted"
bad outside_run $'    statistic: migrant_stock\n    date: 2029-01-15\n    value: 1\n    uncertainty: {sd: 1}\n' "outside_run.yaml:4:11: error: figure 'x' is dated outside the run"
bad sample_on_census $'    statistic: migrant_stock\n    date: 2025-01-15\n    value: 1\n    sample: 100\n    uncertainty: {sd: 1}\n' "is not a survey statistic"

finish calibration
