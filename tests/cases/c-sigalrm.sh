#!/bin/bash
# SIGALRM from setitimer interrupting a busy loop (tests/progs/c/sigalrm.c).
# Native and traced runs: same stdout, stderr and exit status.  When the
# alarms land depends on time, so traces are not compared.
. tests/progs/lib.sh
run_native native "$PROGS/sigalrm"
expect_status native 0
run_traced traced "$PROGS/sigalrm"
same_output native traced
n=$(count_of traced) || exit 1
[ "$n" -gt 1000 ] || fail "only $n instructions traced"
