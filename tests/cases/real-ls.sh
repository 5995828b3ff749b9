#!/bin/bash
# ls (dynamic PIE with libselinux and libpcre2): `ls -la DIR` (passwd and
# group lookups, time formatting) has the native output and status; `ls -aF
# DIR` traced twice gives identical traces.  `ls -l` reads the clock
# through the vDSO, whose seqlock loop (clock_gettime) retries whenever the
# kernel updates the time while it reads, which single-stepping at ~50 us
# an instruction makes likely, so two `ls -l` traces legitimately differ
# there.  LC_ALL=C for every run: a UTF-8 locale costs ~170,000 more steps.
# About 560,000 and 410,000 instructions a run.
. tests/progs/lib.sh
export LC_ALL=C
dir=/usr/share/doc/bash
[ -d "$dir" ] || skip "$dir missing"
run_native long.native /usr/bin/ls -la "$dir"
expect_status long.native 0
run_traced long /usr/bin/ls -la "$dir"
same_output long.native long
grep -q ' RBASH$' "$WORK/long.out" || fail "ls -la output under umss lacks RBASH: $(head -c 300 "$WORK/long.out")"
check_same_twice short /usr/bin/ls -aF "$dir"
expect_status short.native 0
grep -qx 'RBASH' "$WORK/short.1.out" || fail "ls -aF output under umss lacks RBASH: $(head -c 300 "$WORK/short.1.out")"
