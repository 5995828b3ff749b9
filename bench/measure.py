"""Runs one command and measures it: wall time, exit status, peak RSS.

The command runs under bench/measure.c (built as build/bench/measure), which
forks, execs and reaps it with wait4 and writes the wall time, status and
ru_maxrss to a result file; measure.c says why a helper.  Here the helper is
started with posix_spawn in a session of its own, stdin from /dev/null and
stdout/stderr to files, so a timeout can kill everything the run started.
"""

import os
import signal
import threading


class RunResult:
    """What one run of a command produced."""

    def __init__(self, wall_ns, status, maxrss_kib, timed_out):
        self.wall_ns = wall_ns          # spawn to reap, nanoseconds
        self.status = status            # exit code, or 128 + signal number
        self.maxrss_kib = maxrss_kib    # ru_maxrss, KiB
        self.timed_out = timed_out      # killed by our timeout


class HarnessError(Exception):
    """The measuring helper itself failed."""


def run(argv, stdout_path, stderr_path, env, timeout_s, helper):
    """Runs argv (argv[0] an absolute path) and returns a RunResult."""
    result_path = stdout_path + ".measure"
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, stdout_path,
         os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
        (os.POSIX_SPAWN_OPEN, 2, stderr_path,
         os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
    ]
    timed_out = []

    if os.path.exists(result_path):
        os.remove(result_path)
    pid = os.posix_spawn(helper, [helper, result_path] + list(argv), env,
                         file_actions=actions, setsid=True)

    def kill_group():
        timed_out.append(True)
        _kill_group(pid)

    timer = threading.Timer(timeout_s, kill_group)
    timer.start()
    _, wstatus, _ = os.wait4(pid, 0)
    timer.cancel()
    # A tracer that died may leave its traced program behind, stopped: the
    # session is ours, so nothing of it outlives the run.
    _kill_group(pid)

    if timed_out:
        return RunResult(None, None, None, True)
    try:
        with open(result_path) as f:
            wall_ns, status, maxrss = (int(x) for x in f.read().split())
        os.remove(result_path)
    except (OSError, ValueError):
        raise HarnessError(f"{helper} wrote no result (wait status "
                           f"{wstatus:#x}) for {argv[0]}") from None
    return RunResult(wall_ns, status, maxrss, False)


def _kill_group(pgid):
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
