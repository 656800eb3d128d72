#!/usr/bin/env bash
# Hostile HDF5 inputs to report, compare, merge, export and --resume, and
# the traces read by calibrate --prior, report --calibration and report
# --sensitivity: hand-made violations of the output contract are refused
# with exit 2 and one line naming the file (and, where the case says, what
# is wrong), nothing written; files with random bytes overwritten are read
# or refused, never crash (exit 0 or 2).
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
# A checkpoint to damage: the run is stopped (then killed) once it has
# written one; a short run may finish first and remove it, so try again.
for _ in 1 2 3 4 5; do
    "$migsim" run "$work/short.yaml" --quiet -o "$work/run.h5" --checkpoint-every 4w \
        --checkpoint "$work/live.ckpt" &
    pid=$!
    for _ in $(seq 1 1000); do [ -f "$work/live.ckpt" ] && break; sleep 0.005; done
    kill -STOP "$pid" 2>/dev/null
    cp "$work/live.ckpt" "$work/keep.ckpt" 2>/dev/null
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    [ -f "$work/keep.ckpt" ] && break
done
rm -f "$work"/live.ckpt* # the killed run's debris
[ -f "$work/keep.ckpt" ] && ok || not_ok "no checkpoint to damage"
/usr/bin/python3 "$source_dir/tests/hostile_h5.py" "$work/m0.h5" "$work/bad" "$flips" ||
    not_ok "could not make the hostile files"
/usr/bin/python3 "$source_dir/tests/hostile_h5.py" "$work/keep.ckpt" "$work/badckpt" "$flips" ||
    not_ok "could not make the hostile checkpoints"
expect 0 "resume from the intact checkpoint" "$migsim" run "$work/short.yaml" --quiet \
    -o "$work/resumed.h5" --resume "$work/keep.ckpt"

# The piece of the message a case expects (from expect.tsv), or nothing.
expected() { # DIR FILE
    awk -F '\t' -v f="$(basename "$2")" '$1 == f { print $2 }' "$1/expect.tsv"
}
# One line naming the file (and what is wrong, where known), not the guard's
# report of a crash in a child, and nothing written.
refused() { # WHAT FILE DIR OUTPUT
    [ "$(wc -l <"$work/err")" -eq 1 ] && ok || not_ok "$1: not one line: $(cat "$work/err")"
    contains "$work/err" "$2: error: " "$1 names the file"
    grep -q "the file is damaged" "$work/err" && not_ok "$1: a crash in the guarded read: $(cat "$work/err")"
    local message
    message=$(expected "$3" "$2")
    [ -z "$message" ] || contains "$work/err" "$message" "$1 says what is wrong"
    [ -z "$4" ] || { [ ! -e "$4" ] && ok || not_ok "$1: $4 was written"; }
}

clean() { rm -rf "$work/r.html" "$work/e.xlsx" "$work/ecsv" "$work/resumed2.h5" "$work"/round.*; }
for file in "$work"/bad/hand-*.h5; do
    name=$(basename "$file")
    clean
    expect 2 "report $name" "$migsim" report "$file" -o "$work/r.html"
    refused "report $name" "$file" "$work/bad" "$work/r.html"
    expect 2 "compare $name" "$migsim" compare "$work/m0.h5" "$file"
    expect 2 "merge $name" "$migsim" merge "$work/m1.h5" "$file" -o "$work/merged.h5"
    expect 2 "export $name" "$migsim" export "$file" -o "$work/e.xlsx"
    refused "export $name" "$file" "$work/bad" "$work/e.xlsx"
    expect 2 "export --compare $name" "$migsim" export "$work/m0.h5" --compare "$file" -o "$work/ecsv"
    refused "export --compare $name" "$file" "$work/bad" "$work/ecsv"
done
# Root attributes only the export reads: each must be one text or number.
ls "$work"/bad/export-*.h5 >/dev/null 2>&1 && ok || not_ok "no hostile files for export"
for file in "$work"/bad/export-*.h5; do
    name=$(basename "$file")
    clean
    expect 2 "export $name" "$migsim" export "$file" -o "$work/e.xlsx"
    refused "export $name" "$file" "$work/bad" "$work/e.xlsx"
    expect 2 "export $name to CSV" "$migsim" export "$file" -o "$work/ecsv"
    refused "export $name to CSV" "$file" "$work/bad" "$work/ecsv"
