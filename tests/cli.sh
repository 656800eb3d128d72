#!/usr/bin/env bash
# End-to-end tests of the command line: exit codes, messages, and that bad
# input never leaves or overwrites an output file.
# usage: cli.sh MIGSIM SOURCE_DIR
set -u
migsim=$1
source_dir=$2
# shellcheck source=tests/lib.sh
. "$source_dir/tests/lib.sh"
expect 0 "--help" "$migsim" --help
contains "$work/out" "usage: migsim COMMAND" "--help text"
expect 0 "--version" "$migsim" --version
contains "$work/out" "migsim 0." "--version text"
expect 0 "run --help" "$migsim" run --help
expect 2 "no command" "$migsim"
expect 2 "unknown command" "$migsim" frobnicate
expect 2 "unknown option" "$migsim" run "$source_dir/scenarios/baseline.yaml" --frob
expect 2 "run without scenario" "$migsim" run
expect 2 "threads 0" "$migsim" run "$source_dir/scenarios/baseline.yaml" --threads 0
expect 2 "bad seed" "$migsim" run "$source_dir/scenarios/baseline.yaml" --seed -4
expect 0 "params" "$migsim" params
contains "$work/out" "migrants.visit_rate" "params lists parameters"
contains "$work/out" "per person-year" "params shows units"
expect 0 "stats" "$migsim" stats
contains "$work/out" "visited_home_6m" "stats lists statistics"
expect 0 "check baseline" "$migsim" check "$source_dir/scenarios/baseline.yaml"
contains "$work/out" "ok (157 steps, 21 figures)" "check summary"

# A small run: the figures table on stdout, nothing else, and the file.
expect 0 "small run" "$migsim" run "$source_dir/scenarios/baseline.yaml" --scale 100 -o "$work/run.h5"
contains "$work/out" "figures within tolerance" "run prints the figures table"
contains "$work/out" "wrote $work/run.h5" "run names its output"
[ -s "$work/run.h5" ] && ok || not_ok "run wrote no file"
[ ! -s "$work/err" ] && ok || not_ok "run wrote to stderr without a terminal: $(head -c 200 "$work/err")"
ls "$work" | grep -q '\.tmp-' && not_ok "temporary file left behind" || ok
expect 0 "quiet run" "$migsim" run "$source_dir/scenarios/baseline.yaml" --scale 100 -o "$work/quiet.h5" --quiet
[ ! -s "$work/out" ] && ok || not_ok "--quiet printed to stdout"
expect 2 "output folder missing" "$migsim" run "$source_dir/scenarios/baseline.yaml" --scale 100 -o "$work/none/run.h5"
contains "$work/err" "cannot write to folder" "output folder message"

# Bad scenarios: one located message, exit 2, and the existing output kept.
mkdir -p "$work/bad"
head -c 3000 /dev/zero | tr '\0' '\377' >"$work/bad/binary_garbage.yaml"
printf 'name: x\n' >"$work/bad/huge.yaml"
head -c 5000000 /dev/zero | tr '\0' '#' >>"$work/bad/huge.yaml"
mkdir "$work/bad/folder.yaml"
for scenario in "$source_dir"/tests/bad/*.yaml "$work"/bad/*.yaml "$work/bad/does_not_exist.yaml"; do
    name=$(basename "$scenario")
    echo "precious" >"$work/keep.h5"
    expect 2 "bad scenario $name" "$migsim" run "$scenario" -o "$work/keep.h5"
    [ "$(cat "$work/keep.h5")" = "precious" ] && ok || not_ok "$name: existing output overwritten"
    ls "$work" | grep -q '\.tmp-' && not_ok "$name: temporary file left behind" || ok
    lines=$(wc -l <"$work/err")
    [ "$lines" -eq 1 ] && ok || not_ok "$name: expected one line of error, got $lines"
    if [ -f "$scenario" ]; then
        grep -qE "^migsim: [^ ]+(:[0-9]+:[0-9]+)?: error: " "$work/err" && ok ||
            not_ok "$name: message does not name the file and place: $(cat "$work/err")"
        fragment=$(sed -n 's/^# expect: //p' "$scenario" | head -1)
        [ -n "$fragment" ] && contains "$work/err" "$fragment" "$name message"
    fi
    expect 2 "check $name" "$migsim" check "$scenario"
done

# A malformed data CSV is located too.
mkdir -p "$work/scen"
cp -r "$source_dir/scenarios/data" "$work/scen/data"
sed -i '3s/,51.18010,/,north,/; 3s/,43.25667,/,north,/' "$work/scen/data/kz_regions.csv"
printf 'name: bad-data\n' >"$work/scen/s.yaml"
expect 2 "bad data" "$migsim" run "$work/scen/s.yaml" -o "$work/keep.h5"
contains "$work/err" "kz_regions.csv:3:" "bad data location"
contains "$work/err" "expected a number for 'lat', found 'north'" "bad data message"

finish cli
