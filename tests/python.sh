#!/usr/bin/env bash
# The Python package: installed offline into a fresh virtual environment
# (with Debian's numpy, pandas, xarray, netCDF4, matplotlib and pytest), as
# the README says, then its tests against the command line.
# usage: python.sh MIGSIM SOURCE_DIR
set -u
migsim=$1
source_dir=$2
# shellcheck source=tests/lib.sh
. "$source_dir/tests/lib.sh"
build_dir=$(cd "$(dirname "$migsim")" && pwd)
/usr/bin/python3 -m venv --system-site-packages "$work/venv" || not_ok "venv"
# A copy of the package, so that building it leaves nothing in the tree.
cp -r "$source_dir/python" "$work/python"
MIGSIM_BUILD_DIR=$build_dir expect 0 "pip install" "$work/venv/bin/pip" install --no-index \
    --no-build-isolation "$work/python"
[ -f "$(ls "$work"/venv/lib/python3*/site-packages/migsim/libmigsim.so.0 2>/dev/null)" ] && ok \
    || not_ok "the package did not take libmigsim.so.0 from $build_dir ($(tail -3 "$work/err"))"
cd "$work" || exit 1
MIGSIM_BINARY=$migsim MIGSIM_SOURCE_DIR=$source_dir "$work/venv/bin/python" -m pytest -q \
    -p no:cacheprovider "$source_dir/python/tests" && ok || not_ok "pytest"
finish python
