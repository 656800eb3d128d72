# Helpers shared by the end-to-end test scripts (sourced, not run):
# counters, `expect CODE WHAT COMMAND...`, `contains FILE TEXT WHAT`, and a
# work folder removed on exit. Each script ends with `finish NAME`.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); }
not_ok() { failed=$((failed + 1)); echo "FAIL: $*"; }

# Runs a command and checks its exit code; its output is in $work/out and $work/err.
expect() {
    local code=$1 what=$2
    shift 2
    "$@" >"$work/out" 2>"$work/err"
    local got=$?
    if [ "$got" -eq "$code" ]; then ok; else not_ok "$what: exit $got, expected $code ($(head -c 300 "$work/err"))"; fi
}

contains() { # FILE TEXT WHAT
    if grep -qF -- "$2" "$1"; then ok; else not_ok "$3: '$2' not in $(head -c 400 "$1")"; fi
}

# Asserts that HDF5 files hold byte-identical datasets.
same() {
    if /usr/bin/python3 "$source_dir/tests/compare_datasets.py" "$@" >"$work/cmp"; then ok; else not_ok "$(cat "$work/cmp")"; fi
}

finish() {
    echo "$1: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
