#!/bin/bash
# A handled SIGALRM lands between two iterations of a REP MOVSB (the
# single-stepped copy of 50,000 bytes outlasts the 100 ms alarm; see
# tests/progs/timing/rep-alarm.S): the handler and its restorer are traced,
# the copy resumes and completes, and the REP MOVSB is one record, as is the
# REP STOSB before it.  Output and status equal native.
. tests/progs/lib.sh
prog=$WORK/rep-alarm
cc -nostdlib -static -no-pie -Wa,--noexecstack -o "$prog" tests/progs/timing/rep-alarm.S ||
	fail "cannot build tests/progs/timing/rep-alarm.S"
run_native native "$prog"
expect_status native 0
run_traced traced "$prog"
same_output native traced
"$UMSS" show "$WORK/traced.trace" >"$WORK/show" 2>&1 || fail "umss show: $(tail -n 3 "$WORK/show")"
copy=$(nm "$prog" | awk '$3 == "the_copy" { sub(/^0+/, "", $1); print $1 }')
[ -n "$copy" ] || fail "harness: no the_copy symbol"
grep -q "signal SIGALRM (14).* at $copy, to its handler" "$WORK/show" ||
	fail "SIGALRM was not delivered at the REP MOVSB ($copy): $(grep 'signal' "$WORK/show")"
n=$(grep -c ' the_copy+0x0 .*rep movsb' "$WORK/show")
[ "$n" = 1 ] || fail "the interrupted REP MOVSB is $n records, expected 1"
n=$(grep -c 'rep stosb' "$WORK/show")
[ "$n" = 1 ] || fail "the REP STOSB is $n records, expected 1"
for f in handler+0x0 'handler+0x7 ' restorer+0x5; do
	n=$(grep -c " $f" "$WORK/show")
	[ "$n" = 1 ] || fail "$f: $n records, expected 1 (the handler runs once)"
done
