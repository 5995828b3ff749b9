#!/bin/bash
# python3 with the threading module and a signal handler: four threads sum
# squares while the main thread sends itself SIGUSR1 (os.kill, a
# process-directed signal any thread may take; Python runs the handler in
# the main thread), waits for the handler and joins them.  Output and
# status equal native under patch and displaced (python3's start-up alone
# is ~30 M instructions, far too many for ptrace in make check).
. tests/progs/lib.sh
export LC_ALL=C PYTHONHASHSEED=0
py=/usr/bin/python3
[ -x "$py" ] || skip "$py missing (Debian package python3)"
script='
import os, signal, threading, time
got = []
def on_usr1(sig, frame):
    got.append((sig, threading.current_thread().name))
signal.signal(signal.SIGUSR1, on_usr1)
results = [0] * 4
def work(i):
    s = 0
    for k in range(i * 2000, (i + 1) * 2000):
        s += k * k
    results[i] = s
threads = [threading.Thread(target=work, args=(i,), name="w%d" % i) for i in range(4)]
for t in threads:
    t.start()
os.kill(os.getpid(), signal.SIGUSR1)
deadline = time.monotonic() + 20
while not got and time.monotonic() < deadline:
    time.sleep(0.001)
for t in threads:
    t.join()
print(results, sum(results), got, threading.active_count())
'
run_native native "$py" -c "$script"
expect_status native 0
for TRACE_ENGINE in patch displaced; do
	t=$TRACE_ENGINE
	run_traced "$t" "$py" -c "$script"
	same_output native "$t"
	n=$(count_of "$t") || exit 1
	grep -qx 'threads: 5' "$WORK/$t.stats" ||
		fail "$t: umss stats does not say 'threads: 5': $(grep '^threads' "$WORK/$t.stats")"
	echo "$t: $n instructions, $(grep '^fallbacks' "$WORK/$t.stats")"
done
cat "$WORK/native.out"
