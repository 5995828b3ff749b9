#!/usr/bin/env python3
"""`make bench`: every contender on every workload, interleaved.

For each workload, repetition r runs each contender once, in an order rotated
by r, so slow drift of the machine (other jobs, frequency, caches) lands on
all contenders alike and the ratios between them cancel it.  Slow contenders
run fewer repetitions (REPS); they are still interleaved with the others.

Writes the tables to stdout and the report to --out (docs/PERFORMANCE.md).
"""

import argparse
import hashlib
import os
import shutil
import statistics
import sys
import time

import contenders as contenders_mod
import report
import measure
import workloads as workloads_mod

# Repetitions per mode, workload size and contender cost class.  The fast
# contenders run 9 times: this host slows whole bursts of runs down (the
# same umss build timed 51-70 ms and 99-136 ms on gzip's large workload
# within a minute), and a median of 5 fell into such a burst.  The slow
# tracers get fewer runs on the large workloads, where one run takes them
# tens of seconds, so `make bench` stays under 20 minutes on 2 cores.  The
# "slowest" (gdb, and the ptrace engine: one pass over the small set takes it
# 2-7 minutes here, depending on the load) run once.
REPS = {
    "full": {
        "small": {"fast": 9, "medium": 3, "slow": 2, "slowest": 1},
        "large": {"fast": 9, "medium": 2, "slow": 1, "slowest": 1},
    },
    "quick": {
        "small": {"fast": 3, "medium": 2, "slow": 1, "slowest": 1},
        "large": {"fast": 3, "medium": 1, "slow": 1, "slowest": 1},
    },
}
# Minutes after which repetitions beyond the first are dropped for all but
# the fast contenders, so a loaded machine (the ptrace engine suffers most:
# two context switches a step) stretches the run less; every contender still
# runs at least once.  Seen here under a load average of ~10 on 2
# cores: 111 us a ptrace step (206 s for the small sqlite3 workload), against
# 33 us on the asm loop with the machine less busy.
BUDGET_MIN = {"full": 10.0, "quick": 2.0}
# Longest a single run may take before it is killed and marked failed
# (--timeout changes it).
TIMEOUT_S = 450

# Which umss engine's count is the workload's instruction count, in order of
# preference: ptrace is the ground truth.
COUNT_SOURCES = ["umss-ptrace", "umss-displaced", "umss-patch"]


class Cell:
    """One workload x contender: its runs and what became of them."""

    def __init__(self):
        self.state = "ok"       # ok | failed | not available | skipped
        self.reason = ""
        self.wall_ns = []
        self.maxrss_kib = []
        self.trace_bytes = []
        self.own_counts = []
        self.own_unit = None
        self.stdout_hashes = []
        self.notes = []

    def fail(self, reason):
        self.state = "failed"
        self.reason = reason


def log(start, msg):
    t = time.monotonic() - start
    print(f"[{int(t // 60):02d}:{int(t % 60):02d}] {msg}", file=sys.stderr,
          flush=True)


def run_one(w, c, cell, ctx, rep):
    base = os.path.join(ctx["work"], f"{w.name}-{w.size}-{c.key}")
    trace = base + ".trace"
    out = base + ".out"
    err = base + ".err"
    env = dict(ctx["env"])
    env.update(w.env)
    argv = c.argv(w, trace, ctx)
    # Whatever the last run left to write back (qemu -d exec writes
    # hundreds of MB of log, lackey's trace too) is written now, outside
    # the timing: the kernel's writeback otherwise lands in the next
    # contender's runs (seen: one contender's run 1 of 9 fast, runs 2-9
    # 1.5-2x slower, after the first qemu -d run).
    os.sync()
    try:
        res = measure.run(argv, out, err, env, ctx["timeout"],
                          ctx["helper"])
    except measure.HarnessError as e:
        cell.fail(f"harness error: {e}")
        return None
    errline = contenders_mod.first_line(err)
    if res.timed_out:
        cell.fail(f"timed out after {ctx['timeout']:g} s (run {rep + 1})")
    elif res.status != 0:
        cell.fail(f"exit status {res.status} (run {rep + 1})"
                  + (f": {errline}" if errline else ""))
    else:
        got = c.collect(w, trace, out, ctx)
        if got.error:
            cell.fail(f"{got.error} (run {rep + 1})")
        else:
            cell.wall_ns.append(res.wall_ns)
            cell.maxrss_kib.append(res.maxrss_kib)
            if got.trace_bytes is not None:
                cell.trace_bytes.append(got.trace_bytes)
            if got.count is not None:
                cell.own_counts.append(got.count)
                cell.own_unit = got.unit
            for note in got.notes:
                if note not in cell.notes:
                    cell.notes.append(note)
            if c.checks_output:
                with open(out, "rb") as f:
                    cell.stdout_hashes.append(
                        hashlib.sha256(f.read()).hexdigest())
    # umss keeps an existing FILE as FILE.old (DESIGN.md, Commands).
    for p in (trace, trace + ".old", out, err):
        contenders_mod.remove(p)
    return res


def run_workload(w, cons, cells, ctx, reps, start):
    reps = reps[w.size]
    active = [c for c in cons if cells[c.key].state == "ok"]
    total = max((reps[c.cost] for c in active), default=0)
    for rep in range(total):
        k = rep % len(active) if active else 0
        for c in active[k:] + active[:k]:
            cell = cells[c.key]
            if rep >= reps[c.cost] or cell.state != "ok":
                continue
            if rep > 0 and c.cost != "fast" and \
                    time.monotonic() - start > ctx["budget_s"]:
                if ctx["over_budget"] is None:
                    ctx["over_budget"] = time.monotonic() - start
                    log(start, "time budget reached: from now on each "
                        "slower contender runs once per workload")
                continue
            res = run_one(w, c, cell, ctx, rep)
            state = f"{cell.state}: {cell.reason}" if cell.state != "ok" \
                else f"{res.wall_ns / 1e9:.3f} s"
            log(start, f"{w.label:20} {c.name:32} run {rep + 1}/"
                f"{reps[c.cost]}: {state}")
    check_outputs(cons, cells)
    return reference_count(w, cells)


