#!/bin/bash
# Deterministic stdio, write(2) and stderr output, atexit, exit 5 (tests/progs/c/output.c).
# Native and traced runs: same stdout, stderr and exit status (5); two
# traced runs give identical traces (umss diff) with the same count.
. tests/progs/lib.sh
check_same_twice output "$PROGS/output"
expect_status output.native 5
