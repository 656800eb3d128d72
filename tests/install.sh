#!/usr/bin/env bash
# Install: `cmake --install` into a temporary prefix puts the binary, both
# libraries, the public header only, pkg-config and CMake package files, the
# man page and the scenarios with their data in place; a small C program
# builds against it with pkg-config and with find_package; the installed
# binary runs an installed scenario from a folder far from the source tree,
# also after the prefix is moved.
# usage: install.sh MIGSIM SOURCE_DIR
set -u
migsim=$1
source_dir=$2
# shellcheck source=tests/lib.sh
. "$source_dir/tests/lib.sh"
build_dir=$(cd "$(dirname "$migsim")" && pwd)
prefix=$work/prefix
expect 0 "cmake --install" cmake --install "$build_dir" --prefix "$prefix"
for f in bin/migsim lib/libmigsim.so lib/libmigsim.a include/migsim/migsim.h \
         lib/pkgconfig/migsim.pc lib/cmake/migsim/migsimConfig.cmake share/man/man1/migsim.1 \
         share/migsim/scenarios/baseline.yaml share/migsim/scenarios/data/kz_regions.csv \
         share/migsim/scenarios/data/SOURCES.md share/migsim/scenarios/targets/baseline.yaml; do
    [ -e "$prefix/$f" ] && ok || not_ok "not installed: $f"
done
# Only the public header: the modules' headers stay private.
headers=$(cd "$prefix/include" && find . -type f | sort | tr '\n' ' ')
[ "$headers" = "./migsim/migsim.h " ] && ok || not_ok "installed headers: $headers"
# The man page comes from the command table: a page, with every command.
head -1 "$prefix/share/man/man1/migsim.1" | grep -q '^\.TH MIGSIM 1' && ok || not_ok "man page header"
for c in run check compare calibrate ensemble merge report export params stats bench; do
    grep -qw -- "$c" "$prefix/share/man/man1/migsim.1" && ok || not_ok "man page lacks the command $c"
done
if command -v man >/dev/null; then
    expect 0 "man renders the page" man -l "$prefix/share/man/man1/migsim.1"
fi

# Far from the source tree: no scenarios/ or build/ in the working folder.
mkdir -p "$work/elsewhere" && cd "$work/elsewhere" || exit 1
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
scenarios=$(pkg-config --variable=scenariodir migsim)
[ "$(realpath "$scenarios")" = "$(realpath "$prefix/share/migsim/scenarios")" ] && ok \
    || not_ok "scenariodir is $scenarios"
expect 0 "installed run" "$prefix/bin/migsim" run "$scenarios/baseline.yaml" --scale 4000 -o run.h5 --quiet
expect 0 "installed check of every scenario" bash -c \
    "for s in '$scenarios'/*.yaml; do '$prefix/bin/migsim' check \"\$s\" || exit 1; done"
# pkg-config: compile and link a program against the shared library.
expect 0 "cc with pkg-config" cc -o hello "$source_dir/tests/install/hello.c" \
    $(pkg-config --cflags --libs migsim) -Wl,-rpath,"$(pkg-config --variable=libdir migsim)"
expect 0 "hello" ./hello "$scenarios/baseline.yaml" hello.h5 "$source_dir/tests/bad/out_of_range.yaml"
contains "$work/out" "libmigsim " "hello prints the version"
contains "$work/out" "out_of_range.yaml:3:" "hello gets the located message"
[ -s hello.h5 ] && ok || not_ok "hello wrote no file"
# find_package(migsim): both the shared and the static library.
expect 0 "find_package configure" cmake -S "$source_dir/tests/install" -B cmake-build \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release
expect 0 "find_package build" cmake --build cmake-build
expect 0 "static hello" cmake-build/hello_static "$scenarios/baseline.yaml" static.h5 \
    "$source_dir/tests/bad/out_of_range.yaml"
# Moved prefix: the binary still finds the scenarios' data beside them.
mv "$prefix" "$work/moved"
expect 0 "run from a moved prefix" "$work/moved/bin/migsim" run \
    "$work/moved/share/migsim/scenarios/doubled_permit_fee.yaml" --scale 4000 -o moved.h5 --quiet
finish install
