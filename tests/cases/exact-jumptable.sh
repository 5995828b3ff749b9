#!/bin/bash
# Absolute and position-independent jump tables.
# Exact count by construction (tests/progs/asm/jumptable.S): 68 instructions, exit 0.
. tests/progs/lib.sh
check_exact jumptable 68 0
