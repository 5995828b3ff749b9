#!/bin/bash
# Indirect jmp/call through registers and memory, push+ret, ret imm16.
# Exact count by construction (tests/progs/asm/indirect.S): 32 instructions, exit 0.
. tests/progs/lib.sh
check_exact indirect 32 0
