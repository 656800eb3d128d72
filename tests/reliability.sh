#!/usr/bin/env bash
# Operational faults: outputs never replace inputs, unwritable outputs are
# refused before the run, SIGINT/SIGTERM stop cleanly (exit 130/143, no
# debris, a final checkpoint that resumes byte-identically), debris of a
# SIGKILL is removed by the next run, a full disk is exit 1 (not a crash),
# and the limits (replicates and figures beyond 64, huge periods and
# indices).
# usage: reliability.sh MIGSIM SOURCE_DIR
set -u
migsim=$1
source_dir=$2
# shellcheck source=tests/lib.sh
. "$source_dir/tests/lib.sh"
cp -r "$source_dir/scenarios" "$work/s"
base="$work/s/baseline.yaml"
debris() { ls -a "$work" "$work/s" | grep -E '\.tmp-|\.fork' ; }

# ---- outputs never alias inputs (checked before any work) ----
echo precious >"$work/keep.txt"
for target in "$base" "$work/s/baseline_start.yaml" "$work/s/data/kz_regions.csv" \
    "$work/s/targets/baseline.yaml"; do
    cp "$target" "$work/before"
    expect 2 "run -o $(basename "$target")" "$migsim" run "$base" --scale 100 -o "$target"
    contains "$work/err" "would overwrite the input" "alias message"
    cmp -s "$target" "$work/before" && ok || not_ok "$(basename "$target") was changed"
done
ln -s "$base" "$work/link.h5"
expect 2 "run -o a symlink to the scenario" "$migsim" run "$base" --scale 100 -o "$work/link.h5"
expect 2 "run -o a folder" "$migsim" run "$base" --scale 100 -o "$work"
contains "$work/err" "names a folder" "folder message"
expect 2 "run -o a device" "$migsim" run "$base" --scale 100 -o /dev/null
contains "$work/err" "not a regular file" "device message"
[ -c /dev/null ] && ok || not_ok "/dev/null was replaced"
expect 2 "run -o in a missing folder" "$migsim" run "$base" --scale 100 -o "$work/none/x.h5"
contains "$work/err" "cannot write to folder" "folder missing message"
if [ "$(id -u)" -ne 0 ]; then
    mkdir "$work/ro" && chmod 555 "$work/ro"
    expect 2 "run -o in a read-only folder" "$migsim" run "$base" --scale 100 -o "$work/ro/x.h5"
fi
expect 2 "checkpoint equal to the output" "$migsim" run "$base" --scale 100 -o "$work/x.h5" \
    --checkpoint-every 4w --checkpoint "$work/x.h5"
expect 2 "branch output equal to the output" "$migsim" run "$base" --scale 100 \
    -o "$work/s/doubled_permit_fee.h5" --fork-at 2025-09-01 --branch "$work/s/doubled_permit_fee.yaml"
expect 0 "a small run" "$migsim" run "$base" --scale 100 --quiet -o "$work/r.h5"
cp "$work/r.h5" "$work/r.before"
expect 2 "report X -o X" "$migsim" report "$work/r.h5" -o "$work/r.h5"
expect 2 "compare B A -o B" "$migsim" compare "$work/r.h5" "$work/r.before" -o "$work/r.h5"
expect 2 "merge m0 m1 -o m0" "$migsim" merge "$work/r.h5" "$work/r.before" -o "$work/r.h5"
expect 2 "calibrate -o the scenario" "$migsim" calibrate "$base" --targets \
    "$work/s/targets/bma_round5.yaml" --free migrants.entry_rate -o "$work/s/baseline"
expect 2 "sensitivity -o the scenario" "$migsim" sensitivity "$base" --targets \
    "$work/s/targets/bma_round5.yaml" --free migrants.entry_rate -o "$base"
expect 2 "targets import -o its CSV" "$migsim" targets import "$work/s/data/survey_targets.csv" \
    -o "$work/s/data/survey_targets.csv"
