#!/bin/bash
# 1000 getpid syscalls: each syscall instruction is one record.
# Exact count by construction (tests/progs/asm/syscalls.S): 4004 instructions, exit 0.
. tests/progs/lib.sh
check_exact syscalls 4004 0
