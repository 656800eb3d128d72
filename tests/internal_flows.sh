#!/usr/bin/env bash
# Skill of the residents' internal migration: tests/internal_flows.py fits a
# plain gravity model and takes the radiation model on the BNS 2024 data;
# migsim's equations (the parameter table's fitted defaults) must explain
# net migration by region better than both, a run must follow its equations,
# and refitting must give back the parameter table's values.
# usage: internal_flows.sh MIGSIM SOURCE_DIR
migsim=$1
source_dir=$2
source "$source_dir/tests/lib.sh"

expect 0 "baseline run" "$migsim" run "$source_dir/scenarios/baseline.yaml" --scale 50 \
    -o "$work/run.h5" --quiet
expect 0 "skill table" /usr/bin/python3 "$source_dir/tests/internal_flows.py" skill \
    "$source_dir/scenarios/data" "$work/run.h5"
cp "$work/out" "$work/skill"
contains "$work/skill" "gravity" "skill table lists the gravity model"
contains "$work/skill" "radiation" "skill table lists the radiation model"
/usr/bin/python3 - "$work/skill" <<'PY' >"$work/check" 2>&1 && ok || not_ok "$(cat "$work/check")"
import sys
rows = {}
for line in open(sys.argv[1]):
    for name in ("migsim (equations)", "migsim (run, 52 weeks)", "gravity", "radiation"):
        if line.startswith(name) and ":" not in line:
            parts = line[len(name):].split()
            rows[name] = (float(parts[-3]), float(parts[-2]), float(parts[-1]))
eq, run, grav, rad = (rows[k] for k in ("migsim (equations)", "migsim (run, 52 weeks)",
                                         "gravity", "radiation"))
assert eq[0] > grav[0] and eq[0] > rad[0], rows      # correlation of net, 2024
assert eq[1] < grav[1] and eq[1] < rad[1], rows      # error of net, 2024
assert eq[0] > 0.7 and eq[2] > 0.7, rows             # and the year before
assert abs(run[0] - eq[0]) < 0.1, rows               # the run follows its equations
PY
# Refitting reproduces the parameter table's fitted values.
expect 0 "refit" /usr/bin/python3 "$source_dir/tests/internal_flows.py" fit "$source_dir/scenarios/data"
"$migsim" params >"$work/params"
/usr/bin/python3 - "$work/out" "$work/params" <<'PY' >"$work/check" 2>&1 && ok || not_ok "$(cat "$work/check")"
import math, sys
fit = dict(line.split()[:2] for line in open(sys.argv[1]) if len(line.split()) == 2)
table = {}
for line in open(sys.argv[2]):
    p = line.split()
    if len(p) > 2 and p[0].startswith("residents.") and p[1] == "real":
        table[p[0]] = float(p[2])
pairs = {"residents.city_churn": float(fit["city_churn"]),
         "residents.wage_elasticity": float(fit["income_pull"]),
         "residents.city_pull": float(fit["city_pull"]),
         "residents.intra_utility": float(fit["intra_utility"]),
         "residents.other_rate": math.exp(float(fit["log_rate"]))}
for name, value in pairs.items():
    assert abs(table[name] - value) <= 0.02 * abs(value) + 1e-3, (name, table[name], value)
PY
finish internal_flows
