#!/bin/bash
# Jumps into the middle of instructions (a jmp into its own second byte, a
# jmp into a movabs immediate): the records follow the bytes as executed.
# Exact count by construction (tests/progs/asm/overlap.S): 13 instructions, exit 0.
. tests/progs/lib.sh
check_exact overlap 13 0
"$UMSS" show "$WORK/traced.trace" >"$WORK/show" 2>&1 || fail "umss show: $(tail -n 3 "$WORK/show")"
grep -q ' _start+0x3 .*ff c0 .*inc eax' "$WORK/show" || fail "no 'inc eax' record at _start+0x3 (inside the jmp)"
[ "$(grep -c ' hidden+0x[234] .* 90 .*nop' "$WORK/show")" = 3 ] || fail "the three nops inside the movabs are not recorded"
