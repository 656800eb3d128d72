#!/usr/bin/env bash
# Batch use: a run killed with SIGKILL and resumed from its checkpoint equals
# an uninterrupted run; damaged or foreign checkpoints are refused; fork
# branches equal full runs; job-array members merge into the ensemble.
# usage: hpc.sh MIGSIM SOURCE_DIR
set -u
migsim=$1
source_dir=$2
# shellcheck source=tests/lib.sh
. "$source_dir/tests/lib.sh"
base="$source_dir/scenarios/baseline.yaml"

# Kill a checkpointing run with SIGKILL after its first checkpoint, resume it.
"$migsim" run "$base" --scale 8 --quiet -o "$work/full.h5"
"$migsim" run "$base" --scale 8 --quiet -o "$work/killed.h5" --checkpoint-every 8w \
    --checkpoint "$work/run.ckpt" &
pid=$!
for _ in $(seq 1 500); do [ -f "$work/run.ckpt" ] && break; sleep 0.01; done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
[ -f "$work/run.ckpt" ] && ok || not_ok "no checkpoint was written before the kill"
[ ! -f "$work/killed.h5" ] && ok || not_ok "the killed run finished before the kill (test too short)"
expect 0 "resume" "$migsim" run "$base" --scale 8 --quiet -o "$work/resumed.h5" --resume "$work/run.ckpt"
same "$work/full.h5" "$work/resumed.h5"

# Refusals: truncated, corrupted, another scenario, another seed or scale.
head -c 100000 "$work/run.ckpt" >"$work/truncated.ckpt"
expect 2 "truncated checkpoint" "$migsim" run "$base" --scale 8 --quiet -o "$work/x.h5" --resume "$work/truncated.ckpt"
contains "$work/err" "cannot resume from this checkpoint" "truncated message"
cp "$work/run.ckpt" "$work/corrupt.ckpt"
/usr/bin/python3 -c "import h5py; d = h5py.File('$work/corrupt.ckpt', 'a')['until']; d[7] = d[7] + 1"
expect 2 "corrupted checkpoint" "$migsim" run "$base" --scale 8 --quiet -o "$work/x.h5" --resume "$work/corrupt.ckpt"
contains "$work/err" "its checksum does not match" "corrupted message"
expect 2 "another scenario" "$migsim" run "$source_dir/scenarios/aral_drought.yaml" --scale 8 --quiet -o "$work/x.h5" --resume "$work/run.ckpt"
contains "$work/err" "it was written by another scenario" "scenario message"
expect 2 "another seed" "$migsim" run "$base" --scale 8 --seed 3 --quiet -o "$work/x.h5" --resume "$work/run.ckpt"
contains "$work/err" "another seed, scale or parameters" "seed message"
expect 2 "not a checkpoint" "$migsim" run "$base" --scale 8 --quiet -o "$work/x.h5" --resume "$work/full.h5"
contains "$work/err" "no migsim checkpoint signature" "signature message"
[ ! -f "$work/x.h5" ] && ok || not_ok "a refused resume wrote an output"
expect 2 "bad period" "$migsim" run "$base" --scale 8 --quiet -o "$work/x.h5" --checkpoint-every 3x
# The same scenario through another path (another working folder) resumes.
(cd "$source_dir/scenarios" && "$migsim" run baseline.yaml --scale 8 --quiet -o "$work/elsewhere.h5" \
    --resume "$work/run.ckpt") && ok || not_ok "a resume through another path to the scenario"
same "$work/full.h5" "$work/elsewhere.h5"
# ... but the same files reading other data are another scenario.
cp -r "$source_dir/scenarios" "$work/copy"
sed -i 's/,437.8,/,237.8,/' "$work/copy/data/origins.csv"
expect 2 "a resume with other data" "$migsim" run "$work/copy/baseline.yaml" --scale 8 --quiet \
    -o "$work/x.h5" --resume "$work/run.ckpt"
