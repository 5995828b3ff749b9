#!/bin/bash
# Trace files show and stats cannot read: one line on stderr, exit 2; a trace
# cut short: everything readable, then a one-line warning, exit 0.
set -u
fail() { echo "FAIL: $*"; exit 1; }
[ -r /usr/lib/x86_64-linux-gnu/libc.so.6 ] || { echo "no libc.so.6"; exit 77; }
"$PROGS/cli_gen_trace" "$WORK/t" base >/dev/null || fail "generator"
"$PROGS/cli_gen_trace" "$WORK/cut" truncated >/dev/null || fail "generator truncated"
mkdir "$WORK/dir"
: >"$WORK/empty"
printf 'hello, world\n' >"$WORK/text"
# A byte in the middle of the trace changed (its chunk checksum no longer holds).
cp "$WORK/t" "$WORK/damaged"
size=$(stat -c %s "$WORK/damaged")
printf '\x5a' | dd of="$WORK/damaged" bs=1 seek=$((size / 2)) conv=notrunc status=none
cmp -s "$WORK/t" "$WORK/damaged" && printf '\xa5' | dd of="$WORK/damaged" bs=1 seek=$((size / 2)) conv=notrunc status=none

# check CMD FILE MESSAGE: exit 2 and exactly `umss: FILE: MESSAGE`.
check() {
	"$UMSS" "$1" "$2" >"$WORK/out" 2>"$WORK/err"
	local st=$?
	[ "$st" = 2 ] || fail "$1 $2: exit $st"
	[ "$(cat "$WORK/err")" = "umss: $2: $3" ] || fail "$1 $2: stderr '$(cat "$WORK/err")'"
}
for cmd in show stats; do
	check $cmd "$WORK/nope" "No such file or directory"
	check $cmd "$WORK/dir" "Is a directory"
	check $cmd "$WORK/empty" "not a umss trace"
	check $cmd "$WORK/text" "not a umss trace"
	check $cmd "$WORK/damaged" "corrupt trace (damaged data)"
done
"$UMSS" show >/dev/null 2>&1; [ $? = 2 ] || fail "show without a file"
"$UMSS" stats a b >/dev/null 2>&1; [ $? = 2 ] || fail "stats with two files"
"$UMSS" show --bogus "$WORK/t" >/dev/null 2>&1; [ $? = 2 ] || fail "show --bogus"

# Cut short: all 37 instructions, then the warning.
warning="umss: warning: $WORK/cut: trace cut short (no end record): the run was killed or umss crashed; everything recorded before was read"
"$UMSS" show "$WORK/cut" >"$WORK/out" 2>"$WORK/err" || fail "show truncated: exit $?"
[ "$(grep -vc '^#' "$WORK/out")" = 37 ] || fail "show truncated: $(grep -vc '^#' "$WORK/out") lines"
grep -q '^# end' "$WORK/out" && fail "show truncated: an end line"
[ "$(cat "$WORK/err")" = "$warning" ] || fail "show truncated: stderr '$(cat "$WORK/err")'"
"$UMSS" stats "$WORK/cut" >"$WORK/out" 2>"$WORK/err" || fail "stats truncated: exit $?"
[ "$(head -1 "$WORK/out")" = "instructions: 37" ] || fail "stats truncated: $(head -1 "$WORK/out")"
grep -qxF "exit status: unknown (no end record)" "$WORK/out" || fail "stats truncated: exit status line"
[ "$(cat "$WORK/err")" = "$warning" ] || fail "stats truncated: stderr '$(cat "$WORK/err")'"
exit 0
