#!/bin/bash
# exit_group(42): the final syscall counts and umss exits with the program's status.
# Exact count by construction (tests/progs/asm/exit42.S): 3 instructions, exit 42.
. tests/progs/lib.sh
check_exact exit42 3 42
