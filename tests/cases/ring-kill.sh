#!/bin/bash
# The agent's trace ring keeps everything recorded when the program dies
# without a ptrace stop (docs/AGENT.md "Trace ring").
# 1. ticker (400 ticks of 131,080 instructions, each ending with a write
#    of one byte) is SIGKILLed from outside at a random moment under the
#    engines patch and displaced, twice each (the second time while it is
#    in a ptrace stop, if it makes one within 0.25 s): umss exits 128 + 9, the
#    trace reads without a warning and is an exact prefix of a complete
#    trace (`umss diff` finds the first difference where the killed one
#    ends), and it holds every write the output shows (at most the last
#    one, which the agent records when the syscall returns, may be
#    missing): nothing was lost in the middle or at the end.
# 2. umss itself is SIGKILLed under displaced once its trace file grew
#    twice: the trace reads up to its last chunk with one warning, and
#    the program does not outlive its tracer.
. tests/progs/lib.sh
prog=$PROGS/ticker
[ -x "$prog" ] || fail "$prog not built"

# traced_child UMSS_PID: the pid of the program umss runs.
traced_child() {
	local pid
	for _ in $(seq 100); do
		for pid in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
			[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$prog" ] && { echo "$pid"; return 0; }
		done
		sleep 0.05
	done
	return 1
}

"$UMSS" trace -q --engine=displaced -o "$WORK/full.trace" -- "$prog" >"$WORK/full.out" 2>"$WORK/full.err" ||
	fail "complete run: exit $?: $(cat "$WORK/full.err")"
[ "$(stat -c %s "$WORK/full.out")" = 400 ] || fail "complete run wrote $(stat -c %s "$WORK/full.out") bytes, expected 400"

# when_stopped PID: waits (up to 0.25 s) until PID is in a ptrace stop, the
# moment an agent's words were most at risk before the ring (a full
# buffer's stop, the tracer about to read it).
when_stopped() {
	local stat end=$(( ${EPOCHREALTIME/./} + 250000 ))
	while [ "${EPOCHREALTIME/./}" -lt $end ]; do
		read -r stat <"/proc/$1/stat" 2>/dev/null || return
		stat=${stat##*) }
		[ "${stat%% *}" = t ] && return
	done
}

for round in patch:random displaced:random patch:stopped displaced:stopped; do
	engine=${round%:*}
	t=$WORK/$engine.trace
	"$UMSS" trace -q --engine=$engine -o "$t" -- "$prog" >"$WORK/k.out" 2>"$WORK/k.err" &
	upid=$!
	child=$(traced_child $upid) || { kill -9 $upid; fail "no traced child of umss ($upid)"; }
	# At a random moment after the first tick (the agent runs by then).
	for _ in $(seq 600); do
		[ -s "$WORK/k.out" ] && break
		sleep 0.05
	done
	sleep "0.$((RANDOM % 2))$((RANDOM % 10))"
	[ "${round#*:}" = stopped ] && when_stopped "$child"
	kill -9 "$child"
	wait $upid
	rc=$?
	wrote=$(stat -c %s "$WORK/k.out")
	if [ $rc = 0 ] && [ "$wrote" = 400 ]; then
		echo "note: $round: the program finished before the kill (a loaded machine); round skipped" >&2
		continue
	fi
	[ $rc = 137 ] || fail "$engine: umss exit $rc after its program was SIGKILLed, expected 137: $(cat "$WORK/k.err")"
	"$UMSS" stats --top 0 "$t" >"$WORK/k.stats" 2>"$WORK/k.stats.err" ||
		fail "$engine: umss stats: exit $?: $(cat "$WORK/k.stats.err")"
	[ -s "$WORK/k.stats.err" ] && fail "$engine: umss stats warns: $(cat "$WORK/k.stats.err")"
	n=$(sed -n '1s/^instructions: //p' "$WORK/k.stats")
	in_write=$(awk '$3 == "write_x" { print $1 }' "$WORK/k.stats")
	writes=$(( ${in_write:-0} / 5 ))
	[ "$writes" = "$wrote" ] || [ $((writes + 1)) = "$wrote" ] ||
		fail "$engine: the trace holds $writes writes, the program wrote $wrote bytes"
	"$UMSS" diff "$WORK/full.trace" "$t" >"$WORK/k.diff" 2>&1
	head -n 1 "$WORK/k.diff" | grep -q "instruction $n\$" && grep -q "thread ended after $n instructions" "$WORK/k.diff" ||
		fail "$engine: the killed trace ($n instructions) is not a prefix of the complete one: $(head -n 20 "$WORK/k.diff")"
	echo "$round: killed after $n instructions, $wrote ticks written, $writes in the trace" >&2
done

# 2. kill umss
t=$WORK/umss-killed.trace
"$UMSS" trace -q --engine=displaced -o "$t" -- "$prog" >"$WORK/2.out" 2>"$WORK/2.err" &
upid=$!
child=$(traced_child $upid) || { kill -9 $upid; fail "no traced child of umss ($upid)"; }
sizes=$(stat -c %s "$t")
for _ in $(seq 600); do
	size=$(stat -c %s "$t")
	case " $sizes " in *" $size "*) ;; *) sizes="$sizes $size" ;; esac
	[ "$(echo "$sizes" | wc -w)" -ge 3 ] && break
	kill -0 $upid 2>/dev/null || break
	sleep 0.02
done
kill -9 $upid
wait $upid
for _ in $(seq 50); do
	[ "$(readlink "/proc/$child/exe" 2>/dev/null)" = "$prog" ] || break
	sleep 0.1
done
if [ "$(readlink "/proc/$child/exe" 2>/dev/null)" = "$prog" ]; then
	kill -9 "$child"
	fail "the traced program ($child) still runs 5 s after umss was SIGKILLed"
fi
"$UMSS" stats "$t" >"$WORK/2.stats" 2>"$WORK/2.stats.err"
rc=$?
[ $rc = 0 ] || fail "umss stats of a cut-short trace: exit $rc, expected 0: $(cat "$WORK/2.stats.err")"
[ "$(wc -l <"$WORK/2.stats.err")" = 1 ] && grep -q 'warning' "$WORK/2.stats.err" ||
	fail "umss stats of a cut-short trace: expected one warning line, got: '$(cat "$WORK/2.stats.err")'"
n=$(sed -n '1s/^instructions: //p' "$WORK/2.stats")
[ -n "$n" ] && [ "$n" -gt 0 ] && [ "$n" -lt 52432004 ] || fail "cut-short trace: '$n' instructions"
"$UMSS" diff "$WORK/full.trace" "$t" >"$WORK/2.diff" 2>&1
grep -q "thread ended after $n instructions" "$WORK/2.diff" ||
	fail "the cut-short trace ($n instructions) is not a prefix of the complete one: $(head -n 20 "$WORK/2.diff")"
echo "umss killed: trace reads $n instructions with: $(cat "$WORK/2.stats.err")" >&2