contains "$work/err" "it was written with other data" "other data message"
# Figures that want a survey before the checkpoint's step, which its run did
# not take, are refused (the run failed at its end).
cp -r "$source_dir/scenarios" "$work/early"
/usr/bin/python3 - "$work/early/targets/baseline.yaml" <<'PY'
import sys
text = open(sys.argv[1]).read()
i = text.index("  - id: visit_6m")
j = text.index("date: 2025-07-15", i)
open(sys.argv[1], "w").write(text[:j] + "date: 2024-01-15" + text[j + len("date: 2025-07-15"):])
PY
expect 2 "a resume whose figures want an earlier survey" "$migsim" run "$work/early/baseline.yaml" --scale 8 \
    --quiet -o "$work/x.h5" --resume "$work/run.ckpt"
contains "$work/err" "its run took no survey on 2024-01-15, before its step" "missing survey message"

# Fork: the baseline once to the fork date, branches from there.
mkdir "$work/fork"
expect 0 "fork" "$migsim" run "$base" --scale 50 --quiet -o "$work/fork/baseline.h5" --fork-at 2025-09-01 \
    --branch "$source_dir/scenarios/doubled_permit_fee.yaml" --branch "$source_dir/scenarios/aral_drought.yaml"
"$migsim" run "$base" --scale 50 --quiet -o "$work/b.h5"
"$migsim" run "$source_dir/scenarios/doubled_permit_fee.yaml" --scale 50 --quiet -o "$work/f.h5"
"$migsim" run "$source_dir/scenarios/aral_drought.yaml" --scale 50 --quiet -o "$work/d.h5"
same "$work/b.h5" "$work/fork/baseline.h5"
same "$work/f.h5" "$work/fork/doubled_permit_fee.h5"
same "$work/d.h5" "$work/fork/aral_drought.h5"
# A branch that cannot continue from the fork is refused before the base
# runs, naming the branch's file (and the event's line and column).
expect 2 "branch with an earlier event" "$migsim" run "$base" --scale 50 --quiet -o "$work/fork/x.h5" \
    --fork-at 2026-02-01 --branch "$source_dir/scenarios/doubled_permit_fee.yaml"
contains "$work/err" "doubled_permit_fee.yaml starts on 2026-01-01, before the fork on 2026-02-02, and is not the scenario's there" "early event message"
printf 'extends: %s\nname: plain\n' "$base" >"$work/fork/plain.yaml"
expect 2 "branch without the scenario's early event" "$migsim" run "$source_dir/scenarios/doubled_permit_fee.yaml" \
    --scale 50 --quiet -o "$work/fork/x.h5" --fork-at 2026-02-01 --branch "$work/fork/plain.yaml"
contains "$work/err" "doubled_permit_fee.yaml:12:12, which starts on 2026-01-01, before the fork on 2026-02-02" "missing event message"
contains "$work/err" "plain.yaml: error: the branch lacks the scenario's event" "missing event names the branch"
mkdir "$work/fork/data" && cp -r "$source_dir/scenarios/data/." "$work/fork/data/"
printf 'extends: %s\ndata: data\n' "$base" >"$work/fork/copied.yaml"
expect 2 "branch with other data" "$migsim" run "$base" --scale 50 --quiet -o "$work/fork/x.h5" \
    --fork-at 2025-09-01 --branch "$work/fork/copied.yaml"
contains "$work/err" "copied.yaml: error: its data folder" "other data message"
printf 'extends: %s\nmigrants:\n  entry_rate: 0.3\n' "$base" >"$work/fork/other.yaml"
expect 2 "branch with other parameters" "$migsim" run "$base" --scale 50 --quiet -o "$work/fork/x.h5" \
    --fork-at 2025-09-01 --branch "$work/fork/other.yaml"
contains "$work/err" "other.yaml: error: its migrants.entry_rate is 0.2999" "other parameters message"
printf 'extends: %s\nend: 2027-12-31\n' "$base" >"$work/fork/later.yaml"
expect 2 "branch with another end" "$migsim" run "$base" --scale 50 --quiet -o "$work/fork/x.h5" \
    --fork-at 2025-09-01 --branch "$work/fork/later.yaml"
contains "$work/err" "later.yaml: error: its end is 2027-12-31" "other end message"
printf 'extends: %s\ntargets: %s\n' "$base" "$source_dir/scenarios/targets/imws_round6.yaml" >"$work/fork/surveys.yaml"
expect 2 "branch with other figures" "$migsim" run "$base" --scale 50 --quiet -o "$work/fork/x.h5" \
    --fork-at 2025-09-01 --branch "$work/fork/surveys.yaml"