done
expect 0 "export of an intact file" "$migsim" export "$work/m0.h5" -o "$work/intact.xlsx"
# Checkpoints: sizes, element sizes and attributes, refused by --resume.
ls "$work"/badckpt/hand-*.h5 >/dev/null 2>&1 && ok || not_ok "no hostile checkpoints"
for file in "$work"/badckpt/hand-*.h5; do
    name=$(basename "$file")
    clean
    expect 2 "resume $name" "$migsim" run "$work/short.yaml" --quiet -o "$work/resumed2.h5" \
        --resume "$file"
    refused "resume $name" "$file" "$work/badckpt" "$work/resumed2.h5"
done

# Traces: an ABC-SMC calibration (for calibrate --prior and report
# --calibration) and a sensitivity analysis (report --sensitivity).
free=(--free migrants.entry_rate:0.15:0.35 --free migrants.visit_rate:1:4)
"$migsim" calibrate "$work/short.yaml" --targets "$work/t.yaml" "${free[@]}" --method abc-smc \
    --particles 4 --budget 12 -o "$work/abc" >/dev/null || not_ok "calibration trace"
"$migsim" sensitivity "$work/short.yaml" --targets "$work/t.yaml" "${free[@]}" --samples 2 \
    -o "$work/sens.h5" >/dev/null || not_ok "sensitivity file"
prior() { # PRIOR: a second round from PRIOR
    "$migsim" calibrate "$work/short.yaml" --targets "$work/t.yaml" "${free[@]}" \
        --method abc-smc --particles 4 --budget 8 --prior "$1" -o "$work/round"
}
expect 0 "an intact prior" prior "$work/abc.h5"
expect 0 "an intact calibration trace" "$migsim" report "$work/m0.h5" --calibration "$work/abc.h5" \
    -o "$work/r.html"
expect 0 "an intact sensitivity file" "$migsim" report "$work/m0.h5" --sensitivity "$work/sens.h5" \
    -o "$work/r.html"
rm -f "$work/round.yaml" "$work/round.h5" "$work/r.html"
for kind in prior calibration sensitivity; do
    source=$work/abc.h5
    [ $kind = sensitivity ] && source=$work/sens.h5
    /usr/bin/python3 "$source_dir/tests/hostile_traces.py" $kind "$source" "$work/bad$kind" ||
        not_ok "could not make the hostile $kind files"
    [ "$(ls "$work/bad$kind"/hand-*.h5 | wc -l)" -ge 10 ] && ok || not_ok "too few $kind cases"
    for file in "$work/bad$kind"/hand-*.h5; do
        name="$kind $(basename "$file")"
        clean
        case $kind in
        prior) expect 2 "$name" prior "$file"
            refused "$name" "$file" "$work/badprior" "$work/round.h5"
            [ ! -e "$work/round.yaml" ] && ok || not_ok "$name: round.yaml was written" ;;
        *) expect 2 "$name" "$migsim" report "$work/m0.h5" --$kind "$file" -o "$work/r.html"
            refused "$name" "$file" "$work/bad$kind" "$work/r.html" ;;
        esac
    done
done
ls -a "$work" | grep -q '\.tmp-' && not_ok "temporary files left: $(ls -a "$work" | grep '\.tmp-')" || ok

crashes=0
for file in "$work"/bad/flip-*.h5 "$work"/badckpt/flip-*.h5; do
    [ -f "$file" ] || continue
    for command in report compare merge export resume; do
        case $command in
        report) "$migsim" report "$file" -o "$work/r.html" >/dev/null 2>"$work/err" ;;
        compare) "$migsim" compare "$work/m0.h5" "$file" -o "$work/c.h5" >/dev/null 2>"$work/err" ;;
        merge) "$migsim" merge "$work/m1.h5" "$file" -o "$work/merged.h5" >/dev/null 2>"$work/err" ;;
        export) rm -f "$work/e.xlsx"
            "$migsim" export "$file" -o "$work/e.xlsx" >/dev/null 2>"$work/err" ;;
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
