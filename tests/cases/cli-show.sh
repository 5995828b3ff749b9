#!/bin/bash
# umss show on a generated trace (tests/unit/cli_gen_trace.c): exact lines
# for synthetic code, libc's getpid found by its real file offset and build
# id, the dynamic loader's _start, replaced code, anonymous and unmapped
# code, unreadable bytes, events, filters, and a closed pipe.
set -u
fail() { echo "FAIL: $*"; exit 1; }
LIBC=/usr/lib/x86_64-linux-gnu/libc.so.6
LDSO=/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
[ -r $LIBC ] && [ -r $LDSO ] || { echo "no $LIBC or $LDSO"; exit 77; }
n=$("$PROGS/cli_gen_trace" "$WORK/t" base) || fail "generator"
[ "$n" = 37 ] || fail "generator wrote $n instructions"
"$UMSS" show "$WORK/t" >"$WORK/out" 2>"$WORK/err" || fail "show exit $?"
[ -s "$WORK/err" ] && fail "stderr: $(cat "$WORK/err")"

# One line per instruction; events start with '#'.
[ "$(grep -vc '^#' "$WORK/out")" = 37 ] || fail "instruction lines: $(grep -vc '^#' "$WORK/out")"

# Exact lines (columns included) for synthetic code.
expect_line() {
	grep -qxF -- "$1" "$WORK/out" || { grep -F -- "$2" "$WORK/out"; fail "missing line: $1"; }
}
expect_line "  101 000000401007  gen+0x1007                   -                        75 fc                jnz 0x401005" "gen+0x1007"
expect_line "  101 000000401009  gen+0x1009                   -                        ff 15 f1 0f 00 00    call [0x402000]" "gen+0x1009"

# getpid: its file offset from readelf (libc's text segment has vaddr ==
# offset), mapped at 0x7ffff7d80000 by the generator.
off=$(readelf -Ws $LIBC | awk '$8 ~ /^getpid(@|$)/ { print $2; exit }')
[ -n "$off" ] || fail "no getpid in $LIBC"
off=$(printf '%x' $((16#$off)))
addr=$(printf '%012x' $((0x7ffff7d80000 + 16#$off)))
got=$(awk -v a="$addr" '$1 == "100" && $2 == a { print $3, $4; exit }' "$WORK/out")
[ "$got" = "libc.so.6+0x$off getpid+0x0" ] || fail "getpid line: '$got'"
# ... its second instruction is getpid+offset of the first's length.
len=$(awk -v a="$addr" '$2 == a { n = 0; for (i = 5; i <= NF && $i ~ /^[0-9a-f][0-9a-f]$/; i++) n++; print n; exit }' "$WORK/out")
addr2=$(printf '%012x' $((0x7ffff7d80000 + 16#$off + len)))
got=$(awk -v a="$addr2" '$2 == a { print $4; exit }' "$WORK/out")
[ "$got" = "getpid+0x$(printf %x "$len")" ] || fail "getpid second line: '$got'"

# The dynamic loader's entry, after exec in the fork child: _start comes from
# the detached debug file (libc6-dbg), the stripped file has no such symbol.
entry=$(readelf -h $LDSO | awk '/Entry point/ { print $4 }')
id=$(readelf -n $LDSO | awk '/Build ID/ { print $3 }')
got=$(awk '$1 == "102" && $3 ~ /^ld-linux/ { print $3, $4; exit }' "$WORK/out")
if [ -r "/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug" ]; then
	[ "$got" = "ld-linux-x86-64.so.2+$entry _start+0x0" ] || fail "ld.so entry line: '$got'"
else
	[ "$got" = "ld-linux-x86-64.so.2+$entry -" ] || fail "ld.so entry line: '$got'"
fi
# The child ran the parent's code through the inherited map.
[ "$(awk '$1 == "102" && $3 == "gen+0x1000"' "$WORK/out" | wc -l)" = 1 ] || fail "fork child map"

# Code replaced at one address: each instruction shows the bytes it ran.
[ "$(awk '$2 == "000000401200" { print $NF }' "$WORK/out" | tr '\n' ' ')" = "0x1 0x2 " ] ||
	fail "replaced code: $(grep 401200 "$WORK/out")"
# Anonymous code, then the same address after its unmap, then vsyscall.
grep -q '^  100 7ffff7ff0010  \[anon\]+0x10 .* xor eax, eax$' "$WORK/out" || fail "anonymous code"
grep -q '^  100 7ffff7ff0010  ? .* xor eax, eax$' "$WORK/out" || fail "unmapped code"
grep -q '^  100 ffffffffff600000 ? .* ?? .*(bytes unreadable)$' "$WORK/out" || fail "vsyscall line"

# Events.
for l in "# pid 100: process: /nonexistent/gen [gen 'a b']" \
	 "# tid 101: thread start in pid 100, created by thread 100" \
	 "# tid 101: signal SIGUSR1 (10) code 0 at 401010, to its handler" \
	 "# pid 102: process forked by pid 100 thread 100: /nonexistent/gen [gen 'a b']" \
	 "# pid 102: exec by thread 102: /bin/true [true]" \
	 "# pid 100: unmap 7ffff7ff0000-7ffff7ff1000" \
	 "# pid 100: exit: exited 3" \
	 "# end: 37 instructions, 0 fallbacks, wall time 0.001234 s, exit status 3"; do
	grep -qxF -- "$l" "$WORK/out" || fail "missing event: $l"
done

# A build id that does not match the file: module+offset, no symbol.
"$PROGS/cli_gen_trace" "$WORK/bad" badid >/dev/null || fail "generator badid"
got=$("$UMSS" show "$WORK/bad" | awk -v a="$addr" '$1 == "100" && $2 == a { print $3, $4; exit }')
[ "$got" = "libc.so.6+0x$off -" ] || fail "build id mismatch line: '$got'"

# Filters.
"$UMSS" show --no-events "$WORK/t" | grep -q '^#' && fail "--no-events shows events"
[ "$("$UMSS" show --no-events "$WORK/t" | wc -l)" = 37 ] || fail "--no-events count"
[ "$("$UMSS" show --tid 102 --no-events "$WORK/t" | awk '{ print $1 }' | sort | uniq -c | tr -s ' ')" = " 4 102" ] ||
	fail "--tid 102"
[ "$("$UMSS" show --pid 100 --no-events "$WORK/t" | wc -l)" = 33 ] || fail "--pid 100"
"$UMSS" show --tid x "$WORK/t" 2>/dev/null && fail "--tid x accepted"
"$UMSS" show --help | head -1 | grep -qx 'usage: umss show \[--tid T\] \[--pid P\] \[--no-events\] FILE' || fail "--help"

# A reader that goes away: exit 0, nothing on stderr.
"$PROGS/cli_gen_trace" "$WORK/big" big 300000 >/dev/null || fail "generator big"
"$UMSS" show "$WORK/big" 2>"$WORK/err" | head -2 >/dev/null
st=${PIPESTATUS[0]}
[ "$st" = 0 ] || fail "show | head: exit $st"
[ -s "$WORK/err" ] && fail "show | head: stderr: $(cat "$WORK/err")"
exit 0
