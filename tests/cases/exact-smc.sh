#!/bin/bash
# Self-modifying code: the same address runs `mov eax, 1`, then (rewritten)
# `mov eax, 5`; the trace carries both versions of the bytes.
# Exact count by construction (tests/progs/asm/smc.S): 23 instructions, exit 0.
. tests/progs/lib.sh
check_exact smc 23 0
"$UMSS" show "$WORK/traced.trace" >"$WORK/show" 2>&1 || fail "umss show: $(tail -n 3 "$WORK/show")"
grep ' target+0x0 ' "$WORK/show" | sed 's/.*target+0x0 *//; s/  */ /g' >"$WORK/target"
printf '%s\n' 'b8 01 00 00 00 mov eax, 0x1' 'b8 05 00 00 00 mov eax, 0x5' >"$WORK/want"
cmp -s "$WORK/want" "$WORK/target" || fail "target's records are '$(cat "$WORK/target")', expected the original then the rewritten bytes"
