#!/bin/bash
# A program's own /proc/self/maps and smaps have no line of umss's agent in
# them (docs/CLOAK.md): tests/progs/c/own_maps.c (glibc's
# pthread_getattr_np, which parses maps; maps read 100 bytes at a time,
# smaps 4 KiB at a time, whose short reads must be the kernel's) prints
# what it prints natively under every engine, and its displaced trace is
# the ptrace engine's.  `cat /proc/self/maps` prints the same map under
# displaced as under ptrace (the agent's image and arenas hidden), with
# the same instructions; so does patch (its trampolines hidden too, and
# the code mappings it writes given back their protection before the
# program's syscalls: agent/code_pages.c).  own_maps' patch trace is not
# compared: smaps shows VM_ACCOUNT ("ac" in VmFlags) on code mappings
# that were once writable, so its lines are longer than natively.
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
same_output native patch
"$UMSS" diff "$WORK/ptrace.trace" "$WORK/displaced.trace" >"$WORK/diff.out" ||
	fail "own_maps: displaced and ptrace traces differ: $(head -20 "$WORK/diff.out")"
echo "ok own_maps: output as native under every engine; displaced $(cat "$WORK/diff.out")"

for engine in ptrace displaced patch; do
	"$UMSS" trace -q --engine=$engine -o "$WORK/cat.$engine.trace" -- /bin/cat /proc/self/maps \
		>"$WORK/cat.$engine.out" 2>"$WORK/cat.$engine.err" </dev/null ||
		fail "cat under $engine: $(cat "$WORK/cat.$engine.err")"
done
for engine in displaced patch; do
	cmp -s "$WORK/cat.ptrace.out" "$WORK/cat.$engine.out" ||
		fail "cat /proc/self/maps under $engine: $(diff "$WORK/cat.ptrace.out" "$WORK/cat.$engine.out" | head)"
	"$UMSS" diff "$WORK/cat.ptrace.trace" "$WORK/cat.$engine.trace" >"$WORK/diff.out" ||
		fail "cat under $engine: traces differ: $(head -20 "$WORK/diff.out")"
	echo "ok cat /proc/self/maps under $engine: $(wc -l <"$WORK/cat.ptrace.out") lines as under ptrace, $(cat "$WORK/diff.out")"
done
