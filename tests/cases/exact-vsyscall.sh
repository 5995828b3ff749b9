#!/bin/bash
# A call into the vsyscall page: the emulated call is one record and the
# caller's next instruction (test at _start+0xb) is recorded too.
# Exact count by construction (tests/progs/asm/vsyscall.S): 9 instructions, exit 0.
. tests/progs/lib.sh
grep -q '\[vsyscall\]' /proc/self/maps || skip "no vsyscall page on this kernel (vsyscall=none)"
check_exact vsyscall 9 0
"$UMSS" show "$WORK/traced.trace" >"$WORK/show" 2>&1 || fail "umss show: $(tail -n 3 "$WORK/show")"
grep -q ' _start+0xb .*test' "$WORK/show" || fail "the test after the vsyscall call (_start+0xb) is not in the listing"
