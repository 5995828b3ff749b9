#!/bin/bash
# Real builds under the user-mode engines: `make -j2` of a two-file
# project (make, two cc -> cc1 + as, a cc -> collect2 + ld run in
# parallel) under patch and displaced gives the native messages (in any
# order: -j2) and byte-identical objects and executable, which runs; and
# `gcc -c` under displaced gives the native object (patch: see
# agent-processes.sh).  Fallbacks under 0.1% of the instructions.
# displaced needs more than its 256 Ki instruction records for cc1: it
# drops them all and starts again (agent/displaced.c flush_records).
set -u
. tests/progs/lib.sh
command -v make >/dev/null && command -v gcc >/dev/null || skip "no make or gcc"

# few_fallbacks TAG: the summary line says fewer than 1 in 1000.
few_fallbacks() {
	local line n f
	line=$(grep '^umss: [0-9]* instructions' "$WORK/$1.err" | tail -1)
	n=$(echo "$line" | sed 's/^umss: \([0-9]*\) instructions.*/\1/')
	f=$(echo "$line" | sed 's/.* \([0-9]*\) fallbacks.*/\1/')
	[ -n "$n" ] && [ -n "$f" ] && [ $((f * 1000)) -lt "$n" ] || fail "$1: fallbacks: $line"
	echo "$1: $line"
}

mkdir -p "$WORK/proj"
cat >"$WORK/proj/a.c" <<'C'
#include <stdio.h>
int sq(int x);
int main(void) { int s = 0; for (int i = 0; i < 10; i++) s += sq(i); printf("sum %d\n", s); return 0; }
C
echo 'int sq(int x) { return x * x; }' >"$WORK/proj/b.c"
printf 'prog: a.o b.o\n\t$(CC) -o $@ a.o b.o\n%%.o: %%.c\n\t$(CC) -O1 -c $< -o $@\n' >"$WORK/proj/Makefile"

(cd "$WORK/proj" && make -j2 >"$WORK/make.native.out" 2>&1) || fail "make failed natively"
mkdir -p "$WORK/native"
cp "$WORK/proj/a.o" "$WORK/proj/b.o" "$WORK/proj/prog" "$WORK/native/"
for engine in patch displaced; do
	rm -f "$WORK/proj/a.o" "$WORK/proj/b.o" "$WORK/proj/prog"
	(cd "$WORK/proj" && "$UMSS" trace -o "$WORK/make.$engine.trace" --engine=$engine -- make -j2 \
		>"$WORK/make.$engine.out" 2>"$WORK/make.$engine.err" </dev/null) ||
		fail "make -j2 under $engine: $(tail -3 "$WORK/make.$engine.err")"
	[ "$(sort "$WORK/make.native.out")" = "$(sort "$WORK/make.$engine.out")" ] ||
		fail "make -j2 under $engine: messages differ: $(diff "$WORK/make.native.out" "$WORK/make.$engine.out")"
	for f in a.o b.o prog; do
		cmp -s "$WORK/native/$f" "$WORK/proj/$f" || fail "make -j2 under $engine: $f differs from native"
	done
	[ "$("$WORK/proj/prog")" = "sum 285" ] || fail "make -j2 under $engine: prog does not run"
	few_fallbacks "make.$engine"
done

printf 'static int sq(int x) { return x * x; }\nint f(void) { int s = 0; for (int i = 0; i < 10; i++) s += sq(i); return s; }\n' >"$WORK/small.c"
gcc -c "$WORK/small.c" -o "$WORK/gcc.native.o" || fail "gcc -c failed natively"
"$UMSS" trace -o "$WORK/gcc.displaced.trace" --engine=displaced -- gcc -c "$WORK/small.c" -o "$WORK/gcc.displaced.o" \
	>"$WORK/gcc.displaced.out" 2>"$WORK/gcc.displaced.err" </dev/null || fail "gcc -c under displaced: $(tail -3 "$WORK/gcc.displaced.err")"
[ ! -s "$WORK/gcc.displaced.out" ] || fail "gcc -c under displaced printed: $(head "$WORK/gcc.displaced.out")"
cmp -s "$WORK/gcc.native.o" "$WORK/gcc.displaced.o" || fail "gcc -c under displaced: the object differs from native"
few_fallbacks gcc.displaced
echo ok
