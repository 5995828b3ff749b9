#!/bin/bash
# python3 -c 'print(sum(range(100)))': output 4950 and status equal native,
# two traces identical.  Python's start-up alone is ~31,700,000 instructions
# (~20,000,000 with -S; measured with valgrind --tool=callgrind), 25-40
# minutes of ptrace single-stepping here: far beyond make check's budget,
# so this runs only with UMSS_TEST_SLOW=1.
. tests/progs/lib.sh
export LC_ALL=C
py=/usr/bin/python3
[ -x "$py" ] || skip "$py missing (Debian package python3)"
[ "${UMSS_TEST_SLOW:-0}" = 1 ] ||
	skip "python3 start-up is ~31.7 M instructions, 25-40 min under the ptrace engine; set UMSS_TEST_SLOW=1 to run"
check_same_twice py "$py" -c 'print(sum(range(100)))'
expect_status py.native 0
[ "$(cat "$WORK/py.1.out")" = 4950 ] || fail "python3 under umss printed '$(cat "$WORK/py.1.out")'"
