#!/bin/bash
# Engine patch on every exact-count assembly program: same status, stdout
# and count as native and as stated, trace identical to ptrace's
# (tests/progs/engine_asm.sh), clone-thread's two threads included.
# Nothing is refusable any more.
set -u
. tests/progs/engine_asm.sh
check_engine_on_asm patch
