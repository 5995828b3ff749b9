#!/bin/bash
# The ptrace engine keeps the program's own SIGTRAP behaviour: a SIGTRAP
# handler survives being stepped (tests/progs/c/sigtrap_int3_handler.c) and
# a program that sets TF itself gets one SIGTRAP per instruction
# (tests/progs/c/own_trap_flag.c).  Output and status equal native, and two
# traces of each run are identical.  The forced trap flag does not leak
# into pushf, r11 or a signal frame (tests/progs/c/trap_flag_hidden.c), and
# a program that blocks every signal keeps SIGTRAP blocked
# (tests/progs/c/sigtrap_blocked_all.c).
set -u
fail() { echo "FAIL: $*"; exit 1; }
for prog in sigtrap_int3_handler own_trap_flag trap_flag_hidden sigtrap_blocked_all; do
	native=$("$PROGS/$prog") ; nrc=$?
	for run in 1 2; do
		got=$("$UMSS" trace -q --engine=ptrace -o "$WORK/$prog.$run" -- "$PROGS/$prog"); rc=$?
		[ "$rc" = "$nrc" ] || fail "$prog: exit $rc, natively $nrc"
		[ "$got" = "$native" ] || fail "$prog: output '$got', natively '$native'"
	done
	"$UMSS" diff "$WORK/$prog.1" "$WORK/$prog.2" >/dev/null || fail "$prog: two runs differ"
	echo "ok $prog: $native"
done
# One SIGTRAP delivery per int3, one per instruction run with TF set.
count_traps() { "$UMSS" show "$1" | grep -c '^# tid [0-9]*: signal SIGTRAP (5) .*to its handler$'; }
n=$(count_traps "$WORK/sigtrap_int3_handler.1")
[ "$n" = 3 ] || fail "sigtrap_int3_handler: $n SIGTRAP deliveries, expected 3"
n=$(count_traps "$WORK/own_trap_flag.1")
[ "$n" = 50 ] || fail "own_trap_flag: $n SIGTRAP deliveries, expected 50"
