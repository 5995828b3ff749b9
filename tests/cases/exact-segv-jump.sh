#!/bin/bash
# A jump to address 0 retires; the fetch there faults; SIGSEGV: 128 + 11.
# Exact count by construction (tests/progs/asm/segv-jump.S): 3 instructions, exit 139.
. tests/progs/lib.sh
check_exact segv-jump 3 139
