#!/bin/bash
# stdin reaches the traced program untouched: tests/progs/asm/cat.S copies
# stdin to stdout.  From /dev/null: 10 instructions; from a 100-byte file
# (one read returns it whole): 23 instructions and the same 100 bytes out;
# from a pipe: the same bytes out.
. tests/progs/lib.sh
check_exact cat 10 0
head -c 100 /usr/share/common-licenses/GPL-3 >"$WORK/in" 2>/dev/null || seq 1000 | head -c 100 >"$WORK/in"
[ "$(wc -c <"$WORK/in")" = 100 ] || fail "harness: input is not 100 bytes"
"$UMSS" trace -q -o "$WORK/file.trace" -- "$PROGS/cat" <"$WORK/in" >"$WORK/file.out" 2>"$WORK/file.err"
rc=$?
[ $rc = 0 ] || fail "cat <file under umss: exit $rc: $(cat "$WORK/file.err")"
cmp -s "$WORK/in" "$WORK/file.out" || fail "cat <file under umss: stdout differs from its stdin"
n=$(count_of file) || exit 1
[ "$n" = 23 ] || fail "cat <file (100 bytes): umss stats counts $n instructions, expected 23"
seq 3 | "$UMSS" trace -q -o "$WORK/pipe.trace" -- "$PROGS/cat" >"$WORK/pipe.out" 2>"$WORK/pipe.err"
rc=$?
[ $rc = 0 ] || fail "seq 3 | cat under umss: exit $rc: $(cat "$WORK/pipe.err")"
[ "$(tr '\n' ' ' <"$WORK/pipe.out")" = "1 2 3 " ] || fail "seq 3 | cat under umss printed '$(cat "$WORK/pipe.out")'"
