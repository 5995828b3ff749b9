#!/bin/bash
# Eight pthreads add to shared counters under a mutex and with atomic adds
# (tests/progs/c/thread-counters.c): output and status equal native under
# the three engines (ptrace with a small size), nine threads in the trace.
# Under displaced the threads run in parallel: the program's own CPU time
# (all threads) above its wall time shows two cores at work; under patch
# one thread runs program code at a time.  The numbers are printed; the
# parallelism is asserted only when the machine is not busy (load average
# below the number of cores), since on a loaded machine the threads may
# simply not get two cores.
. tests/progs/lib.sh
# Each round copies 64 KiB with one rep movsb (one instruction; ptrace
# would step each byte, so it gets 8).
big="20000 65536"
run_native native "$PROGS/thread-counters" 100 8
expect_status native 0
TRACE_ENGINE=ptrace run_traced ptrace "$PROGS/thread-counters" 100 8
same_output native ptrace
# shellcheck disable=SC2086
run_native native.big "$PROGS/thread-counters" $big "$WORK/native.times"
expect_status native.big 0
read -r _ cpu _ wall <"$WORK/native.times"
echo "native: the threads: CPU $cpu s in $wall s wall ($(echo "scale=2; $cpu / $wall" | bc) cores)"
for TRACE_ENGINE in patch displaced; do
	t=$TRACE_ENGINE
	start=$(date +%s.%N)
	# shellcheck disable=SC2086
	run_traced "$t" "$PROGS/thread-counters" $big "$WORK/$t.times"
	end=$(date +%s.%N)
	same_output native.big "$t"
	n=$(count_of "$t") || exit 1
	grep -qx 'threads: 9' "$WORK/$t.stats" ||
		fail "$t: umss stats does not say 'threads: 9': $(grep '^threads' "$WORK/$t.stats")"
	read -r _ cpu _ wall <"$WORK/$t.times"
	echo "$t: $n instructions in $(echo "$end - $start" | bc) s; the program's threads: CPU $cpu s in $wall s wall ($(echo "scale=2; $cpu / $wall" | bc) cores)"
done
read -r load _ </proc/loadavg
cores=$(nproc)
read -r _ cpu _ wall <"$WORK/displaced.times"
if [ "$(echo "$load < $cores" | bc)" = 1 ]; then
	[ "$(echo "$cpu > 1.2 * $wall" | bc)" = 1 ] ||
		fail "displaced: the threads used $cpu s of CPU in $wall s: not in parallel (load $load)"
else
	echo "parallelism not asserted: load average $load on $cores cores"
fi