# export: the workbook, or each CSV table in the folder, is checked the same
# way (the run and the --compare base are its inputs).
expect 2 "export X -o X" "$migsim" export "$work/r.h5" -o "$work/r.h5" --format xlsx
contains "$work/err" "would overwrite the input" "export alias message"
expect 2 "export --compare B -o B" "$migsim" export "$work/r.h5" --compare "$work/r.before" \
    -o "$work/r.before" --format xlsx
ln -s "$work/r.h5" "$work/r-link.xlsx"
expect 2 "export -o a symlink to the run" "$migsim" export "$work/r.h5" -o "$work/r-link.xlsx"
contains "$work/err" "would overwrite the input" "export symlink message"
mkdir "$work/tables" && ln -s "$work/r.h5" "$work/tables/series.csv"
expect 2 "export to CSV over a symlink to the run" "$migsim" export "$work/r.h5" -o "$work/tables"
contains "$work/err" "tables/series.csv: error: -o would overwrite the input" "CSV table alias message"
[ "$(ls "$work/tables")" = series.csv ] && ok || not_ok "export wrote tables before refusing: $(ls "$work/tables")"
mkdir "$work/tables2" && mkfifo "$work/tables2/labels.csv"
expect 2 "export to CSV over a pipe" "$migsim" export "$work/r.h5" -o "$work/tables2"
contains "$work/err" "not a regular file" "CSV table pipe message"
expect 2 "export -o a device" "$migsim" export "$work/r.h5" -o /dev/null --format xlsx
contains "$work/err" "not a regular file" "export device message"
expect 2 "export to CSV in a device" "$migsim" export "$work/r.h5" -o /dev/null --format csv
contains "$work/err" "-o is not a folder" "export CSV device message"
mkdir "$work/folder.xlsx"
expect 2 "export -o a folder" "$migsim" export "$work/r.h5" -o "$work/folder.xlsx"
contains "$work/err" "names a folder" "export folder message"
ln -s "$work/none/x" "$work/dangling"
expect 2 "export to CSV through a dangling link" "$migsim" export "$work/r.h5" -o "$work/dangling"
contains "$work/err" "symbolic link to nothing" "export dangling message"
expect 2 "export in a missing folder" "$migsim" export "$work/r.h5" -o "$work/none/x.xlsx"
contains "$work/err" "cannot write to folder" "export missing folder message"
expect 2 "export -o ''" "$migsim" export "$work/r.h5" -o ""
cmp -s "$work/r.h5" "$work/r.before" && ok || not_ok "an HDF5 input was changed"
expect 0 "export to a new CSV folder" "$migsim" export "$work/r.h5" -o "$work/new-tables"
expect 0 "export to CSV again over its own tables" "$migsim" export "$work/r.h5" -o "$work/new-tables"

# ---- signals: a clean stop, exit 128 + signal, no debris ----
stop_run() { # SIGNAL EXTRA...: starts a run, stops it once it is stepping
    local sig=$1
    shift
    # Full scale: a few seconds even on a fast build, so the signal comes
    # before the end (at scale 4 the faster engine finished within 1 s).
    "$migsim" run "$base" --scale 1 --quiet -o "$work/sig.h5" "$@" 2>"$work/sig.err" &
    local pid=$!
    sleep 1
    kill -"$sig" "$pid"
    wait "$pid"
}
echo precious >"$work/sig.h5"
stop_run TERM
[ $? -eq 143 ] && ok || not_ok "SIGTERM: expected exit 143"
contains "$work/sig.err" "stopped by SIGTERM" "SIGTERM message"
stop_run INT
[ $? -eq 130 ] && ok || not_ok "SIGINT: expected exit 130"
contains "$work/sig.err" "stopped by SIGINT" "SIGINT message"
[ "$(cat "$work/sig.h5")" = precious ] && ok || not_ok "a stopped run replaced the output"
[ -z "$(debris)" ] && ok || not_ok "debris after a signal: $(debris)"
# With --checkpoint-every a final checkpoint is written; resuming it gives
# the uninterrupted run's datasets.
"$migsim" run "$base" --scale 20 --quiet -o "$work/whole.h5"
rm -f "$work/sig.h5"
# Stopped once stepping (after its first periodic checkpoint, so that a slow
# sanitized build is past its start too).
"$migsim" run "$base" --scale 20 --quiet -o "$work/sig.h5" --checkpoint-every 8w 2>"$work/sig.err" &
pid=$!
for _ in $(seq 1 6000); do [ -f "$work/sig.h5.ckpt" ] && break; sleep 0.01; done
kill -TERM "$pid"
wait "$pid"
[ $? -eq 143 ] && ok || not_ok "SIGTERM with checkpoints: expected exit 143"
contains "$work/sig.err" "wrote the checkpoint" "final checkpoint message"
[ -f "$work/sig.h5.ckpt" ] && ok || not_ok "no final checkpoint"
expect 0 "resume after SIGTERM" "$migsim" run "$base" --scale 20 --quiet -o "$work/sig.h5" \
    --resume "$work/sig.h5.ckpt"