contains "$work/err" "surveys.yaml: error: its figures (targets) are not the scenario's" "other figures message"
[ ! -e "$work/fork/x.h5" ] && ok || not_ok "a refused branch let the base run and write"
expect 2 "fork with replicates" "$migsim" run "$base" --scale 50 --quiet -o "$work/fork/x.h5" \
    --fork-at 2025-09-01 --branch "$work/fork/other.yaml" --replicates 2
contains "$work/err" "--fork-at runs one replicate" "fork replicates message"
expect 2 "fork with checkpoints" "$migsim" run "$base" --scale 50 --quiet -o "$work/fork/x.h5" \
    --fork-at 2025-09-01 --branch "$work/fork/other.yaml" --checkpoint-every 4w
contains "$work/err" "--fork-at does not go with --checkpoint-every or --resume" "fork checkpoints message"
# A branch keeps the scenario's events before the fork and adds its own; a
# fork of replicate K gives replicate K of each.
printf 'extends: %s\nname: later_fee\ntimeline:\n  - event: permit_fee\n    target: all\n    start: 2026-06-01\n    value: 40\n' \
    "$source_dir/scenarios/doubled_permit_fee.yaml" >"$work/fork/later_fee.yaml"
mkdir "$work/fork2"
expect 0 "fork of replicate 2" "$migsim" run "$source_dir/scenarios/doubled_permit_fee.yaml" --scale 50 --quiet \
    --replicate 2 -o "$work/fork2/fee.h5" --fork-at 2026-03-01 --branch "$work/fork/later_fee.yaml"
"$migsim" run "$work/fork/later_fee.yaml" --scale 50 --quiet --replicate 2 -o "$work/later2.h5"
"$migsim" run "$source_dir/scenarios/doubled_permit_fee.yaml" --scale 50 --quiet --replicate 2 -o "$work/fee2.h5"
same "$work/later2.h5" "$work/fork2/later_fee.h5"
same "$work/fee2.h5" "$work/fork2/fee.h5"

# Job arrays: members merge into the ensemble file, every dataset the same
# (the figures table and the routes too). The baseline with the IMWS
# figures, some from an emulated survey whose sampling sd enters the summary;
# in the work folder so that it can be moved and changed below.
survey="$work/survey.yaml"
printf 'extends: %s\ntargets: %s\n' "$base" "$source_dir/scenarios/targets/imws_round6.yaml" >"$survey"
for k in 0 1 2; do
    "$migsim" run "$survey" --scale 100 --quiet --replicate "$k" -o "$work/member$k.h5"
done
expect 0 "merge" "$migsim" merge "$work/member2.h5" "$work/member0.h5" "$work/member1.h5" -o "$work/merged.h5"
[ ! -s "$work/err" ] && ok || not_ok "merge printed $(head -c 300 "$work/err")"
expect 0 "ensemble" "$migsim" ensemble "$survey" --scale 100 --replicates 3 --quiet -o "$work/ensemble.h5"
/usr/bin/python3 - "$work/merged.h5" "$work/ensemble.h5" <<'PY' && ok || not_ok "merged members differ from the ensemble"
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
def datasets(f):
    names = []
    f.visititems(lambda name, obj: names.append(name) if isinstance(obj, h5py.Dataset) else None)
    return sorted(names)
names = datasets(b)
assert datasets(a) == names, sorted(set(datasets(a)) ^ set(names))
assert any(n.startswith("figure_") for n in names) and any(n.startswith("route_") for n in names)
assert b["figure_sampling_sd"][()].max() > 0, "no figure from an emulated survey"
# Values, shapes and types; only root attributes (command line, threads,
# creation time) may differ.
for name in names:
    x, y = a[name], b[name]
    assert x.shape == y.shape and x.dtype == y.dtype, name
    if x.dtype.kind == "O":
        assert list(x[()]) == list(y[()]), name
    else:
        assert x[()].tobytes() == y[()].tobytes(), name
x = b["migrant_stock"][()]
assert np.allclose(b["migrant_stock_mean"][()], x.mean(axis=0))
assert np.array_equal(b["migrant_stock_q50"][()], np.median(x, axis=0))
PY

# A member run from another folder, through another path to the same file,
# ran the same scenario.
(cd "$work" && "$migsim" run survey.yaml --scale 100 --quiet --replicate 3 -o member3.h5)
expect 0 "merge members run through other paths" "$migsim" merge "$work/member0.h5" "$work/member3.h5" \
    -o "$work/paths.h5"
