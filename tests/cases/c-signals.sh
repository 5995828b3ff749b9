#!/bin/bash
# SIGUSR1 by raise and kill, blocked then unblocked, two pending at once, SA_RESETHAND (tests/progs/c/signals.c).
# Native and traced runs: same stdout, stderr and exit status (0); two
# traced runs give identical traces (umss diff) with the same count.
. tests/progs/lib.sh
check_same_twice signals "$PROGS/signals"
expect_status signals.native 0
