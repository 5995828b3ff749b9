#!/bin/bash
# sqlite3 :memory: 'select 1+1': output "2" and status equal native.
# sqlite3 costs ~2,070,000 instructions (1.8 M of them in ld.so binding
# libsqlite3's symbols; Debian links with -z now, so nothing is lazy): one
# traced run takes 60-110 s here, so only one run is traced; set
# UMSS_TEST_SLOW=1 to also trace a second run and compare the two traces.
. tests/progs/lib.sh
export LC_ALL=C
sq=/usr/bin/sqlite3
[ -x "$sq" ] || skip "$sq missing (Debian package sqlite3)"
run_native native "$sq" :memory: 'select 1+1'
expect_status native 0
run_traced traced "$sq" :memory: 'select 1+1'
same_output native traced
[ "$(cat "$WORK/traced.out")" = 2 ] || fail "sqlite3 under umss printed '$(cat "$WORK/traced.out")', expected 2"
n=$(count_of traced) || exit 1
echo "sqlite3: $n instructions" >&2
if [ "${UMSS_TEST_SLOW:-0}" = 1 ]; then
	run_traced traced2 "$sq" :memory: 'select 1+1'
	same_output native traced2
	same_trace traced traced2
fi