[ ! -s "$work/err" ] && ok || not_ok "merge through other paths printed $(head -c 300 "$work/err")"
(cd "$source_dir" && "$migsim" run scenarios/baseline.yaml --scale 100 --quiet --replicate 0 -o "$work/root0.h5")
(cd "$source_dir/scenarios" && "$migsim" run baseline.yaml --scale 100 --quiet --replicate 1 -o "$work/root1.h5")
(cd "$source_dir" && "$migsim" merge "$work/root0.h5" "$work/root1.h5" -o "$work/roots.h5" 2>"$work/err") &&
    [ ! -s "$work/err" ] && /usr/bin/python3 -c "import h5py; assert 'figure_simulated' in h5py.File('$work/roots.h5')" &&
    ok || not_ok "members whose data paths differ merge with their figures: $(head -c 300 "$work/err")"
# A targets file changed after the members ran: their figures are not the
# scenario's any more.
cp "$source_dir/scenarios/targets/imws_round6.yaml" "$work/t6.yaml"
printf 'extends: %s\ntargets: t6.yaml\n' "$base" >"$work/own.yaml"
for k in 0 1; do "$migsim" run "$work/own.yaml" --scale 100 --quiet --replicate "$k" -o "$work/own$k.h5"; done
sed -i 's/key: UZB/key: TJK/' "$work/t6.yaml"
expect 0 "merge, targets changed" "$migsim" merge "$work/own0.h5" "$work/own1.h5" -o "$work/own.h5"
contains "$work/err" "own.yaml is not the scenario the members ran" "merge note, targets changed"
"$migsim" run "$work/own.yaml" --scale 100 --quiet --replicate 2 -o "$work/own2.h5"
expect 0 "merge, members of other figures" "$migsim" merge "$work/own0.h5" "$work/own2.h5" -o "$work/own.h5"
contains "$work/err" "the members ran different figures (targets)" "merge note, other figures"

# The scenario file moved or changed since the members ran: the series still
# merge, with a note, but without the figures table and the routes (they
# would be another scenario's).
mv "$survey" "$work/moved.yaml"
expect 0 "merge, scenario moved" "$migsim" merge "$work/member1.h5" "$work/member0.h5" -o "$work/moved.h5"
contains "$work/err" "survey.yaml is not the scenario the members ran (moved or changed); the merged file has no figures table and no routes" "merge note"
[ "$(wc -l <"$work/err")" -eq 1 ] && ok || not_ok "the note is not one line: $(cat "$work/err")"
cp "$work/moved.yaml" "$survey"
printf '# changed\n' >>"$survey"
expect 0 "merge, scenario changed" "$migsim" merge "$work/member1.h5" "$work/member0.h5" -o "$work/changed.h5"
contains "$work/err" "is not the scenario the members ran" "merge note, changed"
/usr/bin/python3 - "$work/moved.h5" "$work/changed.h5" "$work/merged.h5" <<'PY' && ok || not_ok "a merge without the scenario"
import sys, h5py, numpy as np
full = h5py.File(sys.argv[3], "r")
for path in sys.argv[1:3]:
    f = h5py.File(path, "r")
    assert not [n for n in f if n.startswith(("figure", "route"))], path
    assert f["replicate"].shape == (2,), path
    for name in ("migrant_stock", "internal_moves", "remittances_usd"):
        assert np.array_equal(f[name][()], full[name][:2]), name
PY
"$migsim" run "$source_dir/scenarios/aral_drought.yaml" --scale 100 --quiet --replicate 5 -o "$work/other.h5"
expect 2 "merge another scenario" "$migsim" merge "$work/member0.h5" "$work/other.h5" -o "$work/bad.h5"
contains "$work/err" "it ran another scenario" "merge scenario message"
expect 2 "merge a member twice" "$migsim" merge "$work/member0.h5" "$work/member0.h5" -o "$work/bad.h5"
expect 2 "merge a non-member" "$migsim" merge "$work/member0.h5" "$work/ensemble.h5" -o "$work/bad.h5"
[ ! -f "$work/bad.h5" ] && ok || not_ok "a refused merge wrote a file"

finish hpc
