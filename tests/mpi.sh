#!/usr/bin/env bash
# MPI: the baseline split over 1, 2 and 3 ranks gives datasets byte-identical
# to the serial run; an ensemble spread over ranks equals the serial one.
# usage: mpi.sh MIGSIM_MPI MIGSIM_SERIAL SOURCE_DIR
set -u
mpi=$1
serial=$2
source_dir=$3
# shellcheck source=tests/lib.sh
. "$source_dir/tests/lib.sh"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
base="$source_dir/scenarios/baseline.yaml"

"$serial" run "$base" --scale 50 --quiet -o "$work/serial.h5"
for ranks in 1 2 3; do
    timeout 300 mpirun --oversubscribe -n "$ranks" "$mpi" run "$base" --scale 50 --threads 1 \
        -o "$work/ranks$ranks.h5" >"$work/out$ranks" 2>&1 && ok || not_ok "mpirun -n $ranks: $(tail -3 "$work/out$ranks")"
done
same "$work/serial.h5" "$work/ranks1.h5" "$work/ranks2.h5" "$work/ranks3.h5"
[ "$(grep -c 'figures within tolerance' "$work/out3")" -eq 1 ] && ok || not_ok "the summary is not printed once"
/usr/bin/python3 -c "import h5py; assert h5py.File('$work/ranks3.h5')['/'].attrs['ranks'] == 3" && ok || not_ok "ranks attribute"

# An ensemble whose replicates are spread over ranks, one rank stopped by
# SIGTERM: every rank stops (the others used to wait forever for its series).
ranks_of() { # the migsim processes writing $1
    for p in $(pgrep -f -- "$1"); do [ "$(cat "/proc/$p/comm" 2>/dev/null)" = migsim ] && echo "$p"; done
}
for victim in 1 2; do
    rm -f "$work/stopped$victim.h5"
    timeout 120 mpirun -n 2 "$mpi" ensemble "$base" --replicates 4 --scale 2 --threads 1 --quiet \
        -o "$work/stopped$victim.h5" 2>"$work/err" &
    pid=$!
    for _ in $(seq 1 400); do [ "$(ranks_of "stopped$victim.h5" | wc -l)" -ge 2 ] && break; sleep 0.05; done
    sleep 0.5
    kill -TERM "$(ranks_of "stopped$victim.h5" | sort -n | sed -n "${victim}p")" 2>/dev/null
    wait "$pid"
    code=$?
    [ "$code" -eq 143 ] && [ ! -f "$work/stopped$victim.h5" ] && ok ||
        not_ok "an ensemble with rank $victim stopped ends, every rank with 143 (exit $code): $(head -3 "$work/err")"
done

"$serial" ensemble "$base" --scale 100 --replicates 3 --quiet -o "$work/ensemble.h5"
timeout 300 mpirun --oversubscribe -n 2 "$mpi" ensemble "$base" --scale 100 --replicates 3 --threads 1 \
    --quiet -o "$work/ensemble2.h5" && ok || not_ok "ensemble over 2 ranks"
same "$work/ensemble.h5" "$work/ensemble2.h5"

# Checkpoints of a run split over 2 ranks (one file per rank and a
# manifest): killed with SIGKILL after a checkpoint, resumed on 2 ranks,
# byte-identical to the serial run; refused on another rank count.
mpirun --oversubscribe -n 2 "$mpi" run "$base" --scale 50 --threads 1 --checkpoint-every 8w \
    --checkpoint "$work/m.ckpt" --quiet -o "$work/killed.h5" 2>"$work/err" &
pid=$!
for _ in $(seq 1 3000); do [ -f "$work/m.ckpt" ] && break; sleep 0.01; done
sleep 0.05 # the manifest is renamed into place whole; kill soon, before the run ends
kill -9 $(pgrep -P "$pid") "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
[ -f "$work/m.ckpt" ] && ok || not_ok "no MPI checkpoint manifest before the kill"
[ ! -f "$work/killed.h5" ] && ok || not_ok "the killed MPI run finished (test too short)"
ls "$work"/m.ckpt.step-*.rank-*-of-2 >/dev/null 2>&1 && ok || not_ok "no rank files"
expect 2 "MPI checkpoint on 1 rank" "$serial" run "$base" --scale 50 --quiet -o "$work/x.h5" \
    --resume "$work/m.ckpt"
