#!/bin/bash
# write(1, ...) reaches stdout unchanged.
# Exact count by construction (tests/progs/asm/write.S): 10 instructions, exit 0.
. tests/progs/lib.sh
check_exact write 10 0
[ "$(cat "$WORK/traced.out")" = "hello from umss exact-write" ] ||
	fail "stdout under umss is '$(cat "$WORK/traced.out")', expected 'hello from umss exact-write'"
