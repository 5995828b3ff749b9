#!/bin/bash
# umss stats on generated traces (tests/unit/cli_gen_trace.c): the exact
# instruction count first, the end record's summary, counts per process,
# thread, module and function (getpid by its symbol).
set -u
fail() { echo "FAIL: $*"; exit 1; }
[ -r /usr/lib/x86_64-linux-gnu/libc.so.6 ] || { echo "no libc.so.6"; exit 77; }
n=$("$PROGS/cli_gen_trace" "$WORK/t" base) || fail "generator"
"$UMSS" stats "$WORK/t" >"$WORK/out" 2>"$WORK/err" || fail "stats exit $?"
[ -s "$WORK/err" ] && fail "stderr: $(cat "$WORK/err")"
cat "$WORK/out"

[ "$(head -1 "$WORK/out")" = "instructions: $n" ] || fail "first line: $(head -1 "$WORK/out")"
[ "$n" = 37 ] || fail "generator count $n"
for l in "engine: ptrace" "exit status: 3" "wall time: 0.001234 s" "fallbacks: 0" \
	 "processes: 2" "threads: 3"; do
	grep -qxF "$l" "$WORK/out" || fail "missing: $l"
done
# Per process and thread: thread 100 ran 18, thread 101 15; the fork child 3
# before its exec and 1 after.
expect() {
	local got
	got=$(awk "$1" "$WORK/out" | tr '\n' ' ')
	[ "$got" = "$2" ] || fail "$1: '$got', expected '$2'"
}
expect '$1 == "pid" { print $2, $3 }' "100 33 102 3 102 1 "
expect '$1 == "tid" { print $2, $3 }' "100 18 101 15 102 3 102 1 "
expect '/after exec/ { print $NF, $(NF-1), $(NF-2) }' "exec) (after /bin/true "
# Modules and functions.
expect '$3 == "gen" || $3 == "libc.so.6" { print $3, $1 }' "gen 27 libc.so.6 6 "
expect '$3 == "getpid" { print $1, $4 }' "6 libc.so.6 "
expect '$3 == "getpid" { print $2 }' "16.22% "
expect '$3 == "gen+0x1005" { print $1 }' "7 "
expect '/^functions/ { print }' "functions (top 20 of 14): "
[ "$("$UMSS" stats --top 3 "$WORK/t" | sed -n '/^functions/,$p' | awk '{ print $1, $3 }' | tr '\n' ' ')" = \
  "functions 3 7 gen+0x1005 6 gen+0x1007 6 getpid " ] || fail "--top 3"
[ "$("$UMSS" stats --top 0 "$WORK/t" | sed -n '/^functions/,$p' | wc -l)" = 15 ] || fail "--top 0"
"$UMSS" stats --top x "$WORK/t" 2>/dev/null && fail "--top x accepted"

# Why a module has no symbols.
grep -qE '^ +27 +72\.97%  gen +/nonexistent/gen \(no symbols: file missing\)$' "$WORK/out" ||
	fail "gen module line"
"$PROGS/cli_gen_trace" "$WORK/bad" badid >/dev/null || fail "generator badid"
"$UMSS" stats "$WORK/bad" | grep -qE '^ +6 +16\.22%  libc\.so\.6 +/usr/lib/x86_64-linux-gnu/libc\.so\.6 \(no symbols: file changed since the trace \(build id differs\)\)$' ||
	fail "badid libc line: $("$UMSS" stats "$WORK/bad" | grep libc)"

# A bigger single-thread trace: the count is exact.
"$PROGS/cli_gen_trace" "$WORK/big" big 1000003 >/dev/null || fail "generator big"
[ "$("$UMSS" stats "$WORK/big" | head -1)" = "instructions: 1000003" ] || fail "big count"
"$UMSS" stats --help | head -1 | grep -qx 'usage: umss stats \[--top N\] FILE' || fail "--help"
exit 0
