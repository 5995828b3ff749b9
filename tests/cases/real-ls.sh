#!/bin/bash
# ls -la of a fixed directory (dynamic PIE, libselinux, passwd/group lookups,
# time formatting): output and status equal native; two traces identical.
# LC_ALL=C for both: loading a UTF-8 locale costs ~170,000 more steps.
# About 560,000 instructions a run.
. tests/progs/lib.sh
export LC_ALL=C
dir=/usr/share/doc/bash
[ -d "$dir" ] || skip "$dir missing"
check_same_twice ls /usr/bin/ls -la "$dir"
expect_status ls.native 0
grep -q ' RBASH$' "$WORK/ls.1.out" || fail "ls output under umss lacks RBASH: $(head -c 300 "$WORK/ls.1.out")"
