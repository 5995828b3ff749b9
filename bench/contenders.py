"""The contenders: how each one runs a workload and what it counted.

Each contender turns a workload into a command line and, after a run, reads
what that run left behind: its own instruction count where it has one and
the size of its trace.  A contender whose tool is missing is reported as
"not available" with the reason; it is never left out of the table.
"""

import os
import re
import shutil
import subprocess

import measure


class Collected:
    """What a run left behind, read after it."""

    def __init__(self, count=None, unit=None, trace_bytes=None, error=None,
                 notes=None):
        self.count = count              # the contender's own count
        self.unit = unit                # what count counts
        self.trace_bytes = trace_bytes  # size of its trace or log, bytes
        self.error = error              # why the run counts as failed
        self.notes = notes or []        # for the table's notes column


class Contender:
    """Base: a contender runs every workload and writes no trace."""

    key = ""            # short id, used in file names
    name = ""           # as shown in the table
    cost = "fast"       # repetition class (run.py REPS)
    checks_output = True
    reads = "—"         # what is read after a run, for the report

    def availability(self, ctx):
        """None when usable, else ("not available" | "failed", reason)."""
        return None

    def skip_reason(self, workload):
        """None to run on workload, else why it is not run there."""
        return None

    def shown_on(self, workload):
        """Whether the workload's table has a row for this contender."""
        return True

    def argv(self, workload, trace_path, ctx):
        raise NotImplementedError

    def collect(self, workload, trace_path, stdout_path, ctx):
        """A Collected."""
        return Collected()


def _tool(name):
    return shutil.which(name, path="/usr/bin:/bin:/usr/local/bin")


def _count_lines(path, prefix):
    """Lines of path starting with prefix (grep: fast on GB files)."""
    out = subprocess.run(["grep", "-c", "^" + prefix, path],
                         stdout=subprocess.PIPE, text=True)
    return int(out.stdout.strip() or 0)


class Native(Contender):
    key = "native"
    name = "native"

    def argv(self, workload, trace_path, ctx):
        return list(workload.argv)


class UmssEngine(Contender):
    """`umss trace --engine=ENGINE -q -o FILE -- PROG`."""

    def __init__(self, engine, cost, small_only):
        self.engine = engine
        self.key = "umss-" + engine
        self.name = f"umss --engine={engine}"
        self.cost = cost
        self.small_only = small_only
        self.reads = ("`umss stats FILE` (first line, `instructions: N`); "
                      "the size of FILE")

    def availability(self, ctx):
        umss = ctx["umss"]
        if not os.access(umss, os.X_OK):
            return ("not available", f"{ctx['umss_rel']} is not built")
        # The probe is the cheapest way to learn whether the engine exists:
        # umss exits 2 with "unknown engine" until it lands.
        work = ctx["work"]
        trace = os.path.join(work, f"probe-{self.engine}.trace")
        err = os.path.join(work, f"probe-{self.engine}.err")
        argv = [umss, "trace", f"--engine={self.engine}", "-q", "-o", trace,
                "--", ctx["probe"]]
        out = os.path.join(work, f"probe-{self.engine}.out")
        try:
            res = measure.run(argv, out, err, ctx["env"], 120, ctx["helper"])
        except measure.HarnessError as e:
            return ("failed", f"harness error: {e}")
        remove(out)
        msg = first_line(err)
        remove(trace)
        if res.status == 2 and "unknown engine" in msg:
            return ("not available", f"umss has no engine '{self.engine}' "
                    "yet (`umss trace` says \"unknown engine\")")
        if res.timed_out:
            return ("failed", "probe run (build/bench/probe, 9 "
                    "instructions) timed out")
        if res.status != 0:
            return ("failed", f"probe run (build/bench/probe, 9 "
                    f"instructions) exited {res.status}: {msg}")
        return None

    def skip_reason(self, workload):
        if self.small_only and workload.size != "small":
            return ("skipped: the ptrace engine runs the small workloads "
                    "only (at tens of µs a step, the large ones would take "
                    "the bench past its 20-minute budget)")
        return None

    def argv(self, workload, trace_path, ctx):
        return [ctx["umss"], "trace", f"--engine={self.engine}", "-q",
                "-o", trace_path, "--"] + list(workload.argv)

    def collect(self, workload, trace_path, stdout_path, ctx):
        if not os.path.exists(trace_path):
            return Collected(error="no trace file written")
        size = os.path.getsize(trace_path)
        out = subprocess.run([ctx["umss"], "stats", trace_path],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, errors="replace")
        lines = out.stdout.splitlines()
        m = re.match(r"instructions:\s*(\d+)\s*$", lines[0] if lines else "")
        if out.returncode != 0 or not m:
            why = (out.stderr.strip().splitlines() or lines[:1]
                   or ["no output"])
            return Collected(trace_bytes=size,
                             error=f"`umss stats` failed: {why[0]}")
        fields = dict(line.split(":", 1) for line in lines
                      if re.match(r"^[a-z ]+:", line))
        engine = fields.get("engine", "").strip()
        if engine and engine != self.engine:
            return Collected(trace_bytes=size,
                             error=f"the trace says engine {engine}")
        notes = []
        if "fallbacks" in fields:
            notes.append(f"fallbacks: {fields['fallbacks'].strip()}")
        return Collected(int(m.group(1)), "instructions", size, notes=notes)


