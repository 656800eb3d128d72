#!/usr/bin/env bash
# The output opened by real clients: h5dump, ncdump -h, and h5py/xarray.
# usage: clients.sh MIGSIM SOURCE_DIR
set -eu
migsim=$1
source_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$migsim" run "$source_dir/scenarios/baseline.yaml" --scale 100 -o "$work/run.h5" --quiet
h5dump -H "$work/run.h5" >"$work/h5dump.txt"
grep -q 'DATASET "migrant_stock"' "$work/h5dump.txt"
grep -q 'ATTRIBUTE "DIMENSION_LIST"' "$work/h5dump.txt"
ncdump -h "$work/run.h5" >"$work/ncdump.txt"
grep -q 'double migrant_stock(time, origin, region)' "$work/ncdump.txt"
grep -q 'double internal_moves(time, region_from, region_to)' "$work/ncdump.txt"
grep -q 'time:units = "days since 2024-01-01"' "$work/ncdump.txt"
/usr/bin/python3 "$source_dir/tests/check_output.py" "$work/run.h5"
echo "clients: 1 passed, 0 failed"