def check_outputs(cons, cells):
    native = cells["native"]
    if native.state != "ok" or not native.stdout_hashes:
        return
    want = native.stdout_hashes[0]
    for c in cons:
        cell = cells[c.key]
        if cell.state == "ok" and any(h != want for h in cell.stdout_hashes):
            cell.fail("output differs from the native run's")


def reference_count(w, cells):
    """(count, source) for the workload, and notes on disagreements."""
    ref = None
    for key in COUNT_SOURCES:
        cell = cells.get(key)
        if cell and cell.state == "ok" and cell.own_counts:
            ref = (int(statistics.median(cell.own_counts)), key)
            break
    if ref is None:
        cell = cells.get("lackey")
        if cell and cell.state == "ok" and cell.own_counts:
            ref = (int(statistics.median(cell.own_counts)), "lackey")
    for key in COUNT_SOURCES:
        cell = cells.get(key)
        if not cell or cell.state != "ok" or not cell.own_counts:
            continue
        lo, hi = min(cell.own_counts), max(cell.own_counts)
        if lo != hi:
            cell.notes.append(f"counts vary between runs: {lo:,}..{hi:,}")
        if ref and key != ref[1] and cell.own_counts[0] != ref[0]:
            cell.notes.append(f"counted {cell.own_counts[0]:,}, "
                              f"{ref[1]} counted {ref[0]:,}")
        if w.expected is not None and cell.own_counts[0] != w.expected:
            cell.notes.append(f"COUNT MISMATCH: counted "
                              f"{cell.own_counts[0]:,}, loop.S has "
                              f"{w.expected:,} by construction")
        elif w.expected is not None:
            cell.notes.append("count matches loop.S's by construction")
    return ref


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mode", choices=sorted(REPS), default="full")
    ap.add_argument("--build", default="build")
    ap.add_argument("--umss", default="build/umss")
    ap.add_argument("--loop-iters", required=True,
                    help="SMALL,LARGE iterations of the assembly loop builds")
    ap.add_argument("--decoder-bench", default="build/decoder-bench")
    ap.add_argument("--out", default="docs/PERFORMANCE.md")
    ap.add_argument("--timeout", type=float, default=TIMEOUT_S,
                    help="seconds a single run may take (default %(default)s)")
    ap.add_argument("--budget", type=float, default=None,
                    help="minutes after which each contender runs once per "
                    "workload (default: full 10, quick 2)")
    ap.add_argument("--only", default="",
                    help="comma-separated workloads to run: names, sizes or "
                    "NAME:SIZE "
                    "(for trying the runner; `make bench` runs all)")
    args = ap.parse_args()

    start = time.monotonic()
    bench_dir = os.path.abspath(os.path.join(args.build, "bench"))
    work = os.path.join(bench_dir, "work")
    os.makedirs(work, exist_ok=True)
    small, large = (int(x) for x in args.loop_iters.split(","))
    here = os.path.dirname(os.path.abspath(__file__))
    # The tree is shared: a `make` elsewhere may relink build/umss while the
    # bench runs.  A private copy keeps every run on one binary (the agent
    # is linked into it, so the copy is all it needs).
    umss = os.path.abspath(args.umss)
    umss_copy = os.path.join(bench_dir, "umss")
    umss_sha = None
    if os.access(umss, os.X_OK):
        shutil.copy2(umss, umss_copy)
        with open(umss_copy, "rb") as f:
            umss_sha = hashlib.sha256(f.read()).hexdigest()[:12]
        umss = umss_copy
    ctx = {
        "umss": umss,
        "umss_sha": umss_sha,
        "umss_rel": args.umss,
        "work": work,
        "probe": os.path.join(bench_dir, "probe"),
        "helper": os.path.join(bench_dir, "measure"),
        "gdb_script": os.path.join(here, "stepi.gdb"),
        "env": dict(os.environ),
        "timeout": args.timeout,
        "budget_s": 60 * (args.budget if args.budget is not None
                          else BUDGET_MIN[args.mode]),
        "over_budget": None,
    }
    reps = REPS[args.mode]
    cons = contenders_mod.all_contenders()
    wls = workloads_mod.workloads(bench_dir, {"small": small, "large": large},
                                  args.mode)
    if args.only:
        only = set(args.only.split(","))
        wls = [w for w in wls if only & {w.name, w.size,
                                          f"{w.name}:{w.size}"}]

    avail = {}
    for c in cons:
        avail[c.key] = c.availability(ctx)
        log(start, f"{c.name}: " + ("available" if avail[c.key] is None
                                    else ": ".join(avail[c.key])))
    machine_before = report.machine_state()

    results = []
    for w in wls:
        cells = {}
        for c in cons:
            cell = Cell()
            if avail[c.key] is not None:
                cell.state, cell.reason = avail[c.key]
            elif c.skip_reason(w):
                cell.state, cell.reason = "skipped", c.skip_reason(w)
            cells[c.key] = cell
        ref = run_workload(w, cons, cells, ctx, reps, start)
        results.append((w, cells, ref))

    elapsed = time.monotonic() - start
    doc = report.Report(args, cons, results, reps, elapsed, machine_before,
                        ctx)
    tables = doc.tables()
    print(tables)
    doc.write(args.out, args.decoder_bench)
    log(start, f"wrote {args.out}")


if __name__ == "__main__":
    main()
