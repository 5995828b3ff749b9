#!/bin/bash
# LOOP/LOOPE/LOOPNE (jumping to themselves), JRCXZ, JECXZ.
# Exact count by construction (tests/progs/asm/loopinsn.S): 1030 instructions, exit 0.
. tests/progs/lib.sh
check_exact loopinsn 1030 0
