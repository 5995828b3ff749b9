#!/bin/bash
# Handlers on an alternate signal stack, including a stack overflow (tests/progs/c/sigaltstack.c).
# Native and traced runs: same stdout, stderr and exit status (0); two
# traced runs give identical traces (umss diff) with the same count.
. tests/progs/lib.sh
check_same_twice sigaltstack "$PROGS/sigaltstack"
expect_status sigaltstack.native 0
