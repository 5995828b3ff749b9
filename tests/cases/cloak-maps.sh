#!/bin/bash
# A program's own /proc/self/maps and smaps have no line of umss's agent in
# them (docs/CLOAK.md): tests/progs/c/own_maps.c (glibc's
# pthread_getattr_np, which parses maps; maps read 100 bytes at a time,
# smaps 4 KiB at a time, whose short reads must be the kernel's) prints
# what it prints natively under every engine, and its displaced trace is
# the ptrace engine's.  `cat /proc/self/maps` prints the same map under
# displaced as under ptrace (the agent's image and arenas hidden), with
# the same instructions.  Under patch the agent and its trampolines are
# hidden too, but code pages it made writable still split their mappings
# (docs/AGENT.md), so only the first line and the count of anonymous
# executable mappings (0) are compared there.
. tests/progs/lib.sh
run_native native "$PROGS/own_maps"
expect_status native 0
for engine in ptrace displaced patch; do
	"$UMSS" trace -q --engine=$engine -o "$WORK/$engine.trace" -- "$PROGS/own_maps" \
		>"$WORK/$engine.out" 2>"$WORK/$engine.err" </dev/null
	echo $? >"$WORK/$engine.status"
done
same_output native ptrace
same_output native displaced
"$UMSS" diff "$WORK/ptrace.trace" "$WORK/displaced.trace" >"$WORK/diff.out" ||
	fail "own_maps: displaced and ptrace traces differ: $(head -20 "$WORK/diff.out")"
echo "ok own_maps: displaced $(cat "$WORK/diff.out")"
expect_status patch 0
[ "$(head -n 1 "$WORK/patch.out")" = "$(head -n 1 "$WORK/native.out")" ] ||
	fail "own_maps under patch: $(head -n 1 "$WORK/patch.out")"
[ "$(grep -c ', 0 anonymous executable$' "$WORK/patch.out")" = 2 ] ||
	fail "own_maps under patch sees the agent: $(cat "$WORK/patch.out")"
echo "ok own_maps: patch hides its agent and trampolines"

for engine in ptrace displaced; do
	"$UMSS" trace -q --engine=$engine -o "$WORK/cat.$engine.trace" -- /bin/cat /proc/self/maps \
		>"$WORK/cat.$engine.out" 2>"$WORK/cat.$engine.err" </dev/null ||
		fail "cat under $engine: $(cat "$WORK/cat.$engine.err")"
done
cmp -s "$WORK/cat.ptrace.out" "$WORK/cat.displaced.out" ||
	fail "cat /proc/self/maps differs: $(diff "$WORK/cat.ptrace.out" "$WORK/cat.displaced.out" | head)"
"$UMSS" diff "$WORK/cat.ptrace.trace" "$WORK/cat.displaced.trace" >"$WORK/diff.out" ||
	fail "cat: traces differ: $(head -20 "$WORK/diff.out")"
echo "ok cat /proc/self/maps: $(wc -l <"$WORK/cat.ptrace.out") lines as under ptrace, $(cat "$WORK/diff.out")"
