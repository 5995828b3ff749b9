#!/bin/bash
# Engine patch delivers signals to the program's handlers (agent/signal.c,
# docs/AGENT.md "Signals").  Deterministic programs (raise, kill, a pending
# pair, SA_RESETHAND, SIGSEGV with siglongjmp and with a handler that moves
# rip, sigaltstack with a stack overflow, jmp/call/ret faulting on their
# target or return address, the frame printed byte for byte,
# SA_RESTART/EINTR/sigsuspend): output and exit status equal the native
# run's (ASLR off, as umss runs them), the trace is identical to the ptrace
# engine's (`umss diff`) with the same SIGNAL events, and no fallback
# but the int3s of a SIGTRAP handler's program (int3 is always stepped by
# the kernel).  Timing-dependent ones (SIGALRM in busy loops, 1000 of
# them) and python3 with a signal handler: output equal to native, no
# fallback.  SIGNAL_ENGINE=displaced runs the same checks under engine
# displaced (tests/cases/displaced-signals.sh).
set -u
engine=${SIGNAL_ENGINE:-patch}
fail() { echo "FAIL: $*"; exit 1; }
signals_of() { "$UMSS" show "$1" | grep '^# tid [0-9]*: signal' | sed 's/^# tid [0-9]*//'; }
# The native run gets the environment umss gives the program (bash sets
# `_` to the command it runs): its size moves the stack, which the printed
# frames show.
native() { env _="$UMSS" setarch -R "$@" >"$WORK/native.out" 2>&1 </dev/null; echo $?; }
patch() {
	"$UMSS" trace -o "$WORK/patch.trace" --engine="$engine" -- "$@" >"$WORK/patch.out" \
		2>"$WORK/patch.err" </dev/null
	echo $?
}
exact() {
	local name=$1 fallbacks=$2
	shift 2
	local nrc prc
	nrc=$(native "$@")
	prc=$(patch "$@")
	[ "$prc" = "$nrc" ] || fail "$name: $engine exit $prc, native $nrc: $(cat "$WORK/patch.err")"
	cmp -s "$WORK/native.out" "$WORK/patch.out" ||
		fail "$name: output differs from native: $(diff "$WORK/native.out" "$WORK/patch.out" | head)"
	grep -q " $fallbacks fallbacks" "$WORK/patch.err" || fail "$name: fallbacks: $(cat "$WORK/patch.err")"
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
	[ "$prc" = "$nrc" ] || fail "$name: $engine exit $prc, native $nrc: $(cat "$WORK/patch.err")"
	cmp -s "$WORK/native.out" "$WORK/patch.out" ||
		fail "$name: output differs from native: $(diff "$WORK/native.out" "$WORK/patch.out" | head)"
	grep -q ' 0 fallbacks' "$WORK/patch.err" || fail "$name: fallbacks: $(cat "$WORK/patch.err")"
	echo "ok $name: $(tail -1 "$WORK/patch.err")"
}
exact signals 0 "$PROGS/signals"
exact sigsegv 0 "$PROGS/sigsegv"
exact sigaltstack 0 "$PROGS/sigaltstack"
exact sigframe 0 "$PROGS/sigframe"
exact sigrestart 0 "$PROGS/sigrestart"
exact sigtrap_int3_handler 3 "$PROGS/sigtrap_int3_handler"
# patch cannot find the next instruction of a branch whose target or
# return address is unreadable: 3 fallbacks (displaced runs all 4 in stubs).
branch_fallbacks=0
[ "$engine" = patch ] && branch_fallbacks=3
exact branch_faults $branch_fallbacks "$PROGS/branch_faults"
# The program sets TF itself and counts 50 SIGTRAPs: both engines have the
# kernel step each instruction while TF is set (51 fallbacks: the 50
# trapped instructions and the popf).
exact own_trap_flag 51 "$PROGS/own_trap_flag"
same_output sigalrm "$PROGS/sigalrm"
same_output sigalrm_hot "$PROGS/sigalrm_hot"
# Timer signals while 2000 branches run for the first time, then again
# (signals delivered where instructions are first built: a linked-stub
# version of displaced once sent an exit into the handler): three runs.
for run in 1 2 3; do
	same_output "signal_first_exits run $run" "$PROGS/signal_first_exits"
done
same_output python3-signal /usr/bin/python3 -c 'import signal, os
signal.signal(signal.SIGUSR1, lambda s, f: print("handler got", s))
os.kill(os.getpid(), signal.SIGUSR1)
print("done")' 
