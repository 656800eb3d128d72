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

"$serial" ensemble "$base" --scale 100 --replicates 3 --quiet -o "$work/ensemble.h5"
timeout 300 mpirun --oversubscribe -n 2 "$mpi" ensemble "$base" --scale 100 --replicates 3 --threads 1 \
    --quiet -o "$work/ensemble2.h5" && ok || not_ok "ensemble over 2 ranks"
same "$work/ensemble.h5" "$work/ensemble2.h5"

timeout 300 mpirun -n 2 "$mpi" run "$base" --scale 50 --checkpoint-every 10 --quiet -o "$work/x.h5" \
    2>"$work/err"
[ $? -eq 2 ] && grep -q "single-rank runs" "$work/err" && ok || not_ok "checkpoint under MPI is refused"

# Calibration particles spread over ranks: the same posterior as serial.
printf 'extends: %s\nend: 2025-12-31\nscale: 200\n' "$base" >"$work/short.yaml"
targets=(--targets "$source_dir/scenarios/targets/imws_round6.yaml" --free migrants.entry_rate:0.15:0.35)
"$serial" calibrate "$work/short.yaml" "${targets[@]}" --method abc-smc --particles 4 --budget 12 \
    --threads 1 -o "$work/abc1" >/dev/null
timeout 300 mpirun -n 2 "$mpi" calibrate "$work/short.yaml" "${targets[@]}" --method abc-smc \
    --particles 4 --budget 12 --threads 1 -o "$work/abc2" >"$work/out" 2>&1 && ok || not_ok "abc-smc over ranks: $(tail -3 "$work/out")"
if diff <(grep -v '^#' "$work/abc1.yaml") <(grep -v '^#' "$work/abc2.yaml") >/dev/null; then ok; else
    not_ok "abc-smc over 2 ranks found another posterior"; fi

finish mpi
