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

finish mpi
