#!/bin/bash
# REPE CMPSB stopping early (11 of 64 iterations) and REPNE SCASB: one instruction each.
# Exact count by construction (tests/progs/asm/repe-cmpsb.S): 20 instructions, exit 0.
. tests/progs/lib.sh
check_exact repe-cmpsb 20 0
