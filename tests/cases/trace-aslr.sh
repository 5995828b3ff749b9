#!/bin/bash
# ASLR is off by default and on with --aslr.  tests/progs/aslr/stackaddr.S
# prints its initial stack pointer (141 instructions).  Without --aslr,
# two traced runs print the same address as a native run with ASLR
# disabled (setarch -R), which also shows that umss gives the program the
# same arguments, environment and auxiliary vector sizes as a native exec,
# and their traces are identical; with --aslr two runs print different
# addresses.  `env -u _` keeps bash's $_ (the path of the command it runs,
# umss or setarch) out of the program's environment.
. tests/progs/lib.sh
prog=$WORK/stackaddr
cc -nostdlib -static -no-pie -Wa,--noexecstack -o "$prog" tests/progs/aslr/stackaddr.S ||
	fail "cannot build tests/progs/aslr/stackaddr.S"
"$prog" >"$WORK/a" && "$prog" >"$WORK/b" || fail "stackaddr fails natively"
cmp -s "$WORK/a" "$WORK/b" && echo "note: two native runs printed the same stack address (ASLR off here?)" >&2

traced() { # TAG [umss options]
	local tag=$1
	shift
	env -u _ "$UMSS" trace -q "$@" -o "$WORK/$tag.trace" -- "$prog" >"$WORK/$tag.out" 2>"$WORK/$tag.err"
	echo $? >"$WORK/$tag.status"
	expect_status "$tag" 0
}
traced off1
traced off2
cmp -s "$WORK/off1.out" "$WORK/off2.out" ||
	fail "without --aslr, two traced runs start with different stacks: $(cat "$WORK/off1.out") $(cat "$WORK/off2.out")"
same_trace off1 off2
n=$(count_of off1) || exit 1
[ "$n" = 141 ] || fail "stackaddr: $n instructions, expected 141"
if command -v setarch >/dev/null; then
	env -u _ setarch x86_64 -R "$prog" >"$WORK/norandom.out" || fail "setarch -R stackaddr failed"
	cmp -s "$WORK/norandom.out" "$WORK/off1.out" ||
		fail "stack under umss $(cat "$WORK/off1.out") differs from native without ASLR $(cat "$WORK/norandom.out"): argv/envp/auxv differ in size"
fi
traced on1 --aslr
traced on2 --aslr
cmp -s "$WORK/on1.out" "$WORK/on2.out" &&
	fail "with --aslr, two traced runs start at the same stack address $(cat "$WORK/on1.out")"
cmp -s "$WORK/on1.out" "$WORK/off1.out" &&
	fail "with --aslr, the stack is where ASLR-off puts it: $(cat "$WORK/on1.out")"
exit 0