contains "$work/err" "several MPI ranks" "rank count message"
timeout 300 mpirun --oversubscribe -n 2 "$mpi" run "$base" --scale 50 --threads 1 --quiet \
    -o "$work/resumed.h5" --resume "$work/m.ckpt" 2>"$work/err" && ok ||
    not_ok "resume on 2 ranks: $(tail -3 "$work/err")"
same "$work/serial.h5" "$work/resumed.h5"
timeout 300 mpirun --oversubscribe -n 3 "$mpi" run "$base" --scale 50 --threads 1 --quiet \
    -o "$work/x3.h5" --resume "$work/m.ckpt" 2>"$work/err"
[ $? -eq 2 ] && grep -q "written by 2 ranks" "$work/err" && ok || not_ok "resume on 3 ranks is refused: $(cat "$work/err")"
timeout 300 mpirun --oversubscribe -n 2 "$mpi" run "$base" --scale 50 --threads 1 --quiet \
    -o "$work/x4.h5" --resume "$work/missing.ckpt" 2>"$work/err"
[ $? -eq 2 ] && grep -q "missing.ckpt: error: cannot read the checkpoint" "$work/err" && ok ||
    not_ok "a missing checkpoint over 2 ranks is said to be missing: $(cat "$work/err")"
sed 's/^ranks 2$/ranks 0/' "$work/m.ckpt" >"$work/zero.ckpt"
timeout 300 mpirun --oversubscribe -n 2 "$mpi" run "$base" --scale 50 --threads 1 --quiet \
    -o "$work/x5.h5" --resume "$work/zero.ckpt" 2>"$work/err"
[ $? -eq 2 ] && grep -q "its manifest is damaged" "$work/err" && ok ||
    not_ok "a manifest of 0 ranks is damaged: $(cat "$work/err")"
: >"$work/empty.ckpt"
timeout 300 mpirun --oversubscribe -n 2 "$mpi" run "$base" --scale 50 --threads 1 --quiet \
    -o "$work/x5.h5" --resume "$work/empty.ckpt" 2>"$work/err"
[ $? -eq 2 ] && grep -q "empty.ckpt: error: .*neither a checkpoint manifest nor a checkpoint" "$work/err" &&
    ok || not_ok "an empty manifest is no checkpoint: $(cat "$work/err")"
sed 's/^version .*$/version 0.0.0-other/' "$work/m.ckpt" >"$work/other.ckpt"
timeout 300 mpirun --oversubscribe -n 2 "$mpi" run "$base" --scale 50 --threads 1 --quiet \
    -o "$work/x5.h5" --resume "$work/other.ckpt" 2>"$work/err"
[ $? -eq 2 ] && grep -q "other.ckpt: error: .*another migsim version" "$work/err" && ok ||
    not_ok "a manifest of another version is refused: $(cat "$work/err")"
# A rank file of rank 1 damaged, then missing: rank 1 names it itself.
step=$(sed -n 's/^step //p' "$work/m.ckpt")
# Rank files of another generation than the manifest's are refused.
sed "s/^step .*$/step $((step + 1))/" "$work/m.ckpt" >"$work/g.ckpt"
for k in 0 1; do cp "$work/m.ckpt.step-$step.rank-$k-of-2" "$work/g.ckpt.step-$((step + 1)).rank-$k-of-2"; done
timeout 300 mpirun --oversubscribe -n 2 "$mpi" run "$base" --scale 50 --threads 1 --quiet \
    -o "$work/x7.h5" --resume "$work/g.ckpt" 2>"$work/err"
[ $? -eq 2 ] && grep -q "g.ckpt.step-$((step + 1)).rank-0-of-2: error: .*it holds step $step, not the manifest's step $((step + 1))" "$work/err" &&
    ok || not_ok "rank files of another generation are refused: $(cat "$work/err")"
cp "$work/m.ckpt" "$work/r.ckpt"
cp "$work/m.ckpt.step-$step.rank-0-of-2" "$work/r.ckpt.step-$step.rank-0-of-2"
head -c 50000 "$work/m.ckpt.step-$step.rank-1-of-2" >"$work/r.ckpt.step-$step.rank-1-of-2"
for damage in damaged missing; do
    timeout 300 mpirun --oversubscribe -n 2 "$mpi" run "$base" --scale 50 --threads 1 --quiet \
        -o "$work/x6.h5" --resume "$work/r.ckpt" 2>"$work/err"
    [ $? -eq 2 ] && grep -q "^migsim: rank 1: .*r.ckpt.step-$step.rank-1-of-2: error: " "$work/err" &&
        grep -q "another rank could not write or read its checkpoint" "$work/err" && ok ||
        not_ok "a $damage rank-1 file is named by rank 1: $(cat "$work/err")"
    rm "$work/r.ckpt.step-$step.rank-1-of-2"
