#!/bin/bash
# gzip -c FILE | gzip -dc with each side of the pipe traced by its own umss:
# the compressed bytes and the round trip equal the native pipeline's, both
# exit 0; a second traced pipeline gives identical traces for both sides.
# ~200,000 instructions to compress, ~150,000 to decompress.
. tests/progs/lib.sh
export LC_ALL=C
in=$WORK/input.txt
for i in 1 2 3 4 5 6; do
	echo "line $i of the umss gzip round trip, repetition repetition repetition"
done >"$in"
gzip -c "$in" >"$WORK/native.gz" || fail "native gzip failed"
gzip -dc <"$WORK/native.gz" >"$WORK/native.out" || fail "native gzip -dc failed"
cmp -s "$in" "$WORK/native.out" || fail "native round trip differs (harness error)"

pipeline() {
	local n=$1 start=$SECONDS
	"$UMSS" trace -q -o "$WORK/c$n.trace" -- gzip -c "$in" 2>"$WORK/c$n.err" |
		tee "$WORK/c$n.gz" |
		"$UMSS" trace -q -o "$WORK/d$n.trace" -- gzip -dc >"$WORK/d$n.out" 2>"$WORK/d$n.err"
	local st=("${PIPESTATUS[@]}")
	echo "traced pipeline $n in $((SECONDS - start))s: exit ${st[*]}" >&2
	[ "${st[0]}" = 0 ] || fail "traced gzip -c exit ${st[0]}: $(head -c 600 "$WORK/c$n.err")"
	[ "${st[2]}" = 0 ] || fail "traced gzip -dc exit ${st[2]}: $(head -c 600 "$WORK/d$n.err")"
	[ -s "$WORK/c$n.err" ] && fail "traced gzip -c wrote to stderr: $(head -c 600 "$WORK/c$n.err")"
	[ -s "$WORK/d$n.err" ] && fail "traced gzip -dc wrote to stderr: $(head -c 600 "$WORK/d$n.err")"
	cmp -s "$WORK/native.gz" "$WORK/c$n.gz" || fail "traced gzip -c output differs from native"
	cmp -s "$in" "$WORK/d$n.out" || fail "traced round trip differs from the input"
}
pipeline 1
pipeline 2
same_trace c1 c2
same_trace d1 d2
