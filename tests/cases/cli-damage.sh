#!/bin/bash
# show, stats and diff on a trace cut at every third byte and with every
# seventh byte changed (the trace library's own tests try every byte): exit 0 (cut at a chunk boundary), 1 (diff) or 2, one message
# line, never a crash or a hang.
set -u
fail() { echo "FAIL: $*"; exit 1; }
[ -r /usr/lib/x86_64-linux-gnu/libc.so.6 ] || { echo "no libc.so.6"; exit 77; }
"$PROGS/cli_gen_trace" "$WORK/t" base >/dev/null || fail "generator"
size=$(stat -c %s "$WORK/t")
check() {	# CMD ARGS...: exit status in 0..2, at most one stderr line
	timeout 10 "$UMSS" "$@" >/dev/null 2>"$WORK/err"
	local st=$?
	[ $st -le 2 ] || fail "$* : exit $st: $(head -3 "$WORK/err")"
	[ "$(wc -l <"$WORK/err")" -le 1 ] || fail "$* : stderr: $(cat "$WORK/err")"
}
for ((i = 0; i < size; i += 3)); do
	head -c $i "$WORK/t" >"$WORK/cut"
	check show "$WORK/cut"
	check stats "$WORK/cut"
	check diff "$WORK/t" "$WORK/cut"
done
for ((i = 0; i < size; i += 7)); do
	cp "$WORK/t" "$WORK/bad"
	printf "\\x$(printf %02x $(( (i * 37 + 1) % 256 )))" |
		dd of="$WORK/bad" bs=1 seek=$i conv=notrunc status=none
	check show "$WORK/bad"
	check diff "$WORK/bad" "$WORK/t"
done
echo "$((size / 3)) cuts and $((size / 7)) changed bytes of $size"
exit 0
