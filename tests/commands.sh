#!/usr/bin/env bash
# The command table: every command's help is generated and lists its own
# options; an option a command does not declare is an error (exit 2, one
# line), as are values that look like options and empty values; the man page
# and the completion script come from the same table.
# usage: commands.sh MIGSIM SOURCE_DIR
set -u
migsim=$1
source_dir=$2
# shellcheck source=tests/lib.sh
. "$source_dir/tests/lib.sh"
base="$source_dir/scenarios/baseline.yaml"

expect 0 "completion" "$migsim" --completion bash
cp "$work/out" "$work/completion.bash"
bash -n "$work/completion.bash" && ok || not_ok "the completion script is not valid bash"
# Every command's declared options, from the generated completion script.
commands=$(sed -n 's/^    \([a-z]*\)) opts="--help\(.*\)" ;;$/\1/p' "$work/completion.bash")
[ "$(echo "$commands" | wc -w)" -ge 10 ] && ok || not_ok "completion lists too few commands: $commands"
all_options=$(sed -n 's/^    [a-z]*) opts="--help\(.*\)" ;;$/\1/p' "$work/completion.bash" | tr ' ' '\n' | sort -u)
for cmd in $commands; do
    expect 0 "$cmd --help" "$migsim" "$cmd" --help
    contains "$work/out" "usage: migsim $cmd" "$cmd --help synopsis"
    own=$(sed -n "s/^    $cmd) opts=\"--help\(.*\)\" ;;\$/\1/p" "$work/completion.bash")
    for o in $own; do
        contains "$work/out" "$o" "$cmd --help lists $o"
    done
    # Each option of another command is refused by this one, before any work.
    for o in $all_options; do
        case " $own " in *" $o "*) continue ;; esac
        expect 2 "$cmd refuses $o" "$migsim" "$cmd" "$base" "$o" 1
        contains "$work/err" "'$o' is not an option of \`migsim $cmd\`" "$cmd $o message"
        [ "$(wc -l <"$work/err")" -eq 1 ] && ok || not_ok "$cmd $o: more than one line"
    done
done

# The cases of the issue: options accepted and ignored.
expect 2 "check --seed --by" "$migsim" check "$base" --seed 5 --by foo
expect 2 "run --by --at" "$migsim" run --by --at
expect 2 "compare --seed --fork-at" "$migsim" compare a.h5 b.h5 --seed --fork-at
expect 2 "bench -o --by" "$migsim" bench "$base" -o --by
# bench itself: one line per run with every stage, the warm-up and the setup, then the median.
expect 0 "bench" "$migsim" bench "$base" --scale 400 --repeat 3
[ "$(grep -c '^[123] .* migrants [0-9.]* residents [0-9.]* .* warmup [0-9.]* setup [0-9.]*$' "$work/out")" -eq 3 ] &&
    ok || not_ok "bench run lines: $(cat "$work/out")"
contains "$work/out" "median: " "bench median line"
# Values that look like options, empty values, repeats, abbreviations.
expect 2 "value is an option" "$migsim" compare a.h5 b.h5 --at --by origin
contains "$work/err" "found the option '--by'" "value-is-option message"
expect 2 "-o empty" "$migsim" run "$base" -o ''
contains "$work/err" "empty value" "empty value message"
expect 2 "--output= empty" "$migsim" run "$base" --output=
expect 0 "the last of a repeated option counts" "$migsim" check "$base" --scale 0 --scale 100
expect 2 "abbreviated option" "$migsim" run "$base" --sca 100
expect 2 "flag with a value" "$migsim" run "$base" --quiet=yes
expect 2 "missing value" "$migsim" run "$base" --seed
expect 2 "too many arguments" "$migsim" run "$base" "$base"
expect 2 "stats with an argument" "$migsim" stats x
expect 2 "params with an unknown option" "$migsim" params --yml
expect 2 "report without -o" "$migsim" report x.h5
contains "$work/err" "expected -o REPORT.html" "required option message"
expect 2 "merge of one" "$migsim" merge x.h5 -o y.h5
expect 2 "unknown top-level option" "$migsim" --frob
expect 2 "replicate too large" "$migsim" run "$base" --replicate 3000000000
contains "$work/err" "--replicate expects a whole number" "replicate bound message"
expect 2 "replicates 0" "$migsim" ensemble "$base" --replicates 0
expect 2 "ensemble without --replicates" "$migsim" ensemble "$base"
expect 2 "checkpoint without period" "$migsim" run "$base" --checkpoint x.ckpt
expect 0 "--name=value form" "$migsim" check "$base" --scale=100
expect 0 "help run" "$migsim" help run
contains "$work/out" "--checkpoint-every PERIOD" "help run lists options"
expect 2 "help of an unknown command" "$migsim" help frob
expect 0 "params --yaml" "$migsim" params --yaml
# Standard output that cannot be written is a failure.
"$migsim" params >/dev/full 2>"$work/err"
[ $? -eq 1 ] && ok || not_ok "params to a full disk did not exit 1"

# The man page is generated from the table and formats without warnings.
expect 0 "--help-man" "$migsim" --help-man
for cmd in $commands; do contains "$work/out" ".SS migsim $cmd" "man page has $cmd"; done
if command -v groff >/dev/null; then
    groff -man -Tutf8 -ww -z "$work/out" 2>"$work/groff" && [ ! -s "$work/groff" ] && ok ||
        not_ok "groff warns: $(head -c 300 "$work/groff")"
fi
finish commands
