#!/bin/sh
# `make demo`: trace a real program and show what umss made of it.
set -eu
umss=${1:-build/umss}
out=${TMPDIR:-/tmp}/umss-demo.trace
echo "== umss trace -o $out -- ls /usr/share/doc/bash"
"$umss" trace -o "$out" -- ls /usr/share/doc/bash
echo
echo "== umss stats $out (first 30 lines)"
"$umss" stats "$out" | head -n 30
echo
echo "== umss show $out (first 20 instructions)"
"$umss" show --no-events "$out" | head -n 20
