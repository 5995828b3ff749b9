#!/bin/bash
# Programs that would notice an engine: one that checksums its own code
# while it runs (tests/progs/c/selfcheck.c) and one that prints every
# register after a long mixed GPR/x87/SSE/AVX/AVX-512/MXCSR sequence
# (tests/progs/c/regs.c) print what they print natively under the ptrace,
# patch and displaced engines, and the displaced trace equals the ptrace
# one.  The self-modifying program (tests/progs/asm/smc_add.S, also in the
# asm tests) shows in the displaced trace the three byte strings its `add`
# ran with, at the one address.
set -u
fail() { echo "FAIL: $*"; exit 1; }
# Registers that regs.c does not set still hold what libc's start-up left
# in them (string functions load env strings into zmm/k registers), and
# where those strings sit depends on every byte of the environment.  bash
# sets $_ to the command it runs, so "$prog" and "$UMSS" would see
# environments of different sizes: run both through env(1), which execs
# with $_ left as bash set it for env itself.
for name in selfcheck regs; do
	prog="$PROGS/$name"
	[ -x "$prog" ] || fail "$name: not built"
	env "$prog" >"$WORK/native.out" </dev/null
	native=$?
	for engine in displaced patch ptrace; do
		env "$UMSS" trace -q -o "$WORK/$engine.trace" --engine=$engine -- "$prog" \
			>"$WORK/$engine.out" 2>"$WORK/$engine.err" </dev/null
		rc=$?
		[ $rc = $native ] || fail "$name: $engine exit $rc, native $native: $(cat "$WORK/$engine.err")"
		cmp -s "$WORK/native.out" "$WORK/$engine.out" ||
			fail "$name: $engine prints another state than native: $(diff "$WORK/native.out" "$WORK/$engine.out" | head -6)"
	done
	"$UMSS" diff "$WORK/ptrace.trace" "$WORK/displaced.trace" >"$WORK/diff.out" ||
		fail "$name: traces differ: $(head -20 "$WORK/diff.out")"
	echo "ok $name: $(cat "$WORK/diff.out")"
done

"$UMSS" trace -q -o "$WORK/smc.trace" --engine=displaced -- "$PROGS/smc_add"
[ $? = 6 ] || fail "smc: exit status"
"$UMSS" show "$WORK/smc.trace" >"$WORK/smc.show" || fail "smc: show"
adds=$(grep -c ' add ebx, 0x' "$WORK/smc.show")
[ "$adds" = 3 ] || fail "smc: $adds adds in the trace, expected 3"
for imm in 3 2 1; do
	grep -q "83 c3 0$imm  *add ebx, 0x$imm\$" "$WORK/smc.show" ||
		fail "smc: no 'add ebx, 0x$imm' with its bytes: $(grep ' add ' "$WORK/smc.show")"
done
[ "$(grep ' add ebx, 0x' "$WORK/smc.show" | awk '{print $2}' | sort -u | wc -l)" = 1 ] ||
	fail "smc: the adds are not at one address"
echo "ok smc: the three versions of the add"
