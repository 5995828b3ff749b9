#!/bin/bash
# REP STOSB over 4096 bytes is one instruction.
# Exact count by construction (tests/progs/asm/rep-stosb.S): 14 instructions, exit 0.
. tests/progs/lib.sh
check_exact rep-stosb 14 0
