#!/bin/bash
# Engine displaced on every exact-count assembly program (tests/progs/asm):
# the exit status and stdout equal the native run's and the ptrace
# engine's, the count is the one the program states (expect-instructions)
# and `umss diff` finds the displaced and ptrace traces identical.  Programs
# too long for ptrace (more than 1,000,000 instructions stated) are only
# checked against their stated count.  Every program is tried; the test
# fails at the end with the list of those that did not pass.
set -u
fail() { echo "FAIL: $*"; exit 1; }
failed=""
bad() { echo "FAIL: $*"; failed="$failed $name"; }
count() { "$UMSS" stats "$1" | sed -n '1s/^instructions: //p'; }
n=0
for src in tests/progs/asm/*.S; do
	name=$(basename "$src" .S)
	prog="$PROGS/$name"
	want=$(sed -n 's/.*expect-instructions: *\([0-9]*\).*/\1/p' "$src")
	status=$(sed -n 's/.*expect-status: *\([0-9]*\).*/\1/p' "$src")
	[ -x "$prog" ] || { bad "$name: not built"; continue; }
	"$prog" >"$WORK/native.out" 2>/dev/null
	native=$?
	"$UMSS" trace -q -o "$WORK/displaced.trace" --engine=displaced -- "$prog" >"$WORK/displaced.out" 2>"$WORK/displaced.err"
	rc=$?
	[ $rc = "$native" ] || { bad "$name: displaced exit $rc, native $native: $(cat "$WORK/displaced.err")"; continue; }
	[ $rc = "$status" ] || { bad "$name: exit $rc, stated $status"; continue; }
	cmp -s "$WORK/native.out" "$WORK/displaced.out" || { bad "$name: stdout differs from native"; continue; }
	got=$(count "$WORK/displaced.trace")
	[ "$got" = "$want" ] || { bad "$name: displaced counted $got, stated $want"; continue; }
	if [ "$want" -le 1000000 ]; then
		"$UMSS" trace -q -o "$WORK/ptrace.trace" --engine=ptrace -- "$prog" >"$WORK/ptrace.out" 2>/dev/null
		[ $? = "$native" ] || { bad "$name: ptrace exit status"; continue; }
		cmp -s "$WORK/native.out" "$WORK/ptrace.out" || { bad "$name: ptrace stdout"; continue; }
		[ "$(count "$WORK/ptrace.trace")" = "$got" ] || { bad "$name: ptrace and displaced counts differ"; continue; }
		"$UMSS" diff "$WORK/ptrace.trace" "$WORK/displaced.trace" >"$WORK/diff.out" ||
			{ bad "$name: traces differ: $(head -20 "$WORK/diff.out")"; continue; }
	fi
	echo "ok $name: $got instructions, exit $rc"
	n=$((n + 1))
done
[ $n -ge 1 ] || fail "no programs"
[ -z "$failed" ] || fail "not as natively:$failed"
