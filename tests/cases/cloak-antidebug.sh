#!/bin/bash
# The first anti-debugging checks a Linux program makes (docs/CLOAK.md),
# answered as natively under every engine: TracerPid in the status file
# read with stdio, read(2) and pread(2) on a dup2'ed fd; PTRACE_TRACEME in
# a child (0, then EPERM) and the child's tracer is then its parent; a
# grandchild may PTRACE_TRACEME afresh (tests/progs/c/antidebug.c).
# Output and exit status as native.  The instruction streams are not
# compared: the program scans its whole status file, whose other lines
# (memory sizes, context switches) differ from run to run even natively.
. tests/progs/lib.sh
run_native native "$PROGS/antidebug"
expect_status native 0
grep -q '^child again traceme: -1 Operation not permitted$' "$WORK/native.out" ||
	fail "natively the second PTRACE_TRACEME did not fail: $(cat "$WORK/native.out")"
for engine in ptrace patch displaced; do
	"$UMSS" trace -q --engine=$engine -o "$WORK/$engine.trace" -- "$PROGS/antidebug" \
		>"$WORK/$engine.out" 2>"$WORK/$engine.err" </dev/null
	echo $? >"$WORK/$engine.status"
	same_output native $engine
	[ "$("$UMSS" stats "$WORK/$engine.trace" | sed -n 's/^processes: //p')" = 3 ] ||
		fail "$engine: not 3 processes in the trace"
	echo "ok $engine: $(count_of $engine) instructions, output as native"
done
