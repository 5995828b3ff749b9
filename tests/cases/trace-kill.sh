#!/bin/bash
# SIGKILL from outside, engine ptrace (slow enough to be caught in the
# loop; tests/cases/ring-kill.sh does it for patch and displaced).
# 1. PROG (the 200,004-instruction loop) is SIGKILLed while being traced:
#    umss exits 128 + 9, and its trace is complete (no warning) and holds
#    part of the loop (fewer than its 200,004 instructions).
# 2. umss itself is SIGKILLed while tracing the loop: the trace is cut
#    short and `umss stats` reads it with a one-line warning (exit 0) and
#    the instructions recorded up to its last whole chunk; PROG does not
#    survive its tracer.
. tests/progs/lib.sh
prog=$PROGS/loop
[ -x "$prog" ] || fail "$prog not built"

# children_of PID: the pids whose parent is PID (from /proc, no procps
# needed; the parent pid is the second field after the command's ')').
children_of() {
	local parent=$1 stat rest pid
	for stat in /proc/[0-9]*/stat; do
		read -r rest <"$stat" 2>/dev/null || continue
		rest=${rest##*) }
		set -- $rest
		if [ "${2:-}" = "$parent" ]; then
			pid=${stat#/proc/}
			echo "${pid%/stat}"
		fi
	done
}

# traced_child UMSS_PID: the pid of the program umss runs (its child).
traced_child() {
	local pid
	for _ in $(seq 50); do
		for pid in $(children_of "$1"); do
			[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$prog" ] && { echo "$pid"; return 0; }
		done
		sleep 0.1
	done
	return 1
}

# 1. kill PROG
"$UMSS" trace -q --engine=ptrace -o "$WORK/prog-killed.trace" -- "$prog" >"$WORK/1.out" 2>"$WORK/1.err" &
upid=$!
child=$(traced_child $upid) || { kill -9 $upid; fail "no traced child of umss ($upid) running $prog"; }
sleep 1
kill -9 "$child"
wait $upid
rc=$?
[ $rc = 137 ] || fail "umss exit $rc after its program was SIGKILLed, expected 137; stderr: $(cat "$WORK/1.err")"
"$UMSS" stats "$WORK/prog-killed.trace" >"$WORK/1.stats" 2>"$WORK/1.stats.err" ||
	fail "umss stats of the killed program's trace: exit $?: $(cat "$WORK/1.stats.err")"
[ -s "$WORK/1.stats.err" ] && fail "umss stats warns about a complete trace: $(cat "$WORK/1.stats.err")"
n=$(sed -n '1s/^instructions: //p' "$WORK/1.stats")
[ -n "$n" ] && [ "$n" -lt 200004 ] ||
	fail "killed program's trace has '$n' instructions, expected fewer than 200004"
echo "program killed after $n instructions: umss exit $rc" >&2

# 2. kill umss, once the trace file has grown twice past its header (umss
# writes chunks as it goes; waiting for them rather than a fixed time keeps
# the test valid on a loaded machine, where a step can take milliseconds).
"$UMSS" trace -q --engine=ptrace -o "$WORK/umss-killed.trace" -- "$prog" >"$WORK/2.out" 2>"$WORK/2.err" &
upid=$!
child=$(traced_child $upid) || { kill -9 $upid; fail "no traced child of umss ($upid) running $prog"; }
sizes=$(stat -c %s "$WORK/umss-killed.trace")
for _ in $(seq 600); do
	size=$(stat -c %s "$WORK/umss-killed.trace")
	case " $sizes " in *" $size "*) ;; *) sizes="$sizes $size" ;; esac
	[ "$(echo "$sizes" | wc -w)" -ge 3 ] && break
	kill -0 $upid 2>/dev/null || break
	sleep 0.1
done
[ "$(echo "$sizes" | wc -w)" -ge 3 ] || echo "note: the trace file did not grow twice in 60 s (sizes $sizes)" >&2
kill -9 $upid
wait $upid
gone=no
for _ in $(seq 50); do
	[ "$(readlink "/proc/$child/exe" 2>/dev/null)" = "$prog" ] || { gone=yes; break; }
	sleep 0.1
done
if [ $gone = no ]; then
	kill -9 "$child"
	fail "the traced program ($child) still runs 5 s after umss was SIGKILLed"
fi
"$UMSS" stats "$WORK/umss-killed.trace" >"$WORK/2.stats" 2>"$WORK/2.stats.err"
rc=$?
[ $rc = 0 ] || fail "umss stats of a cut-short trace: exit $rc, expected 0: $(cat "$WORK/2.stats.err")"
[ "$(wc -l <"$WORK/2.stats.err")" = 1 ] && grep -q 'warning' "$WORK/2.stats.err" ||
	fail "umss stats of a cut-short trace: expected one warning line, got: '$(cat "$WORK/2.stats.err")'"
n=$(sed -n '1s/^instructions: //p' "$WORK/2.stats")
[ -n "$n" ] && [ "$n" -lt 200004 ] || fail "cut-short trace: '$n' instructions"
[ "$n" -gt 0 ] || fail "cut-short trace after 3 s of tracing holds no instruction (is nothing written before the end?)"
echo "umss killed: trace reads $n instructions with: $(cat "$WORK/2.stats.err")" >&2
