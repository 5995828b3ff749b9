#!/bin/sh
# A short differential fuzz run against Zydis (2,000,000 random structured
# byte strings, fixed seed); `build/decoder-fuzz N SEED` runs longer ones.
set -u
out=$("$BUILD/decoder-fuzz" -q 2000000 12345)
printf '%s\n' "$out" | tail -n 20
case $(printf '%s\n' "$out" | tail -n 1) in
"fuzzed 2000000 strings, 0 mismatches,"*) exit 0 ;;
*) exit 1 ;;
esac
