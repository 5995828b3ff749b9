#!/bin/bash
# Engine patch on real programs (issue 4): ls -l /usr/bin, python3 with
# json, sqlite3 with a recursive query, gzip -c of 256 KiB, perl -e and a
# static busybox: exit status and output equal to native, kernel-assisted
# fallbacks under 0.1% of the instructions, and for busybox (small enough
# for ptrace) a trace identical to the ptrace engine's, also for a busybox
# shell (`sh -c 'echo hi'`, no fork).  REAL_ENGINE=displaced runs the same
# checks under engine displaced (tests/cases/displaced-real.sh).
set -u
engine=${REAL_ENGINE:-patch}
fail() { echo "FAIL: $*"; exit 1; }
stat_of() { "$UMSS" stats "$1" | sed -n "s/^$2: //p" | head -n 1; }
cd "$WORK" || exit 99
head -c 262144 /usr/lib/x86_64-linux-gnu/libc.so.6 >data.bin

check() {
	local name=$1
	shift
	"$@" >native.out 2>native.err </dev/null
	local nrc=$?
	"$UMSS" trace -q --engine="$engine" -o "$name.trace" -- "$@" >patch.out 2>patch.err </dev/null
	local rc=$?
	[ $rc = $nrc ] || fail "$name: exit $rc, natively $nrc: $(head -c 300 patch.err)"
	cmp -s native.out patch.out || fail "$name: stdout differs from native"
	cmp -s native.err patch.err || fail "$name: stderr differs from native: $(head -c 300 patch.err)"
	local n f
	n=$(stat_of "$name.trace" instructions)
	f=$(stat_of "$name.trace" fallbacks)
	[ -n "$n" ] && [ -n "$f" ] || fail "$name: no counts in umss stats"
	[ $((f * 1000)) -lt "$n" ] || fail "$name: $f fallbacks in $n instructions (0.1% or more)"
	echo "ok $name: $n instructions, $f fallbacks, output as native"
}

PY=/usr/bin/python3 # not a PATH shim (pyenv's is a shell script)
check ls ls -l /usr/bin
export PYTHONHASHSEED=0
check python3 $PY -c 'import json; print(json.dumps({"a": [1, 2, 3], "b": sum(range(100))}))'
check sqlite3 sqlite3 :memory: 'with recursive c(x) as (select 1 union all select x + 1 from c where x < 1000) select sum(x) from c;'
check gzip gzip -c data.bin
check perl perl -e 'print join(",", map { $_ * 2 } 1 .. 5), "\n"'
check busybox /bin/busybox echo hi from busybox
check busybox-sh /bin/busybox sh -c 'echo hi'
for name in busybox busybox-sh; do
	args=(echo hi from busybox)
	[ $name = busybox-sh ] && args=(sh -c 'echo hi')
	"$UMSS" trace -q --engine=ptrace -o $name.ptrace -- /bin/busybox "${args[@]}" >/dev/null ||
		fail "$name under ptrace"
	if ! "$UMSS" diff $name.ptrace $name.trace >$name.diff; then
		# busybox sh formats its pid: when the two runs' pids have
		# different numbers of digits (9999 -> 10000) their paths differ
		# by design.  Trace both again once, back to back.
		"$UMSS" trace -q --engine="$engine" -o $name.trace -- /bin/busybox "${args[@]}" >/dev/null
		"$UMSS" trace -q --engine=ptrace -o $name.ptrace -- /bin/busybox "${args[@]}" >/dev/null
		"$UMSS" diff $name.ptrace $name.trace ||
			fail "$name: $engine and ptrace traces differ twice: $(head -20 $name.diff)"
	fi
done
