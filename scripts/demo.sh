#!/bin/sh
# `make demo`: trace a real program with the debugger baseline and with the
# user-mode engine, check both recorded the same instructions, and show
# what umss made of it.
set -eu
umss=${1:-build/umss}
dir=${TMPDIR:-/tmp}
echo "== umss trace --engine=ptrace -o $dir/umss-demo.trace -- ls /usr/share/doc/bash"
"$umss" trace --engine=ptrace -o "$dir/umss-demo.trace" -- ls /usr/share/doc/bash >"$dir/umss-demo.out"
head -n 3 "$dir/umss-demo.out"; echo "(... ls printed $(wc -l <"$dir/umss-demo.out") lines)"
echo
echo "== the same with the in-process engine: umss trace --engine=displaced"
"$umss" trace --engine=displaced -o "$dir/umss-demo-displaced.trace" -- ls /usr/share/doc/bash >"$dir/umss-demo-displaced.out"
cmp "$dir/umss-demo.out" "$dir/umss-demo-displaced.out"
echo
echo "== umss diff: the two engines recorded the same instruction stream"
"$umss" diff "$dir/umss-demo.trace" "$dir/umss-demo-displaced.trace"
echo
echo "== umss stats $dir/umss-demo.trace (first 30 lines)"
"$umss" stats "$dir/umss-demo.trace" | head -n 30
echo
echo "== umss show $dir/umss-demo.trace (first 20 instructions)"
"$umss" show --no-events "$dir/umss-demo.trace" | head -n 20
