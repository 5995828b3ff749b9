#!/bin/bash
# Every kind of control transfer (tests/progs/c/control.c).
# Native and traced runs: same stdout, stderr and exit status (0); two
# traced runs give identical traces (umss diff) with the same count.
. tests/progs/lib.sh
check_same_twice control "$PROGS/control"
expect_status control.native 0
