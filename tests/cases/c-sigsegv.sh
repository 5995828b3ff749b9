#!/bin/bash
# SIGSEGV handlers that siglongjmp out and that move rip past the fault (tests/progs/c/sigsegv.c).
# Native and traced runs: same stdout, stderr and exit status (0); two
# traced runs give identical traces (umss diff) with the same count.
. tests/progs/lib.sh
check_same_twice sigsegv "$PROGS/sigsegv"
expect_status sigsegv.native 0
