#!/bin/bash
# umss diff on generated traces (tests/unit/cli_gen_trace.c): threads paired
# by order of appearance whatever their ids and interleaving; exit 0/1/2;
# the index of the first difference; streaming without holding a
# single-threaded trace in memory.
set -u
fail() { echo "FAIL: $*"; exit 1; }
[ -r /usr/lib/x86_64-linux-gnu/libc.so.6 ] || { echo "no libc.so.6"; exit 77; }
for v in base shifted interleaved diverge short cut extra-thread; do
	"$PROGS/cli_gen_trace" "$WORK/$v" $v >/dev/null || fail "generator $v"
done
t="$WORK/base"

# run VARIANT EXPECTED_STATUS: diff base against a variant.
run() {
	"$UMSS" diff "$t" "$WORK/$1" >"$WORK/out" 2>"$WORK/err"
	local st=$?
	cat "$WORK/out" "$WORK/err"
	[ "$st" = "$2" ] || fail "diff base $1: exit $st, expected $2"
}
first() { [ "$(head -1 "$WORK/out")" = "$1" ] || fail "first line: $(head -1 "$WORK/out")"; }

run base 0; first "identical: 37 instructions, 3 threads"
# Other pids and tids, same run.
run shifted 0; first "identical: 37 instructions, 3 threads"
# Same per-thread streams, other interleaving of the two threads.
run interleaved 0; first "identical: 37 instructions, 3 threads"

# Thread 101 (second of process 1) leaves its loop early: instruction 7.
run diverge 1
first "traces differ: process 1 thread 2 (in order of appearance), instruction 7"
grep -qxF "  B: $WORK/diverge: pid 100 tid 101" "$WORK/out" || fail "B ids"
# Five equal instructions before, then each side's.
[ "$(sed -n '/^  before/,/^  A:$/p' "$WORK/out" | grep -c '^    ')" = 5 ] || fail "context lines"
[ "$(sed -n '/^  A:$/{n;p}' "$WORK/out" | awk '{ print $3 }')" = "gen+0x1009" ] || fail "A's next"
[ "$(sed -n '/^  B:$/{n;p}' "$WORK/out" | awk '{ print $3, $NF }')" = "gen+0x1200 0x1" ] || fail "B's next"
# The same, seen from the other side.
"$UMSS" diff "$WORK/diverge" "$t" >"$WORK/out"; [ $? = 1 ] || fail "reverse exit"
first "traces differ: process 1 thread 2 (in order of appearance), instruction 7"

# Thread 100 skips two instructions: getpid's ret against what follows.
run short 1
first "traces differ: process 1 thread 1 (in order of appearance), instruction 10"
[ "$(sed -n '/^  A:$/{n;p}' "$WORK/out" | awk '{ print $4 }')" = "getpid+0x7" ] || fail "short: A's next"
[ "$(sed -n '/^  B:$/{n;p}' "$WORK/out" | awk '{ print $3 }')" = "gen+0x1200" ] || fail "short: B's next"
# Thread 101 ends one instruction early.
run cut 1
first "traces differ: process 1 thread 2 (in order of appearance), instruction 14"
[ "$(sed -n '/^  B:$/{n;p}' "$WORK/out")" = "    (thread ended after 14 instructions)" ] || fail "cut: B"
# A third thread only in B.
run extra-thread 1
first "traces differ: process 1 thread 3 (in order of appearance), instruction 0"
grep -qxF "    (no such thread: nothing after 0 instructions)" "$WORK/out" || fail "missing thread text"

# Errors: exit 2 with one line.
"$UMSS" diff "$t" "$WORK/nope" >/dev/null 2>"$WORK/err"; [ $? = 2 ] || fail "missing file exit"
[ "$(cat "$WORK/err")" = "umss: $WORK/nope: No such file or directory" ] || fail "missing file: $(cat "$WORK/err")"
"$UMSS" diff /etc/passwd "$t" >/dev/null 2>"$WORK/err"; [ $? = 2 ] || fail "foreign file exit"
[ "$(cat "$WORK/err")" = "umss: /etc/passwd: not a umss trace" ] || fail "foreign: $(cat "$WORK/err")"
"$UMSS" diff "$t" >/dev/null 2>&1; [ $? = 2 ] || fail "one argument"
"$UMSS" diff --help | head -1 | grep -qx 'usage: umss diff A B' || fail "--help"

# Two single-thread traces of 2M instructions, different at instruction
# 1999998: found, in bounded memory (buffering them would take > 100 MB).
"$PROGS/cli_gen_trace" "$WORK/big" big 2000000 >/dev/null || fail "generator big"
"$PROGS/cli_gen_trace" "$WORK/bigd" big-diverge 2000000 >/dev/null || fail "generator big-diverge"
/usr/bin/time -f '%M' -o "$WORK/rss" "$UMSS" diff "$WORK/big" "$WORK/bigd" >"$WORK/out"
[ $? = 1 ] || fail "big diff exit"
first "traces differ: process 1 thread 1 (in order of appearance), instruction 1999998"
rss=$(tail -1 "$WORK/rss")
echo "max RSS ${rss} KB"
[ "$rss" -lt 40000 ] || fail "diff used ${rss} KB"
"$UMSS" diff "$WORK/big" "$WORK/big" >"$WORK/out" || fail "big identical exit"
first "identical: 2000000 instructions, 1 thread"
exit 0
