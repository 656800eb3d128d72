#!/usr/bin/env bash
# Parameter recovery that means something: synthetic truths whose parameter
# values are drawn inside the bounds, each run with a seed other than the
# calibration's; the truth's own emulated surveys (with their sampling
# error) become the targets; ABC-SMC frees all the parameters at once; the
# check is how often the true value lies inside the 90% posterior interval.
# usage: recovery.sh MIGSIM SOURCE_DIR [TRUTHS [SCALE [PARTICLES [BUDGET [MIN_COVERAGE]]]]]
# The test (ctest) runs 2 truths at scale 1000; README.md gives the longer
# command and its result.
set -u
migsim=$1
source_dir=$2
truths=${3:-2}
scale=${4:-1000}
particles=${5:-12}
budget=${6:-120}
min_coverage=${7:-0.75}
# shellcheck source=tests/lib.sh
. "$source_dir/tests/lib.sh"
export OMP_WAIT_POLICY=passive
free=(migrants.entry_rate:0.15:0.35 migrants.visit_rate:1:4 migrants.remit_share_mean:0.4:0.85
      migrants.living_cost:2:6)
cat >"$work/start.yaml" <<YAML
extends: $source_dir/scenarios/baseline.yaml
end: 2025-07-31
scale: $scale
seed: 11
targets: shape.yaml
YAML
# The figures: both BMA stocks and three emulated IMWS survey figures.
cat >"$work/shape.yaml" <<'YAML'
figures:
  - {id: stock_jan, statistic: migrant_stock, date: 2025-01-15, value: 1, uncertainty: {sd: 1}}
  - {id: stock_jul, statistic: migrant_stock, date: 2025-07-15, value: 1, uncertainty: {sd: 1}}
  - {id: visits, statistic: visited_home_6m, date: 2025-07-15, value: 50, uncertainty: {sd: 1}, sample: 2115}
  - {id: remit, statistic: mean_remittance_usd, date: 2025-07-15, value: 1, uncertainty: {sd: 1}, sample: 2115}
  - {id: save, statistic: can_save_share, date: 2025-07-15, value: 50, uncertainty: {sd: 1}, sample: 2115}
YAML
inside=0
pairs=0
widths=0
for k in $(seq 1 "$truths"); do
    # Truth k: parameter values from a low-discrepancy draw, seed 1000 + k.
    /usr/bin/python3 - "$k" "${free[@]}" >"$work/truth$k.values" <<'PY'
import sys
k = int(sys.argv[1])
primes = [2, 3, 5, 7]
for i, spec in enumerate(sys.argv[2:]):
    name, lo, hi = spec.split(':')
    # Halton point k in base primes[i], kept away from the bounds.
    f, x, n = 1.0, 0.0, k
    while n:
        f /= primes[i]
        x += f * (n % primes[i])
        n //= primes[i]
    u = 0.1 + 0.8 * x
    print(name, float(lo) + (float(hi) - float(lo)) * u)
PY
    {
        echo "extends: start.yaml"
        echo "seed: $((1000 + k))"
        echo "migrants:"
        while read -r name value; do echo "  ${name#migrants.}: $value"; done <"$work/truth$k.values"
    } >"$work/truth$k.yaml"
    "$migsim" run "$work/truth$k.yaml" --quiet -o "$work/truth$k.h5" || { not_ok "truth $k run"; continue; }
    # Its figures become targets: stocks with a 1.5% sd, surveys with their
    # binomial error (shares) or a 2.5% sd (the mean remittance).
    /usr/bin/python3 - "$work/truth$k.h5" >"$work/targets$k.yaml" <<'PY'
import sys, h5py
f = h5py.File(sys.argv[1], 'r')
ids = [x.decode() if isinstance(x, bytes) else x for x in f['figure_id'][:]]
sim = f['figure_simulated'][:]
rows = {
    'stock_jan': ('migrant_stock', '2025-01-15', None), 'stock_jul': ('migrant_stock', '2025-07-15', None),
    'visits': ('visited_home_6m', '2025-07-15', 2115), 'remit': ('mean_remittance_usd', '2025-07-15', 2115),
    'save': ('can_save_share', '2025-07-15', 2115)}
print('figures:')
for i, v in zip(ids, sim):
    stat, date, n = rows[i]
    if stat == 'migrant_stock':
        unc = '{sd: %.6g}' % (0.015 * v)
    elif stat == 'mean_remittance_usd':
        unc = '{sd: %.6g}' % (0.025 * v)
    else:
        unc = '{survey: 2115}'
    sample = ', sample: %d' % n if n else ''
    print('  - {id: %s, statistic: %s, role: fit, date: %s, value: %.8g, uncertainty: %s%s}' % (i, stat, date, v, unc, sample))
PY
    args=()
    for spec in "${free[@]}"; do args+=(--free "$spec"); done
    if ! "$migsim" calibrate "$work/start.yaml" --targets "$work/targets$k.yaml" "${args[@]}" \
        --method abc-smc --particles "$particles" --budget "$budget" -o "$work/fit$k" >"$work/fit$k.out" 2>&1; then
        not_ok "calibration of truth $k: $(tail -3 "$work/fit$k.out")"
        continue
    fi
    result=$(/usr/bin/python3 - "$work/fit$k.h5" "$work/truth$k.values" <<'PY'
import sys, h5py
f = h5py.File(sys.argv[1], 'r')
names = f.attrs['parameter_names']
names = (names.decode() if isinstance(names, bytes) else names).split(',')
lo, hi = f['posterior_q05'][:], f['posterior_q95'][:]
blo, bhi = f['lower_bound'][:], f['upper_bound'][:]
truth = dict(line.split() for line in open(sys.argv[2]))
inside = 0
for i, n in enumerate(names):
    t = float(truth[n])
    ok = lo[i] <= t <= hi[i]
    inside += ok
    print('#', n, 'truth %.5g' % t, '90%% interval [%.5g, %.5g]' % (lo[i], hi[i]), 'inside' if ok else 'OUTSIDE', file=sys.stderr)
print(inside, len(names), sum((hi - lo) / (bhi - blo)))
PY
    )
    read -r got total width <<<"$result"
    inside=$((inside + got))
    pairs=$((pairs + total))
    widths="$widths + $width"
done
if [ "$pairs" -gt 0 ]; then
    share=$(/usr/bin/python3 -c "print('%.2f' % (($widths) / $pairs))")
    echo "recovery: $inside of $pairs parameter-truth pairs inside their 90% posterior interval ($truths truths, scale $scale, $particles particles, budget $budget); mean interval width $share of the bounds"
    /usr/bin/python3 -c "import sys; sys.exit(0 if $inside >= $min_coverage * $pairs else 1)" && ok ||
        not_ok "coverage $inside of $pairs below $min_coverage"
fi
finish recovery
