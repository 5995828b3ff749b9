#!/bin/bash
# Exact count by construction (tests/progs/asm/self_address.S): 16
# instructions, exit 0 (call $+5 sees its real address; loads of the next
# instruction's bytes see the program's own bytes).
. tests/progs/lib.sh
check_exact self_address 16 0
