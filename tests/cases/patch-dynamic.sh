#!/bin/bash
# Engine patch on dynamic single-threaded C programs (/bin/true, the
# control-transfer program tests/progs/c/control.c, /bin/echo): output and
# exit status equal the native run's, `umss diff` finds the patch trace
# identical to the ptrace engine's, and there is no fallback at all (the
# vdso, which cannot be made writable here, is patched through
# /proc/self/mem).
set -u
fail() { echo "FAIL: $*"; exit 1; }
one() {
	local name=$1
	shift
	"$@" >"$WORK/native.out" 2>&1 </dev/null
	local native=$?
	"$UMSS" trace -o "$WORK/patch.trace" --engine=patch -- "$@" >"$WORK/patch.out" 2>"$WORK/patch.err" </dev/null
	local rc=$?
	[ $rc = $native ] || fail "$name: patch exit $rc, native $native: $(cat "$WORK/patch.err")"
	cmp -s "$WORK/native.out" "$WORK/patch.out" || fail "$name: output differs from native"
	grep -q ' 0 fallbacks' "$WORK/patch.err" || fail "$name: fallbacks: $(cat "$WORK/patch.err")"
	"$UMSS" trace -q -o "$WORK/ptrace.trace" --engine=ptrace -- "$@" >"$WORK/ptrace.out" 2>&1 </dev/null
	[ $? = $native ] || fail "$name: ptrace exit status"
	"$UMSS" diff "$WORK/ptrace.trace" "$WORK/patch.trace" >"$WORK/diff.out" ||
		fail "$name: traces differ: $(head -20 "$WORK/diff.out")"
	echo "ok $name: $(cat "$WORK/diff.out")"
}
one true /bin/true
one control "$PROGS/control"
one echo /bin/echo hello world
