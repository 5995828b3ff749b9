#!/bin/bash
# Engine displaced on dynamic single-threaded C programs (/bin/true, the
# control-transfer program tests/progs/c/control.c, /bin/echo, ls -s1):
# stdout and exit status equal the native run's, `umss diff` finds the
# displaced trace identical to the ptrace engine's (ls: identical to the
# patch engine's, ptrace would take minutes), and there is no fallback.
# Not ls -l: it reads the clock, and the vdso's clock_gettime retries its
# seqlock loop when the kernel updates the time under it, so two runs may
# differ by a few instructions whatever the engine.
set -u
fail() { echo "FAIL: $*"; exit 1; }
one() {
	local name=$1 ref=$2
	shift 2
	"$@" >"$WORK/native.out" 2>/dev/null </dev/null
	local native=$?
	"$UMSS" trace -o "$WORK/displaced.trace" --engine=displaced -- "$@" >"$WORK/displaced.out" 2>"$WORK/displaced.err" </dev/null
	local rc=$?
	[ $rc = $native ] || fail "$name: displaced exit $rc, native $native: $(cat "$WORK/displaced.err")"
	cmp -s "$WORK/native.out" "$WORK/displaced.out" || fail "$name: output differs from native"
	grep -q ' 0 fallbacks' "$WORK/displaced.err" || fail "$name: fallbacks: $(cat "$WORK/displaced.err")"
	"$UMSS" trace -q -o "$WORK/ref.trace" --engine="$ref" -- "$@" >"$WORK/ref.out" 2>/dev/null </dev/null
	[ $? = $native ] || fail "$name: $ref exit status"
	"$UMSS" diff "$WORK/ref.trace" "$WORK/displaced.trace" >"$WORK/diff.out" ||
		fail "$name: traces differ from $ref: $(head -20 "$WORK/diff.out")"
	echo "ok $name: $(cat "$WORK/diff.out")"
}
one true ptrace /bin/true
one control ptrace "$PROGS/control"
one echo ptrace /bin/echo hello world
one output ptrace "$PROGS/output"
one ls patch ls -s1 /usr/share/doc/bash /usr/share/doc/coreutils
