#!/usr/bin/env bash
# The worked examples, the reference scenario, common random numbers, and
# `migsim compare`.
# usage: scenarios.sh MIGSIM SOURCE_DIR
set -u
migsim=$1
source_dir=$2
# shellcheck source=tests/lib.sh
. "$source_dir/tests/lib.sh"
# The data files built from sourced tables are up to date with them.
for tool in regional_economy origin_routes; do
    /usr/bin/python3 "$source_dir/scenarios/data/tools/$tool.py" --check &&
        ok || not_ok "scenarios/data is out of date: run python3 scenarios/data/tools/$tool.py"
done
# README's table of provenances is the output of params --provenance.
"$migsim" params --provenance >"$work/provenance.md"
sed -n '/^<!-- migsim params --provenance -->$/,/^<!-- end of migsim params --provenance -->$/p' \
    "$source_dir/README.md" | sed '1d;$d' >"$work/readme-provenance.md"
if diff -q "$work/provenance.md" "$work/readme-provenance.md" >/dev/null; then ok; else
    not_ok "README.md's provenance table is out of date: paste migsim params --provenance"
fi
# Every shipped scenario is valid, and the reference is generated from the table.
for scenario in "$source_dir"/scenarios/*.yaml; do
    expect 0 "check $(basename "$scenario")" "$migsim" check "$scenario"
done
"$migsim" params --yaml >"$work/reference.yaml"
if diff -q "$work/reference.yaml" "$source_dir/scenarios/reference.yaml" >/dev/null; then ok; else
    not_ok "scenarios/reference.yaml is out of date: run migsim params --yaml > scenarios/reference.yaml"
fi

# Same seed: identical before the first event, different after.
run() { "$migsim" run "$source_dir/scenarios/$1.yaml" --scale 50 --quiet -o "$work/$2.h5" "${@:3}"; }
run baseline base && ok || not_ok "baseline run"
run doubled_permit_fee fee && ok || not_ok "doubled_permit_fee run"
/usr/bin/python3 "$source_dir/tests/check_prefix.py" "$work/base.h5" "$work/fee.h5" 2026-01-01 &&
    ok || not_ok "common random numbers before the first event"
run aral_drought drought && ok || not_ok "aral_drought run"
/usr/bin/python3 "$source_dir/tests/check_prefix.py" "$work/base.h5" "$work/drought.h5" 2025-09-01 &&
    ok || not_ok "common random numbers before the drought"

# The comparison table, by dimension, and its HDF5 file.
expect 0 "compare" "$migsim" compare "$work/base.h5" "$work/fee.h5"
contains "$work/out" "migrant workers present" "compare table"
expect 0 "compare by origin at a date" "$migsim" compare "$work/base.h5" "$work/fee.h5" --by origin --at 2026-06-30 -o "$work/diff.h5"
contains "$work/out" "up to the step ending 2026-07-05" "compare --at"
contains "$work/out" "remittances since start (USD)    TJK" "compare by origin"
ncdump -h "$work/diff.h5" | grep -q 'double migrant_stock(time, origin, region)' && ok || not_ok "difference file"
expect 0 "compare by region" "$migsim" compare "$work/base.h5" "$work/drought.h5" --by region
contains "$work/out" "internal moves out since start   KZY" "compare by region"
expect 0 "compare by sector" "$migsim" compare "$work/base.h5" "$work/fee.h5" --by sector
# Replicates: paired differences with a 90% interval.
run baseline base3 --replicates 3 --scale 200 && ok || not_ok "replicates run"
run doubled_permit_fee fee3 --replicates 3 --scale 200 && ok || not_ok "replicates run"
expect 0 "compare replicates" "$migsim" compare "$work/base3.h5" "$work/fee3.h5"
contains "$work/out" "90% CI of the mean   90% prediction interval" "replicate interval"
# Runs with different seeds do not pair: refused.
run baseline base3b --replicates 3 --scale 200 --seed 99 && ok || not_ok "replicates run, other seed"
expect 2 "compare unpaired runs" "$migsim" compare "$work/base3b.h5" "$work/fee3.h5"
contains "$work/err" "differs from $work/base3b.h5 in its seed (the replicates would not pair)" "unpaired message"
# Bad inputs: exit 2 with one clear message.
echo "not hdf5" >"$work/text.h5"
expect 2 "compare a text file" "$migsim" compare "$work/base.h5" "$work/text.h5"
contains "$work/err" "text.h5: error: not an HDF5 file" "foreign file message"
/usr/bin/python3 -c "import h5py; h5py.File('$work/empty.h5', 'w').create_dataset('x', data=[1])"
expect 2 "compare an HDF5 file of something else" "$migsim" compare "$work/empty.h5" "$work/base.h5"
contains "$work/err" "empty.h5: error: no variable 'origin'; expected a migsim output file" "missing variable message"
expect 2 "compare different shapes" "$migsim" compare "$work/base.h5" "$work/base3.h5"
contains "$work/err" "differs from" "shape message"
expect 2 "compare --by" "$migsim" compare "$work/base.h5" "$work/fee.h5" --by planet
expect 2 "compare --at" "$migsim" compare "$work/base.h5" "$work/fee.h5" --at 2031-01-01
expect 2 "compare one file" "$migsim" compare "$work/base.h5"

finish scenarios
