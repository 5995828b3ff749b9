#!/bin/bash
# Engine patch delivers signals to the program's handlers (agent/signal.c,
# docs/AGENT.md "Signals").  Deterministic programs (raise, kill, a pending
# pair, SA_RESETHAND, SIGSEGV with siglongjmp and with a handler that moves
# rip, sigaltstack with a stack overflow, the frame printed byte for byte,
# SA_RESTART/EINTR/sigsuspend): output and exit status equal the native
# run's (ASLR off, as umss runs them), the trace is identical to the ptrace
# engine's (`umss diff`) with the same SIGNAL events, and no fallback.
# Timing-dependent ones (SIGALRM in busy loops, 1000 of them): output
# equal to native.
set -u
fail() { echo "FAIL: $*"; exit 1; }
signals_of() { "$UMSS" show "$1" | grep '^# tid [0-9]*: signal' | sed 's/^# tid [0-9]*//'; }
native() { setarch -R "$@" >"$WORK/native.out" 2>&1 </dev/null; echo $?; }
patch() {
	"$UMSS" trace -o "$WORK/patch.trace" --engine=patch -- "$@" >"$WORK/patch.out" \
		2>"$WORK/patch.err" </dev/null
	echo $?
}
exact() {
	local name=$1
	shift
	local nrc prc
	nrc=$(native "$@")
	prc=$(patch "$@")
	[ "$prc" = "$nrc" ] || fail "$name: patch exit $prc, native $nrc: $(cat "$WORK/patch.err")"
	cmp -s "$WORK/native.out" "$WORK/patch.out" ||
		fail "$name: output differs from native: $(diff "$WORK/native.out" "$WORK/patch.out" | head)"
	grep -q ' 0 fallbacks' "$WORK/patch.err" || fail "$name: fallbacks: $(cat "$WORK/patch.err")"
	"$UMSS" trace -q -o "$WORK/ptrace.trace" --engine=ptrace -- "$@" >"$WORK/ptrace.out" 2>&1 </dev/null
	"$UMSS" diff "$WORK/ptrace.trace" "$WORK/patch.trace" >"$WORK/diff.out" ||
		fail "$name: traces differ: $(head -20 "$WORK/diff.out")"
	[ "$(signals_of "$WORK/ptrace.trace")" = "$(signals_of "$WORK/patch.trace")" ] ||
		fail "$name: SIGNAL events differ: $(diff <(signals_of "$WORK/ptrace.trace") <(signals_of "$WORK/patch.trace"))"
	echo "ok $name: $(cat "$WORK/diff.out"), $(signals_of "$WORK/patch.trace" | wc -l) signals"
}
same_output() {
	local name=$1
	shift
	local nrc prc
	nrc=$(native "$@")
	prc=$(patch "$@")
	[ "$prc" = "$nrc" ] || fail "$name: patch exit $prc, native $nrc: $(cat "$WORK/patch.err")"
	cmp -s "$WORK/native.out" "$WORK/patch.out" ||
		fail "$name: output differs from native: $(diff "$WORK/native.out" "$WORK/patch.out" | head)"
	echo "ok $name: $(tail -1 "$WORK/patch.err")"
}
exact signals "$PROGS/signals"
exact sigsegv "$PROGS/sigsegv"
exact sigaltstack "$PROGS/sigaltstack"
exact sigframe "$PROGS/sigframe"
exact sigrestart "$PROGS/sigrestart"
same_output sigalrm "$PROGS/sigalrm"
same_output sigalrm_hot "$PROGS/sigalrm_hot"
