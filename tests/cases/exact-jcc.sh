#!/bin/bash
# All 16 Jcc conditions, short and near, taken and not taken.
# Exact count by construction (tests/progs/asm/jcc.S): 227 instructions, exit 0.
. tests/progs/lib.sh
check_exact jcc 227 0