class ValgrindLackey(Contender):
    key = "lackey"
    name = "valgrind lackey --trace-mem=yes"
    cost = "slow"
    reads = "`grep -c '^I ' FILE` (instructions); the size of FILE"

    def availability(self, ctx):
        if not _tool("valgrind"):
            return ("not available", "valgrind is not installed")
        return None

    def argv(self, workload, trace_path, ctx):
        return [_tool("valgrind"), "--tool=lackey", "--trace-mem=yes",
                f"--log-file={trace_path}", "--"] + list(workload.argv)

    def collect(self, workload, trace_path, stdout_path, ctx):
        if not os.path.exists(trace_path):
            return Collected(error="no log file written")
        # Lackey writes "I  addr,len" for each instruction it runs (a REP
        # string instruction once per iteration) and " L/S/M" lines for
        # memory accesses.
        return Collected(_count_lines(trace_path, "I "), "I lines",
                         os.path.getsize(trace_path))


class ValgrindNone(Contender):
    key = "nulgrind"
    name = "valgrind --tool=none"

    def availability(self, ctx):
        if not _tool("valgrind"):
            return ("not available", "valgrind is not installed")
        return None

    def argv(self, workload, trace_path, ctx):
        return [_tool("valgrind"), "--tool=none", "-q", "--"] + \
            list(workload.argv)


class Qemu(Contender):
    key = "qemu"
    name = "qemu-x86_64"

    def availability(self, ctx):
        if not _tool("qemu-x86_64"):
            return ("not available", "qemu-x86_64 is not installed "
                    "(Debian package qemu-user)")
        return None

    def argv(self, workload, trace_path, ctx):
        return [_tool("qemu-x86_64")] + list(workload.argv)


class QemuExecLog(Qemu):
    """QEMU logging every translation block it executes.

    -d exec logs one "Trace" line per executed block; nochain stops blocks
    from jumping straight into each other, which would skip the log.
    """

    key = "qemu-exec"
    name = "qemu-x86_64 -d exec,nochain"
    cost = "medium"
    reads = "`grep -c '^Trace ' FILE` (blocks); the size of FILE"

    def argv(self, workload, trace_path, ctx):
        return [_tool("qemu-x86_64"), "-d", "exec,nochain", "-D",
                trace_path] + list(workload.argv)

    def collect(self, workload, trace_path, stdout_path, ctx):
        if not os.path.exists(trace_path):
            return Collected(error="no log file written")
        return Collected(_count_lines(trace_path, "Trace "), "blocks",
                         os.path.getsize(trace_path))


class GdbStepi(Contender):
    """gdb in batch mode, `stepi` from the first instruction to the exit."""

    key = "gdb"
    name = "gdb stepi"
    cost = "slowest"
    checks_output = False   # the program's output is mixed with gdb's
    reads = "the `umss-bench-steps N` line gdb prints (steps)"

    def availability(self, ctx):
        if not _tool("gdb"):
            return ("not available", "gdb is not installed")
        return None

    def skip_reason(self, workload):
        return None if workload.smallest else "smallest workload only"

    def shown_on(self, workload):
        return workload.smallest

    def argv(self, workload, trace_path, ctx):
        return [_tool("gdb"), "-nx", "-batch", "-x", ctx["gdb_script"],
                "--args"] + list(workload.argv)

    def collect(self, workload, trace_path, stdout_path, ctx):
        with open(stdout_path, errors="replace") as f:
            m = re.search(r"^umss-bench-steps (\d+)$", f.read(), re.M)
        if not m:
            return Collected(error="no step count in gdb's output")
        return Collected(int(m.group(1)), "steps")


def all_contenders():
    """In table order: native, umss engines fastest first, then peers."""
    return [
        Native(),
        UmssEngine("displaced", "fast", small_only=False),
        UmssEngine("patch", "medium", small_only=False),
        UmssEngine("ptrace", "slowest", small_only=True),
        ValgrindNone(),
        ValgrindLackey(),
        Qemu(),
        QemuExecLog(),
        GdbStepi(),
    ]


def first_line(path):
    try:
        with open(path, errors="replace") as f:
            for line in f:
                if line.strip():
                    return line.strip()
    except OSError:
        pass
    return ""


def remove(path):
    try:
        os.remove(path)
    except OSError:
        pass
