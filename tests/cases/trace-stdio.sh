#!/bin/bash
# PROG's stdio is untouched and umss speaks only on stderr: without -q,
# stderr is PROG's stderr plus exactly one summary line naming the count;
# with -q, exactly PROG's stderr.  PROG inherits the same file descriptors
# as natively (none of umss's own leak into it, none of the caller's are
# lost).
. tests/progs/lib.sh
bb=/bin/busybox
[ -x "$bb" ] || skip "$bb missing (Debian package busybox-static)"

"$UMSS" trace -o "$WORK/loud.trace" -- "$PROGS/calls" >"$WORK/loud.out" 2>"$WORK/loud.err"
rc=$?
[ $rc = 0 ] || fail "calls under umss: exit $rc: $(cat "$WORK/loud.err")"
[ -s "$WORK/loud.out" ] && fail "umss wrote to stdout: $(cat "$WORK/loud.out")"
[ "$(wc -l <"$WORK/loud.err")" = 1 ] || fail "expected one summary line on stderr, got: $(cat "$WORK/loud.err")"
grep -qw 820 "$WORK/loud.err" || fail "the summary does not give the count (820): $(cat "$WORK/loud.err")"

script='echo out; echo err >&2; exit 3'
"$UMSS" trace -o "$WORK/sh.trace" -- "$bb" sh -c "$script" >"$WORK/sh.out" 2>"$WORK/sh.err"
rc=$?
[ $rc = 3 ] || fail "busybox sh under umss: exit $rc, expected 3: $(cat "$WORK/sh.err")"
[ "$(cat "$WORK/sh.out")" = out ] || fail "stdout '$(cat "$WORK/sh.out")', expected 'out'"
[ "$(head -n 1 "$WORK/sh.err")" = err ] || fail "stderr does not start with the program's 'err': $(cat "$WORK/sh.err")"
[ "$(wc -l <"$WORK/sh.err")" = 2 ] || fail "stderr: expected 'err' and one summary line, got: $(cat "$WORK/sh.err")"
"$UMSS" trace -q -o "$WORK/shq.trace" -- "$bb" sh -c "$script" >"$WORK/shq.out" 2>"$WORK/shq.err"
rc=$?
[ $rc = 3 ] || fail "busybox sh under umss -q: exit $rc, expected 3"
[ "$(cat "$WORK/shq.err")" = err ] || fail "with -q, stderr is '$(cat "$WORK/shq.err")', expected only 'err'"

# File descriptors: the caller's fd 5 stays open, no extra one appears.
"$bb" ls /proc/self/fd 5>"$WORK/five" >"$WORK/fd.native" 2>&1
"$UMSS" trace -q -o "$WORK/fd.trace" -- "$bb" ls /proc/self/fd 5>"$WORK/five" >"$WORK/fd.traced" 2>&1
cmp -s "$WORK/fd.native" "$WORK/fd.traced" ||
	fail "open fds differ: native '$(tr '\n' ' ' <"$WORK/fd.native")', traced '$(tr '\n' ' ' <"$WORK/fd.traced")'"
grep -qx 5 "$WORK/fd.traced" || fail "fd 5 was not inherited: $(tr '\n' ' ' <"$WORK/fd.traced")"
