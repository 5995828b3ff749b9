#!/bin/bash
# umss exits with the program's status: exit codes 0, 1, 255, 256 (the
# kernel keeps the low 8 bits: 0) and 300 (44), and 128 + N when the
# program is killed by signal N: SIGTERM 143, SIGABRT 134 (no core file:
# ulimit -c 0), SIGPIPE 141, SIGUSR1 138.  tests/progs/asm/status.S ends as
# its argument says; each traced run also gives the native count of
# instructions (the same code runs: 21 for one digit, 37 for three, 50 for
# a self-kill by a four-digit code).
. tests/progs/lib.sh
ulimit -c 0
prog=$PROGS/status
[ -x "$prog" ] || fail "$prog not built"
for spec in 0:0:21 1:1:21 255:255:37 256:0:37 300:44:37 1015:143:50 1006:134:50 1013:141:50 1010:138:50; do
	IFS=: read -r arg want count <<<"$spec"
	"$prog" "$arg" 2>/dev/null
	native=$?
	[ $native = "$want" ] || fail "harness: status $arg exits $native natively, expected $want"
	"$UMSS" trace -q -o "$WORK/t.trace" -- "$prog" "$arg" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	[ $rc = "$want" ] || fail "umss trace -- status $arg: exit $rc, expected $want (native $native): $(cat "$WORK/err")"
	[ -s "$WORK/err" ] && fail "umss trace -q -- status $arg wrote to stderr: $(cat "$WORK/err")"
	n=$("$UMSS" stats "$WORK/t.trace" 2>"$WORK/stats.err" | sed -n '1s/^instructions: //p')
	[ "$n" = "$count" ] || fail "status $arg: $n instructions, expected $count: $(cat "$WORK/stats.err")"
	echo "ok status $arg: exit $rc, $n instructions" >&2
done
