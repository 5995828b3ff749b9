#!/bin/bash
# Engine displaced on every exact-count assembly program (tests/progs/asm):
# the exit status and stdout equal the native run's and the ptrace
# engine's, the count is the one the program states (expect-instructions)
# and `umss diff` finds the displaced and ptrace traces identical.  Programs
# too long for ptrace (more than 1,000,000 instructions stated) are only
# checked against their stated count.
set -u
fail() { echo "FAIL: $*"; exit 1; }
count() { "$UMSS" stats "$1" | sed -n '1s/^instructions: //p'; }
n=0
for src in tests/progs/asm/*.S; do
	name=$(basename "$src" .S)
	prog="$PROGS/$name"
	want=$(sed -n 's/.*expect-instructions: *\([0-9]*\).*/\1/p' "$src")
	status=$(sed -n 's/.*expect-status: *\([0-9]*\).*/\1/p' "$src")
	[ -x "$prog" ] || fail "$name: not built"
	"$prog" >"$WORK/native.out" 2>/dev/null
	native=$?
	"$UMSS" trace -q -o "$WORK/displaced.trace" --engine=displaced -- "$prog" >"$WORK/displaced.out" 2>"$WORK/displaced.err"
	rc=$?
	[ $rc = "$native" ] || fail "$name: displaced exit $rc, native $native: $(cat "$WORK/displaced.err")"
	[ $rc = "$status" ] || fail "$name: exit $rc, stated $status"
	cmp -s "$WORK/native.out" "$WORK/displaced.out" || fail "$name: stdout differs from native"
	got=$(count "$WORK/displaced.trace")
	[ "$got" = "$want" ] || fail "$name: displaced counted $got, stated $want"
	if [ "$want" -le 1000000 ]; then
		"$UMSS" trace -q -o "$WORK/ptrace.trace" --engine=ptrace -- "$prog" >"$WORK/ptrace.out" 2>/dev/null
		[ $? = "$native" ] || fail "$name: ptrace exit status"
		cmp -s "$WORK/native.out" "$WORK/ptrace.out" || fail "$name: ptrace stdout"
		[ "$(count "$WORK/ptrace.trace")" = "$got" ] || fail "$name: ptrace and displaced counts differ"
		"$UMSS" diff "$WORK/ptrace.trace" "$WORK/displaced.trace" >"$WORK/diff.out" ||
			fail "$name: traces differ: $(head -20 "$WORK/diff.out")"
	fi
	echo "ok $name: $got instructions, exit $rc"
	n=$((n + 1))
done
[ $n -ge 1 ] || fail "no programs"
