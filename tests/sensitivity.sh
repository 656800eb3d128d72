#!/usr/bin/env bash
# The calibration's companions end to end: `migsim sensitivity` (Sobol' and
# Morris, with a what-if), `migsim targets import`, and calibrate's
# --profile and --noise-seeds; every bad request exits 2 with a located
# message and writes nothing.
# usage: sensitivity.sh MIGSIM SOURCE_DIR
set -u
migsim=$1
source_dir=$2
# shellcheck source=tests/lib.sh
. "$source_dir/tests/lib.sh"
cat >"$work/short.yaml" <<YAML
extends: $source_dir/scenarios/baseline.yaml
end: 2025-12-31
scale: 400
YAML
cat >"$work/fee.yaml" <<YAML
extends: short.yaml
name: fee
timeline:
  - {event: permit_fee, target: all, start: 2025-06-01, value: 60}
YAML
targets=(--targets "$source_dir/scenarios/targets/imws_round6.yaml")
free=(--free migrants.entry_rate:0.15:0.35 --free migrants.visit_rate:1:4)
expect 0 "sobol with a what-if" "$migsim" sensitivity "$work/short.yaml" "${targets[@]}" "${free[@]}" \
    --samples 4 --alt "$work/fee.yaml" -o "$work/sobol.h5"
contains "$work/out" "by Sobol': 16 runs of each scenario" "sobol design size N (d + 2)"
contains "$work/out" "effect (alternative minus base) of each figure" "what-if table"
/usr/bin/python3 -c "
import h5py
f = h5py.File('$work/sobol.h5', 'r')
assert f['design'].shape == (16, 2), f['design'].shape
assert f['first_order'].shape == (25, 2) and f['total_order'].shape == (25, 2)
assert f['effect_first_order'].shape == (25, 2)
d = f['design'][:]
assert (d[:, 0] >= 0.15).all() and (d[:, 0] <= 0.35).all()
assert f.attrs['method'] in (b'sobol', 'sobol')
" && ok || not_ok "sobol output"
expect 0 "morris" "$migsim" sensitivity "$work/short.yaml" "${targets[@]}" "${free[@]}" \
    --method morris --samples 2 -o "$work/morris.h5"
contains "$work/out" "by Morris: 6 runs" "morris design size r (d + 1)"
/usr/bin/python3 -c "
import h5py
f = h5py.File('$work/morris.h5', 'r')
assert f['mu_star'].shape == (25, 2) and f['sigma'].shape == (25, 2)
" && ok || not_ok "morris output"
# The report's chart reads the HDF5 file.
"$migsim" run "$work/short.yaml" --quiet -o "$work/run.h5" && ok || not_ok "run for the report"
expect 0 "report with a sensitivity chart" "$migsim" report "$work/run.h5" --sensitivity "$work/sobol.h5" -o "$work/report.html"
contains "$work/report.html" "indices of each figure: first-order / total" "sensitivity chart"
expect 2 "report with a foreign sensitivity file" "$migsim" report "$work/run.h5" --sensitivity "$work/run.h5" -o "$work/report2.html"
contains "$work/err" "run.h5: error: not a sensitivity analysis" "foreign sensitivity message"
[ ! -e "$work/report2.html" ] && ok || not_ok "report written despite a bad sensitivity file"
# Bad requests: exit 2, one message, nothing written.
bad_sensitivity() { # WHAT MESSAGE ARGS...
    local what=$1 message=$2
    shift 2
    expect 2 "$what" "$migsim" sensitivity "$work/short.yaml" "$@" -o "$work/bad.h5"
    contains "$work/err" "$message" "$what message"
    [ ! -e "$work/bad.h5" ] && ok || not_ok "$what wrote a file"
}
bad_sensitivity "unknown method" "--method expects sobol or morris, found 'saltelli'" "${targets[@]}" "${free[@]}" --method saltelli
bad_sensitivity "no range" "--free migrants.entry_rate: expected NAME:lo:hi" "${targets[@]}" --free migrants.entry_rate
bad_sensitivity "unknown parameter" "unknown parameter 'migrants.entry_rat'" "${targets[@]}" --free migrants.entry_rat:0:1
bad_sensitivity "odd levels" "--levels expects an even number" "${targets[@]}" "${free[@]}" --method morris --levels 3
cat >"$work/other.yaml" <<YAML
extends: short.yaml
scale: 300
YAML
bad_sensitivity "alternative of other dates" "other.yaml: error: differs from" "${targets[@]}" "${free[@]}" --alt "$work/other.yaml"
bad_sensitivity "bad targets" "nothing.yaml" --targets "$work/nothing.yaml" "${free[@]}"

