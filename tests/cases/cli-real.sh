#!/bin/bash
# show, stats and diff on real traces of /bin/true (engine ptrace): the first
# instruction is the dynamic loader's _start; the counts of show, stats and
# the end record agree; two runs are identical for diff; a trace of a
# program that is then deleted still shows its instructions; vdso code is
# named.
set -u
fail() { echo "FAIL: $*"; exit 1; }
"$UMSS" trace --help >/dev/null 2>&1 || { echo "umss trace not available"; exit 77; }
LDSO=/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
"$UMSS" trace -q -o "$WORK/t1" -- /bin/true || fail "trace 1: exit $?"
"$UMSS" trace -q -o "$WORK/t2" -- /bin/true || fail "trace 2: exit $?"

"$UMSS" show "$WORK/t1" >"$WORK/show" 2>"$WORK/err" || fail "show: exit $?"
[ -s "$WORK/err" ] && fail "show stderr: $(cat "$WORK/err")"
entry=$(readelf -h $LDSO | awk '/Entry point/ { print $4 }')
id=$(readelf -n $LDSO | awk '/Build ID/ { print $3 }')
first=$(grep -v '^#' "$WORK/show" | head -1)
echo "first: $first"
set -- $first
[ "$3" = "ld-linux-x86-64.so.2+$entry" ] || fail "first module+offset: $3"
if [ -r "/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug" ]; then
	[ "$4" = "_start+0x0" ] || fail "first symbol: $4"
	# Its call names its target: ld.so's _start calls _dl_start.
	second=$(grep -v '^#' "$WORK/show" | sed -n 2p)
	echo "second: $second"
	case "$second" in
	*" _start+0x3 "*" call 0x"*" <_dl_start>") ;;
	*) fail "second line: $second" ;;
	esac
fi
# The process and its maps come before the first instruction.
grep -q "^# pid [0-9]*: process: /usr/bin/true \[/bin/true\]$" "$WORK/show" || fail "process line"
grep -q "^# pid [0-9]*: map .* r-x .* $LDSO build-id $id$" "$WORK/show" || fail "ld.so map line"

n=$(grep -vc '^#' "$WORK/show")
"$UMSS" stats "$WORK/t1" >"$WORK/stats" || fail "stats: exit $?"
[ "$(head -1 "$WORK/stats")" = "instructions: $n" ] || fail "stats: $(head -1 "$WORK/stats"), show: $n"
grep -q "^# end: $n instructions, 0 fallbacks, wall time [0-9.]* s, exit status 0$" "$WORK/show" ||
	fail "end line: $(grep '^# end' "$WORK/show")"
grep -qx "exit status: 0" "$WORK/stats" || fail "stats exit status"
# true is stripped: its code is grouped by the functions of its unwind table
# (readelf's FDE ranges): no row lies inside an FDE but at its start, and
# some function's row adds up several instructions.
"$UMSS" stats --top 0 "$WORK/t1" | sed -n '/^functions/,$p' |
	awk '$4 == "true" { sub(/^true\+0x/, "", $3); print $3, $1 }' >"$WORK/rows"
[ -s "$WORK/rows" ] || fail "no function of true"
readelf -wf /usr/bin/true | awk '$4 == "FDE" { split(substr($6, 4), r, /\.\./); print r[1], r[2] }' >"$WORK/fdes"
[ -s "$WORK/fdes" ] || fail "no FDEs in /usr/bin/true"
bad=$(awk 'NR == FNR { lo[NR] = (("0x" $1) + 0); hi[NR] = (("0x" $2) + 0); n = NR; next }
	{ a = (("0x" $1) + 0); for (i = 1; i <= n; i++) if (a > lo[i] && a < hi[i]) print $1 }' \
	"$WORK/fdes" "$WORK/rows")
[ -z "$bad" ] || fail "rows inside a function: $bad"
grouped=$(awk 'NR == FNR { lo["" (("0x" $1) + 0)] = 1; next }
	$2 > 1 && (("" (("0x" $1) + 0)) in lo)' "$WORK/fdes" "$WORK/rows" | wc -l)
[ "$grouped" -gt 0 ] || fail "no function row adds up instructions: $(cat "$WORK/rows")"

"$UMSS" diff "$WORK/t1" "$WORK/t2" >"$WORK/diff" || fail "diff of two runs: exit $?: $(head -3 "$WORK/diff")"
[ "$(cat "$WORK/diff")" = "identical: $n instructions, 1 thread" ] || fail "diff: $(cat "$WORK/diff")"

# A program traced then deleted: its instructions still show, from the
# trace's own bytes; its vdso call is named from umss's own vdso.
[ -x "$PROGS/cli_clock" ] || fail "no $PROGS/cli_clock"
cp "$PROGS/cli_clock" "$WORK/myclock"
"$UMSS" trace -q -o "$WORK/t3" -- "$WORK/myclock" || fail "trace 3: exit $?"
rm "$WORK/myclock"
"$UMSS" show --no-events "$WORK/t3" >"$WORK/show3" || fail "show deleted: exit $?"
[ "$(grep -c ' myclock+0x' "$WORK/show3")" -gt 10 ] || fail "deleted program's lines"
# Its file is gone: module+offset, no symbol (main is in its .symtab).
grep ' myclock+0x' "$WORK/show3" | awk '$4 != "-"' | grep . && fail "symbol for a deleted file"
grep -q '^ *[0-9]* [0-9a-f]*  \[vdso\]+0x[0-9a-f]* *clock_gettime+0x0 ' "$WORK/show3" ||
	fail "vdso: $(grep -m3 vdso "$WORK/show3")"
exit 0