done

# bench times a run split over the ranks, like run (it used to wait for
# ranks that never came); a command that runs on rank 0 alone (sensitivity)
# finishes with its simulations whole there.
timeout 120 mpirun -n 2 "$mpi" bench "$base" --scale 200 --repeat 1 --threads 1 >"$work/out" 2>&1 &&
    ok || not_ok "bench over 2 ranks: $(tail -3 "$work/out")"
[ "$(grep -c '^median:' "$work/out")" -eq 1 ] && ok || not_ok "bench speaks once: $(cat "$work/out")"
# ... with each other rank's stages under rank 0's line, for the balance.
[ "$(grep -c '^     rank 1  .* migrants [0-9.]* residents [0-9.]* reduce [0-9.]* .* setup [0-9.]*$' "$work/out")" -eq 1 ] &&
    ok || not_ok "bench prints rank 1's stages: $(cat "$work/out")"
printf 'extends: %s\nend: 2025-12-31\nscale: 400\n' "$base" >"$work/tiny.yaml"
timeout 300 mpirun -n 2 "$mpi" sensitivity "$work/tiny.yaml" \
    --targets "$source_dir/scenarios/targets/imws_round6.yaml" \
    --free migrants.entry_rate:0.15:0.35 --free migrants.visit_rate:1:4 --samples 2 \
    -o "$work/sobol.h5" >"$work/out" 2>&1 && ok || not_ok "sensitivity under 2 ranks: $(tail -3 "$work/out")"

# Calibration particles spread over ranks, each run whole with its
# replicates on one rank: the same posterior as serial.
printf 'extends: %s\nend: 2025-12-31\nscale: 200\n' "$base" >"$work/short.yaml"
targets=(--targets "$source_dir/scenarios/targets/imws_round6.yaml" --free migrants.entry_rate:0.15:0.35
    --replicates 2)
"$serial" calibrate "$work/short.yaml" "${targets[@]}" --method abc-smc --particles 4 --budget 12 \
    --predictive 2 --threads 1 -o "$work/abc1" >/dev/null
timeout 300 mpirun -n 2 "$mpi" calibrate "$work/short.yaml" "${targets[@]}" --method abc-smc \
    --particles 4 --budget 12 --predictive 2 --threads 1 -o "$work/abc2" >"$work/out" 2>&1 && ok || not_ok "abc-smc over ranks: $(tail -3 "$work/out")"
if diff <(grep -v '^#' "$work/abc1.yaml") <(grep -v '^#' "$work/abc2.yaml") >/dev/null; then ok; else
    not_ok "abc-smc over 2 ranks found another posterior"; fi
same "$work/abc1.h5" "$work/abc2.h5" # the predictive bands too

# Nelder-Mead with replicates spread over 2 ranks finds the serial fit,
# every evaluation's figures included: nelder_mead_over_ranks NAME WHAT ARGS.
nelder_mead_over_ranks() {
    local name=$1 what=$2
    shift 2
    local args=(--targets "$source_dir/scenarios/targets/imws_round6.yaml" "$@" --method nelder-mead
        --replicates 2 --budget 5 --threads 1)
    "$serial" calibrate "$work/short.yaml" "${args[@]}" -o "$work/${name}1" >/dev/null
    timeout 300 mpirun -n 2 "$mpi" calibrate "$work/short.yaml" "${args[@]}" -o "$work/${name}2" \
        >"$work/out" 2>&1 && ok || not_ok "$what over ranks: $(tail -3 "$work/out")"
    if diff <(grep -v '^#' "$work/${name}1.yaml") <(grep -v '^#' "$work/${name}2.yaml") >/dev/null; then
        ok
    else
        not_ok "$what over 2 ranks found another fit"
    fi
    same "$work/${name}1.h5" "$work/${name}2.h5"
}
# A residents' rate free (runs may start from the last one's warm state)
# and a migrants' rate (then they may not): each rank checks the kept warm
# state at its own first replicate.
nelder_mead_over_ranks nm "nelder-mead replicates" --free residents.climate_rate:0.05:0.3 \
    --free migrants.visit_rate:1:4
# Only residents' rates free: every evaluation after a rank's first takes
# its workers' steps from that rank's record.
nelder_mead_over_ranks res "nelder-mead of residents' rates" \
    --free residents.climate_rate:0.05:0.3 --free residents.economic_rate:0.003:0.02

finish mpi
