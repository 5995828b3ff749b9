#!/bin/bash
# int $0x80 (the i386 system call gate) from 64-bit code: one record each,
# output through it reaches stdout.  Skipped where the kernel has no IA32
# emulation (the native run is killed by SIGSEGV).
# Exact count by construction (tests/progs/asm/int80.S): 14 instructions, exit 0.
. tests/progs/lib.sh
"$PROGS/int80" >/dev/null 2>&1 || skip "int \$0x80 does not work natively here (no IA32 emulation)"
check_exact int80 14 0
[ "$(cat "$WORK/traced.out")" = 'written through int $0x80' ] || fail "stdout under umss: '$(cat "$WORK/traced.out")'"