# targets import: a table of figures into a targets file that calibrate uses.
cat >"$work/round.csv" <<'CSV'
id,statistic,key,date,from,to,value,sd,lower,upper,at_least,survey,sample,role,unit,description,source
stock,migrant_stock,,2025-10-15,,,560000,8400,,,,,,fit,persons,"Migrant workers present, mid-October",S01
uzb,origin_share,UZB,2025-10-15,,,85,0.75,,,,,,input,%,Origin share Uzbekistan,S05
visits,visited_home_6m,,2025-10-15,,,60,,,,,1557,2115,fit,%,Visited home within six months,S15
climate,climate_move_share,,,2025-01-01,2025-06-30,,,5,20,,,,validate,%,Climate share of internal moves,"S37, S38"
send,send_51_75_share,,2025-10-15,,,,2,,,43,,2115,validate,%,Send 51-75% of earnings,S28
CSV
expect 0 "targets import" "$migsim" targets import "$work/round.csv" -o "$work/round.yaml"
contains "$work/round.yaml" "uncertainty: {interval: [5, 20]}" "interval imported"
contains "$work/round.yaml" "role: validate" "role imported"
expect 0 "imported targets calibrate" "$migsim" calibrate "$work/short.yaml" --targets "$work/round.yaml" \
    --free migrants.entry_rate:0.15:0.35 --budget 3 -o "$work/fit"
contains "$work/out" "fit figures within tolerance" "fit table of imported targets"
contains "$work/out" "validation figures:" "validation counted apart"
bad_row() { # NAME LINE EXPECTED
    printf 'id,statistic,key,date,value,sd,survey,sample,role\n%s\n' "$2" >"$work/$1.csv"
    expect 2 "import $1" "$migsim" targets import "$work/$1.csv" -o "$work/$1.yaml"
    contains "$work/err" "$3" "import $1 message"
    [ ! -e "$work/$1.yaml" ] && ok || not_ok "import $1 wrote a file"
}
bad_row unknown_statistic "a,stock,,2025-01-15,5,1,,," "unknown_statistic.csv:2:3: error: unknown statistic 'stock'"
bad_row bad_date "a,migrant_stock,,2025-13-15,5,1,,," "bad_date.csv:2:18: error: expected a date YYYY-MM-DD, found '2025-13-15'"
bad_row no_uncertainty "a,migrant_stock,,2025-01-15,5,,,," "no_uncertainty.csv:2:1: error: figure 'a' has no uncertainty"
bad_row bad_value "a,remitter_share,,2025-01-15,150,1,,," "bad_value.csv:2:30: error: 'value' is 150, expected a value in [0, 100]"
bad_row bad_role "a,migrant_stock,,2025-01-15,5,1,,,fitted" "bad_role.csv:2:35: error: 'role' expects fit, validate or input, found 'fitted'"
bad_row missing_key "a,origin_share,,2025-01-15,5,1,,," "missing_key.csv:2:16: error: this statistic expects a 'key'"
bad_row census_sample "a,migrant_stock,,2025-01-15,5,1,,100," "census_sample.csv:2:34: error: statistic 'migrant_stock' is not a survey statistic"
printf 'id,statistic,date,value,sd\na,migrant_stock,2025-01-15,5,1\na,migrant_stock,2025-01-15,5,1\n' >"$work/twice.csv"
expect 2 "import duplicate id" "$migsim" targets import "$work/twice.csv" -o "$work/twice.yaml"
contains "$work/err" "twice.csv:3:1: error: duplicate figure id 'a'" "duplicate id message"
printf 'name,value\na,1\n' >"$work/header.csv"
expect 2 "import without the columns" "$migsim" targets import "$work/header.csv" -o "$work/header.yaml"
contains "$work/err" "header.csv:1:1: error: expected a column named 'id'" "missing column message"
expect 2 "import without -o" "$migsim" targets import "$work/round.csv"