same "$work/whole.h5" "$work/sig.h5"
[ -z "$(debris)" ] && ok || not_ok "debris after a checkpointed stop: $(debris)"
# A writer killed by a signal (merge, report: no steps to stop at) removes
# its temporary file.
for k in 0 1; do "$migsim" run "$base" --scale 100 --quiet --replicate $k -o "$work/m$k.h5"; done

# ---- debris of a SIGKILL is removed by the next run writing that output ----
host=$(hostname | tr '/-' '__')
echo junk >"$work/d.h5.tmp-$host-999999"
echo junk >"$work/d.h5.tmp-999998"
echo junk >"$work/d.h5.tmp-otherhost-999997"
expect 0 "run after debris" "$migsim" run "$base" --scale 100 --quiet -o "$work/d.h5"
[ ! -e "$work/d.h5.tmp-$host-999999" ] && [ ! -e "$work/d.h5.tmp-999998" ] && ok ||
    not_ok "stale temporary files were left"
[ -e "$work/d.h5.tmp-otherhost-999997" ] && ok || not_ok "another host's temporary file was removed"
rm -f "$work/d.h5.tmp-otherhost-999997"

# ---- a full disk: exit 1 with a message, no crash, no debris ----
(ulimit -f 100; trap '' XFSZ; "$migsim" run "$base" --scale 100 --quiet -o "$work/full.h5" 2>"$work/err")
[ $? -eq 1 ] && ok || not_ok "full disk: expected exit 1"
contains "$work/err" "error:" "full disk message"
(ulimit -f 100; trap '' XFSZ; "$migsim" merge "$work/m0.h5" "$work/m1.h5" -o "$work/fullm.h5" 2>"$work/err")
[ $? -eq 1 ] && ok || not_ok "full disk in merge: expected exit 1"
cp "$work/m0.h5" "$work/m0copy.h5" # compare pairs runs of one replicate index
(ulimit -f 100; trap '' XFSZ; "$migsim" compare "$work/m0.h5" "$work/m0copy.h5" -o "$work/fullc.h5" 2>"$work/err")
[ $? -eq 1 ] && ok || not_ok "full disk in compare: expected exit 1: $(cat "$work/err")"
(ulimit -f 300; trap '' XFSZ; "$migsim" run "$base" --scale 20 --quiet -o "$work/fullk.h5" --checkpoint-every 4w 2>"$work/err")
[ $? -eq 1 ] && ok || not_ok "full disk while checkpointing: expected exit 1"
[ -z "$(debris)" ] && ok || not_ok "debris after a full disk: $(debris)"

# ---- limits: more than 64 replicates, members and figures ----
cat >"$work/s/short.yaml" <<YAML
extends: baseline.yaml
end: 2024-02-29
scale: 400
targets: ""
YAML
short="$work/s/short.yaml"
expect 0 "70 replicates" "$migsim" run "$short" --replicates 70 --quiet -o "$work/r70.h5"
/usr/bin/python3 - "$work/r70.h5" <<'PY' && ok || not_ok "replicate coordinate of 70 replicates"
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
assert list(f["replicate"][()]) == list(range(70)), f["replicate"][()]
assert f["migrant_stock"].shape[0] == 70
PY
mkdir "$work/members"
for k in $(seq 0 64); do
    "$migsim" run "$short" --replicate "$k" --quiet -o "$work/members/m$k.h5" || not_ok "member $k"
