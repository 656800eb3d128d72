#!/usr/bin/env bash
# Export: a workbook and a CSV folder checked with openpyxl against the run
# files, and clear errors for foreign inputs with nothing written.
# usage: export.sh MIGSIM SOURCE_DIR
set -u
migsim=$1
source_dir=$2
# shellcheck source=tests/lib.sh
. "$source_dir/tests/lib.sh"
"$migsim" run "$source_dir/scenarios/baseline.yaml" --scale 1000 --replicates 2 -o "$work/base.h5" --quiet
"$migsim" run "$source_dir/scenarios/doubled_permit_fee.yaml" --scale 1000 --replicates 2 -o "$work/fee.h5" --quiet
expect 0 "export xlsx" "$migsim" export "$work/fee.h5" -o "$work/fee.xlsx" --compare "$work/base.h5"
contains "$work/out" "wrote $work/fee.xlsx" "export names its file"
expect 0 "export csv" "$migsim" export "$work/fee.h5" -o "$work/csv" --format csv
"$migsim" compare "$work/base.h5" "$work/fee.h5" >"$work/compare.txt"
/usr/bin/python3 "$source_dir/tests/check_export.py" "$work/fee.h5" "$work/base.h5" \
    "$work/fee.xlsx" "$work/csv" "$work/compare.txt" && ok || not_ok "workbook and CSV contents"
"$migsim" run "$source_dir/scenarios/baseline.yaml" --scale 4000 -o "$work/one.h5" --quiet
expect 0 "one replicate" "$migsim" export "$work/one.h5" -o "$work/one.xlsx"
/usr/bin/python3 -c "
import openpyxl, sys
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
header = next(wb['series'].iter_rows(values_only=True))
sys.exit(0 if 'q05' not in header and header[-1] == 'unit' else 1)" "$work/one.xlsx" \
    && ok || not_ok "one replicate: no quantile columns"

# Foreign inputs: exit 2, one message, nothing written or replaced.
echo "keep" >"$work/existing.xlsx"
echo "plain text" >"$work/text.h5"
expect 2 "not HDF5" "$migsim" export "$work/text.h5" -o "$work/existing.xlsx"
contains "$work/err" "text.h5: error: not an HDF5 file" "not HDF5 message"
"$migsim" run "$source_dir/scenarios/baseline.yaml" --scale 4000 -o "$work/single.h5" --quiet
expect 2 "different shapes" "$migsim" export "$work/fee.h5" -o "$work/existing.xlsx" --compare "$work/single.h5"
contains "$work/err" "expected two runs of one shape" "shape message"
expect 2 "bad format" "$migsim" export "$work/fee.h5" -o "$work/x" --format ods
contains "$work/err" "expects xlsx or csv" "format message"
[ "$(cat "$work/existing.xlsx")" = "keep" ] && ok || not_ok "an existing workbook was replaced"
expect 2 "missing output" "$migsim" export "$work/fee.h5"
expect 2 "csv onto a file" "$migsim" export "$work/fee.h5" -o "$work/existing.xlsx" --format csv
ls "$work" "$work/csv" | grep -q '\.tmp-' && not_ok "temporary file left behind" || ok
finish export