# calibrate: the objective's profile and its noise over seeds, in the trace.
expect 0 "calibrate --profile --noise-seeds" "$migsim" calibrate "$work/short.yaml" "${targets[@]}" \
    "${free[@]}" --budget 6 --profile 3 --noise-seeds 3 -o "$work/prof"
contains "$work/out" "objective profile (a slice along each parameter" "profile table"
contains "$work/out" "objective at the fit over 3 seeds" "noise line"
/usr/bin/python3 -c "
import h5py
f = h5py.File('$work/prof.h5', 'r')
assert f['profile_objective'].shape == (2, 3)
assert f.attrs['objective_noise_sd'] >= 0
assert list(f['target_role'][:]).count(0) == 12, list(f['target_role'][:])
" && ok || not_ok "profile in the trace"
# ABC-SMC's posterior predictive check: a band for every figure, counted by role.
expect 0 "calibrate --predictive" "$migsim" calibrate "$work/short.yaml" "${targets[@]}" "${free[@]}" \
    --method abc-smc --particles 4 --budget 12 --predictive 4 -o "$work/pred"
contains "$work/out" "posterior predictive check (4 draws from the posterior" "predictive table"
contains "$work/out" "inside their predictive band: fit" "predictive summary"
/usr/bin/python3 -c "
import h5py
f = h5py.File('$work/pred.h5', 'r')
assert f['predictive_q05'].shape == (25,) and (f['predictive_q05'][:] <= f['predictive_q95'][:]).all()
assert f['posterior_correlation'].shape == (2, 2)
" && ok || not_ok "predictive bands and posterior in the trace"
"$migsim" run "$work/short.yaml" --quiet -o "$work/run2.h5" && ok || not_ok "run for the fit chart"
expect 0 "report with predictive bands" "$migsim" report "$work/run2.h5" --calibration "$work/pred.h5" -o "$work/fit.html"
contains "$work/fit.html" "posterior predictive 90% band of the observation:" "predictive bands drawn"
# The report's comparison pairs runs as compare does: another seed is refused.
"$migsim" run "$work/short.yaml" --quiet --seed 5 -o "$work/seed5.h5" && ok || not_ok "run with another seed"
expect 2 "report comparing unpaired runs" "$migsim" report "$work/run2.h5" --compare "$work/seed5.h5" -o "$work/unpaired.html"
contains "$work/err" "differs from $work/run2.h5 in its dates, dimensions, seed or replicates" "unpaired report message"
expect 2 "predictive without a posterior" "$migsim" calibrate "$work/short.yaml" "${targets[@]}" "${free[@]}" --predictive 4 -o "$work/x"
contains "$work/err" "--predictive draws from a posterior; it goes with --method abc-smc" "predictive message"
expect 2 "budget below the first simplex" "$migsim" calibrate "$work/short.yaml" "${targets[@]}" "${free[@]}" --budget 2 -o "$work/x"
contains "$work/err" "--budget 2 is smaller than Nelder-Mead's first simplex (3 evaluations for 2 parameters)" "budget message"
expect 2 "calibrate --min-acceptance 2" "$migsim" calibrate "$work/short.yaml" "${targets[@]}" "${free[@]}" --min-acceptance 2 -o "$work/x"

finish sensitivity