done
expect 0 "merge of 65 members" "$migsim" merge "$work"/members/m*.h5 -o "$work/merged65.h5"
/usr/bin/python3 - "$work/merged65.h5" <<'PY' && ok || not_ok "replicate coordinate of 65 members"
import sys, h5py
f = h5py.File(sys.argv[1], "r")
assert list(f["replicate"][()]) == list(range(65)), f["replicate"][()]
PY
# 70 figures (all at one survey date) and 65 survey dates (located refusal).
{
    echo "figures:"
    for i in $(seq 1 70); do
        printf '  - id: f%d\n    statistic: migrant_stock\n    date: 2024-01-15\n    value: 500000\n    tolerance: {relative: 0.5}\n' "$i"
    done
} >"$work/s/many.yaml"
{
    echo "figures:"
    for i in $(seq 1 65); do
        printf '  - id: d%d\n    statistic: remitter_share\n    date: 2024-02-%02d\n    value: 30\n    sample: %d\n    tolerance: {absolute: 50}\n' "$i" $(( (i % 28) + 1 )) $((100 + i))
    done
} >"$work/s/dates.yaml"
printf 'extends: short.yaml\ntargets: many.yaml\n' >"$work/s/many_figures.yaml"
printf 'extends: short.yaml\ntargets: dates.yaml\n' >"$work/s/many_dates.yaml"
expect 0 "70 figures" "$migsim" run "$work/s/many_figures.yaml" --quiet -o "$work/f70.h5"
/usr/bin/python3 - "$work/f70.h5" <<'PY' && ok || not_ok "figure coordinate of 70 figures"
import sys, h5py
f = h5py.File(sys.argv[1], "r")
assert list(f["figure"][()]) == list(range(70)), f["figure"][()]
PY
expect 2 "65 survey dates" "$migsim" check "$work/s/many_dates.yaml"
grep -qE "dates.yaml:[0-9]+:[0-9]+: error: figure 'd65'" "$work/err" && ok ||
    not_ok "65 survey dates: unlocated message: $(cat "$work/err")"
expect 0 "huge checkpoint period" "$migsim" run "$short" --quiet -o "$work/p.h5" --checkpoint-every 1e30w
[ ! -e "$work/p.h5.ckpt" ] && ok || not_ok "a period longer than the run left a checkpoint"
expect 2 "--replicate 3000000000" "$migsim" run "$short" --replicate 3000000000 -o "$work/q.h5"

# A run too long to hold is refused by check as by run, with its file.
printf 'extends: baseline.yaml\nend: 9999-12-31\nstep_days: 1\ntargets: ""\n' >"$work/s/long.yaml"
expect 2 "check of 2.9 million daily steps" "$migsim" check "$work/s/long.yaml"
contains "$work/err" "long.yaml: error: the run has 2913174 steps" "long run message"
expect 2 "run of 2.9 million daily steps" "$migsim" run "$work/s/long.yaml" -o "$work/long.h5"

# An unknown region or origin that a default names is reported in the data
# folder (it used to be located at 0:0 in the scenario).
mkdir -p "$work/d"
cp -r "$source_dir/scenarios/data" "$work/d/data"
grep -v '^OTH,' "$source_dir/scenarios/data/origins.csv" >"$work/d/data/origins.csv"
grep -v ',OTH,' "$source_dir/scenarios/data/distances.csv" | grep -v '^OTH,' >"$work/d/data/distances.csv"
printf 'name: d\ntargets: ""\n' >"$work/d/s.yaml"
expect 2 "a default origin missing from the data" "$migsim" check "$work/d/s.yaml"
grep -q ':0:0' "$work/err" && not_ok "unlocated message: $(cat "$work/err")" || ok
contains "$work/err" "origins.csv:1:1: error: no origin 'OTH'" "missing default origin message"

# --help under MPI-free builds exits 0 after finalising (no exit() below main).
expect 0 "run --help" "$migsim" run --help

finish reliability
