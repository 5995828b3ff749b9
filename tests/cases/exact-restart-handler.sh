#!/bin/bash
# A blocking read interrupted by SIGALRM whose SA_RESTART handler writes
# into the pipe: handler, restorer (rt_sigreturn) and the restarted read's
# syscall are all counted.
# Exact count by construction (tests/progs/asm/restart-handler.S): 36 instructions, exit 0.
. tests/progs/lib.sh
check_exact restart-handler 36 0
