#!/bin/bash
# Signals landing anywhere in the agent (engines patch and displaced): an
# outside process sends SIGURG (ignored by default, yet every one stops a
# traced thread) every 20 µs to loop20m while it runs.  The tracer reads
# the agent's trace buffer at each such stop; the agent may be in the
# middle of appending to it (disp_exit, emit()), so the count must still
# be exactly the 20,000,004 instructions loop20m states, exit 0.
set -u
fail() { echo "FAIL: $*"; exit 1; }
want=20000004
# traced PID: the descendant of PID running loop20m (from /proc).
traced() {
	local pids=$1 all="" pid
	for _ in $(seq 200); do
		for pid in $pids; do
			all="$all $(cat /proc/"$pid"/task/*/children 2>/dev/null)"
		done
		for pid in $all; do
			[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$PROGS/loop20m" ] &&
				{ echo "$pid"; return 0; }
		done
		pids="$1 $all"
		all=""
		sleep 0.01
	done
	return 1
}
for engine in displaced patch; do
	"$UMSS" trace -o "$WORK/$engine.trace" --engine=$engine -- "$PROGS/loop20m" \
		>"$WORK/$engine.out" 2>"$WORK/$engine.err" </dev/null &
	tracer=$!
	# The agent must be running first: signals during its injection are
	# another matter (tracer/inject.c's remote system calls).
	child=$(traced "$tracer") || fail "$engine: no traced loop20m under umss ($tracer)"
	sleep 0.1
	sent=$("$PROGS/sigspam" "$child" 23)
	wait "$tracer"
	rc=$?
	[ $rc = 0 ] || fail "$engine: exit $rc: $(cat "$WORK/$engine.err")"
	got=$("$UMSS" stats "$WORK/$engine.trace" | sed -n '1s/^instructions: //p')
	[ "$got" = "$want" ] || fail "$engine: $got instructions with $sent SIGURGs, want $want"
	echo "ok $engine: $got instructions, $sent SIGURGs sent"
done
