# Shared by tests/cases/{patch,displaced}-asm.sh (sourced, never run):
# check_engine_on_asm ENGINE REFUSABLE...
#
# Runs every exact-count assembly program (tests/progs/asm) under ENGINE:
# the exit status and stdout equal the native run's, the count is the one
# the program states (expect-instructions) and `umss diff` finds the trace
# identical to the ptrace engine's.  Programs too long for ptrace (more
# than 1,000,000 instructions stated) are only checked against their
# stated count.  A program named in REFUSABLE does something ENGINE does
# not support yet; it must then be refused the documented way (exit 2, a
# message naming what it met), or else pass like any other.  Every program
# is tried; the test fails at the end with the list of those that did not
# pass.
check_engine_on_asm() {
	local engine=$1 refusable=" ${*:2} " failed="" n=0 name
	count() { "$UMSS" stats "$1" | sed -n '1s/^instructions: //p'; }
	bad() { echo "FAIL: $*"; failed="$failed $name"; }
	for src in tests/progs/asm/*.S; do
		name=$(basename "$src" .S)
		local prog="$PROGS/$name" trace="$WORK/$engine.trace"
		local want status native rc got
		want=$(sed -n 's/.*expect-instructions: *\([0-9]*\).*/\1/p' "$src")
		status=$(sed -n 's/.*expect-status: *\([0-9]*\).*/\1/p' "$src")
		[ -x "$prog" ] || { bad "$name: not built"; continue; }
		{ "$prog" >"$WORK/native.out" 2>/dev/null </dev/null; } 2>/dev/null
		native=$?
		"$UMSS" trace -q -o "$trace" --engine="$engine" -- "$prog" \
			>"$WORK/$engine.out" 2>"$WORK/$engine.err" </dev/null
		rc=$?
		if [ $rc = 2 ] && [ "$native" != 2 ] && [[ $refusable == *" $name "* ]]; then
			grep -q "engine $engine does not support this yet: " "$WORK/$engine.err" ||
				{ bad "$name: exit 2 without naming what is unsupported: $(cat "$WORK/$engine.err")"; continue; }
			echo "refused $name, as expected for now: $(grep -o 'does not support this yet: .*' "$WORK/$engine.err")"
			continue
		fi
		[ $rc = "$native" ] || { bad "$name: $engine exit $rc, native $native: $(cat "$WORK/$engine.err")"; continue; }
		[ $rc = "$status" ] || { bad "$name: exit $rc, stated $status"; continue; }
		cmp -s "$WORK/native.out" "$WORK/$engine.out" || { bad "$name: stdout differs from native"; continue; }
		got=$(count "$trace")
		[ "$got" = "$want" ] || { bad "$name: $engine counted $got, stated $want"; continue; }
		if [ "$want" -le 1000000 ]; then
			"$UMSS" trace -q -o "$WORK/ptrace.trace" --engine=ptrace -- "$prog" \
				>"$WORK/ptrace.out" 2>/dev/null </dev/null
			[ $? = "$native" ] || { bad "$name: ptrace exit status"; continue; }
			"$UMSS" diff "$WORK/ptrace.trace" "$trace" >"$WORK/diff.out" ||
				{ bad "$name: traces differ: $(head -20 "$WORK/diff.out")"; continue; }
		fi
		echo "ok $name: $got instructions, exit $rc"
		n=$((n + 1))
	done
	[ $n -ge 1 ] || { echo "FAIL: no programs"; return 1; }
	[ -z "$failed" ] || { echo "FAIL: not as natively:$failed"; return 1; }
}
