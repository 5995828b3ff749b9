#!/bin/bash
# REP STOSQ (512 quadwords) and REP MOVSB (4096 bytes) are one instruction each.
# Exact count by construction (tests/progs/asm/rep-movsb.S): 16 instructions, exit 0.
. tests/progs/lib.sh
check_exact rep-movsb 16 0
