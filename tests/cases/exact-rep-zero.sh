#!/bin/bash
# REP string instructions with rcx = 0 retire once each and write nothing.
# Exact count by construction (tests/progs/asm/rep-zero.S): 18 instructions, exit 0.
. tests/progs/lib.sh
check_exact rep-zero 18 0
