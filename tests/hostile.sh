#!/usr/bin/env bash
# Hostile HDF5 inputs to report, compare, merge and --resume: hand-made
# violations of the output contract are refused with exit 2 and one line
# naming the file; files with random bytes overwritten are read or refused,
# never crash (exit 0 or 2).
# usage: hostile.sh MIGSIM SOURCE_DIR [FLIPS]
set -u
migsim=$1
source_dir=$2
flips=${3:-15}
# shellcheck source=tests/lib.sh
. "$source_dir/tests/lib.sh"
cat >"$work/short.yaml" <<YAML
extends: $source_dir/scenarios/baseline.yaml
end: 2024-06-30
scale: 400
YAML
printf 'figures:\n  - id: a\n    statistic: migrant_stock\n    date: 2024-01-15\n    value: 500000\n    tolerance: {relative: 0.5}\n' >"$work/t.yaml"
printf 'targets: %s\n' "$work/t.yaml" >>"$work/short.yaml"
"$migsim" run "$work/short.yaml" --quiet --replicate 0 -o "$work/m0.h5" || not_ok "member 0"
"$migsim" run "$work/short.yaml" --quiet --replicate 1 -o "$work/m1.h5" || not_ok "member 1"
"$migsim" run "$work/short.yaml" --quiet -o "$work/run.h5" --checkpoint-every 8w \
    --checkpoint "$work/keep.ckpt" &
pid=$!
for _ in $(seq 1 1000); do [ -f "$work/keep.ckpt" ] && break; sleep 0.01; done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
/usr/bin/python3 "$source_dir/tests/hostile_h5.py" "$work/m0.h5" "$work/bad" "$flips" ||
    not_ok "could not make the hostile files"
[ -f "$work/keep.ckpt" ] && /usr/bin/python3 "$source_dir/tests/hostile_h5.py" "$work/keep.ckpt" \
    "$work/badckpt" "$flips" 2>/dev/null

for file in "$work"/bad/hand-*.h5; do
    name=$(basename "$file")
    expect 2 "report $name" "$migsim" report "$file" -o "$work/r.html"
    [ "$(wc -l <"$work/err")" -eq 1 ] && ok || not_ok "report $name: not one line: $(cat "$work/err")"
    contains "$work/err" "$file: error: " "report $name names the file"
    expect 2 "compare $name" "$migsim" compare "$work/m0.h5" "$file"
    expect 2 "merge $name" "$migsim" merge "$work/m1.h5" "$file" -o "$work/merged.h5"
done
crashes=0
for file in "$work"/bad/flip-*.h5 "$work"/badckpt/flip-*.h5; do
    [ -f "$file" ] || continue
    for command in report compare merge resume; do
        case $command in
        report) "$migsim" report "$file" -o "$work/r.html" >/dev/null 2>"$work/err" ;;
        compare) "$migsim" compare "$work/m0.h5" "$file" -o "$work/c.h5" >/dev/null 2>"$work/err" ;;
        merge) "$migsim" merge "$work/m1.h5" "$file" -o "$work/merged.h5" >/dev/null 2>"$work/err" ;;
        resume) "$migsim" run "$work/short.yaml" --quiet -o "$work/resumed.h5" --resume "$file" \
            >/dev/null 2>"$work/err" ;;
        esac
        code=$?
        if [ $code -eq 0 ] || [ $code -eq 2 ]; then ok; else
            crashes=$((crashes + 1))
            not_ok "$command $(basename "$(dirname "$file")")/$(basename "$file"): exit $code ($(head -c 200 "$work/err"))"
        fi
    done
done
echo "hostile: $crashes crashes"
finish hostile
