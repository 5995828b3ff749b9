"""Turns the measurements into markdown: tables for stdout, and the whole
report (machine, method, tables, workloads, decoder bench) for
docs/PERFORMANCE.md."""

import datetime
import math
import os
import platform
import statistics
import subprocess

SIZES = [
    ("small", "Small workloads: every contender"),
    ("large", "Large workloads: the fast contenders (no ptrace engine)"),
]
HEADER = ("| workload | contender | instructions | median wall | runs "
          "| ns / insn | slowdown vs native | speed-up vs ptrace "
          "| peak RSS | trace B / insn | notes |")
RULE = "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|"


def machine_state():
    return {"loadavg": os.getloadavg()}


def _fmt_time(ns):
    if ns >= 10e9:
        return f"{ns / 1e9:.1f} s"
    if ns >= 1e9:
        return f"{ns / 1e9:.2f} s"
    if ns >= 1e6:
        return f"{ns / 1e6:.1f} ms"
    return f"{ns / 1e3:.0f} µs"


def _fmt_ratio(x):
    if x >= 100:
        return f"{x:,.0f}×"
    if x >= 10:
        return f"{x:.1f}×"
    return f"{x:.2f}×"


def _fmt_ns(x):
    if x >= 1000:
        return f"{x:,.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def _geomean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def _median(xs):
    return statistics.median(xs) if xs else None


class Report:
    def __init__(self, args, cons, results, reps, elapsed, before, ctx):
        self.args = args
        self.cons = cons
        self.results = results
        self.reps = reps
        self.elapsed = elapsed
        self.before = before
        self.after = machine_state()
        self.ctx = ctx

    def _rows(self, size):
        rows = []
        for w, cells, ref in self.results:
            if w.size != size:
                continue
            native = _median(cells["native"].wall_ns) \
                if cells["native"].state == "ok" else None
            pt = cells.get("umss-ptrace")
            ptrace = _median(pt.wall_ns) if pt and pt.state == "ok" else None
            for c in self.cons:
                if c.shown_on(w):
                    rows.append(self._row(w, c, cells[c.key], ref, native,
                                          ptrace))
        return rows

    def _row(self, w, c, cell, ref, native, ptrace):
        insns = "n/a"
        if ref:
            insns = f"{ref[0]:,}"
            if ref[1] != "umss-ptrace":
                insns += f" ({ref[1]})"
        dash = "—"
        if cell.state != "ok":
            label = {"failed": "**FAILED**", "not available": "not available",
                     "skipped": "skipped"}[cell.state]
            note = cell.reason
            if cell.state == "skipped" and note.startswith("skipped: "):
                note = note[len("skipped: "):]
            return (f"| {w.label} | {c.name} | {insns} | {dash} | "
                    f"{len(cell.wall_ns)} | {dash} | {dash} | {dash} | {dash} "
                    f"| {dash} | {label}: {note} |")
        med = _median(cell.wall_ns)
        per = _fmt_ns(med / ref[0]) if ref else dash
        slow = _fmt_ratio(med / native) if native else dash
        fast = _fmt_ratio(ptrace / med) if ptrace else dash
        rss = f"{_median(cell.maxrss_kib) / 1024:.1f} MiB"
        tb = dash
        if cell.trace_bytes and ref:
            tb = f"{_median(cell.trace_bytes) / ref[0]:.2f}"
        notes = []
        if cell.own_counts and not c.key.startswith("umss-"):
            notes.append(f"{cell.own_unit}: {cell.own_counts[0]:,}")
        notes += cell.notes
        return (f"| {w.label} | {c.name} | {insns} | {_fmt_time(med)} | "
                f"{len(cell.wall_ns)} | {per} | {slow} | {fast} | {rss} | "
                f"{tb} | {'; '.join(notes)} |")

    def tables(self):
        out = []
        for size, title in SIZES:
            rows = self._rows(size)
            if not rows:
                continue
            out += [f"### {title}", "", HEADER, RULE] + rows + [""]
            out += self._summary(size)
        out += self._per_instruction()
        return "\n".join(out)

    def _per_instruction(self):
        """Cost per instruction without the start-up: for each workload
        run in both sizes, the extra wall time of the large run over the
        small one divided by its extra instructions (the fixed costs of
        starting the tool and the program cancel out).  The ptrace engine
        runs the small size only: its cost is its small run's wall time
        per instruction (its start-up is a few ms of seconds)."""
        by = {}
        for w, cells, ref in self.results:
            if ref:
                by.setdefault(w.name, {})[w.size] = (cells, ref[0])
        pairs = [(n, d) for n, d in by.items() if "small" in d and "large" in d]
        if not pairs:
            return []
        out = ["### Per instruction, start-up excluded", "",
               "For each workload run in both sizes: (median wall of the "
               "large run − median wall of the small run) / (instructions "
               "of the large run − of the small run), so the fixed costs "
               "(starting the tool and the program, writing the trace's "
               "header) cancel out.  **vs ptrace** is the ptrace engine's "
               "cost per instruction (its small run's wall time / "
               "instructions, start-up included, a few ms of seconds) "
               "over that; **vs patch** is engine patch's over engine "
               "displaced's.", "",
               "| workload | contender | extra instructions | extra wall "
               "| ns / insn | vs ptrace | vs patch |",
               "|---|---|--:|--:|--:|--:|--:|"]
        summary = {}
        for name, d in pairs:
            (small, n_small), (large, n_large) = d["small"], d["large"]
            if n_large <= n_small:
                continue
            def marginal(key):
                a, b = small.get(key), large.get(key)
                if not a or not b or a.state != "ok" or b.state != "ok":
                    return None
                return (_median(b.wall_ns) - _median(a.wall_ns)) / (n_large - n_small)
            pt = small.get("umss-ptrace")
            pt_per = _median(pt.wall_ns) / n_small if pt and pt.state == "ok" else None
            patch = marginal("umss-patch")
            for c in self.cons:
                m = marginal(c.key)
                if m is None or m <= 0 or c.key == "umss-ptrace":
                    continue
                vs_pt = pt_per / m if pt_per else None
                vs_patch = patch / m if patch and c.key == "umss-displaced" else None
                for k, v in (("pt", vs_pt), ("patch", vs_patch)):
                    if v:
                        summary.setdefault((c.name, k), []).append(v)
                delta = _median(large[c.key].wall_ns) - _median(small[c.key].wall_ns)
                out.append(f"| {name} | {c.name} | {n_large - n_small:,} | "
                           f"{_fmt_time(delta)} | {_fmt_ns(m)} | "
                           f"{_fmt_ratio(vs_pt) if vs_pt else '—'} | "
                           f"{_fmt_ratio(vs_patch) if vs_patch else '—'} |")
            if pt_per:
                out.append(f"| {name} | umss --engine=ptrace | {n_small:,} (small run) | "
                           f"{_fmt_time(_median(pt.wall_ns))} | {_fmt_ns(pt_per)} | 1.00× | — |")
        out += ["", "Geometric means over the workloads above, and the "
                "lowest (the goal of issue 5 is every workload):", "",
                "| contender | vs ptrace (geomean) | vs ptrace (lowest) "
                "| vs patch (geomean) | vs patch (lowest) |",
                "|---|--:|--:|--:|--:|"]
        for c in self.cons:
            pt_l = summary.get((c.name, "pt"))
            pa_l = summary.get((c.name, "patch"))
            if not pt_l:
                continue
            out.append(f"| {c.name} | {_fmt_ratio(_geomean(pt_l))} | "
                       f"{_fmt_ratio(min(pt_l))} | "
                       f"{_fmt_ratio(_geomean(pa_l)) if pa_l else '—'} | "
                       f"{_fmt_ratio(min(pa_l)) if pa_l else '—'} |")
        return out + [""]

    def _summary(self, size):
        """Geometric means of each contender's ratios over the workloads of
        this size where it and the reference both ran."""
        out = [f"Summary of the {size} workloads: geometric means of the "
               "ratios above, over the workloads each contender completed.",
               "",
               "| contender | workloads completed | slowdown vs native "
               "| speed-up vs ptrace |",
               "|---|--:|--:|--:|"]
        for c in self.cons:
            done = 0
            shown = 0
            slow = []
            fast = []
            for w, cells, _ in self.results:
                if w.size != size or not c.shown_on(w):
                    continue
                shown += 1
                cell = cells[c.key]
                if cell.state != "ok":
                    continue
                done += 1
                med = _median(cell.wall_ns)
                nat = cells["native"]
                if nat.state == "ok":
                    slow.append(med / _median(nat.wall_ns))
                pt = cells.get("umss-ptrace")
                if pt and pt.state == "ok":
                    fast.append(_median(pt.wall_ns) / med)
            if not shown:
                continue
            out.append(f"| {c.name} | {done} of {shown} | "
                       f"{_fmt_ratio(_geomean(slow)) if slow else '—'} | "
                       f"{_fmt_ratio(_geomean(fast)) if fast else '—'} |")
        return out + [""]

    def _machine(self):
        cpu = {}
        for line in _read("/proc/cpuinfo").splitlines():
            if not line.strip():
                break   # the first processor's block is enough
            key, _, value = line.partition(":")
            cpu[key.strip()] = value.strip()
        model = cpu.get("model name", "unknown")
        model += (f" (family {cpu.get('cpu family', '?')}, model "
                  f"{cpu.get('model', '?')}, stepping "
                  f"{cpu.get('stepping', '?')}")
        if "hypervisor" in cpu.get("flags", "").split():
            model += ", a virtual machine"
        model += ")"
        debian = _read("/etc/debian_version").strip()
        lb = " / ".join(f"{x:.2f}" for x in self.before["loadavg"])
        la = " / ".join(f"{x:.2f}" for x in self.after["loadavg"])
        return [
            f"- CPU: {model}, {os.cpu_count()} cores online",
            f"- kernel: Linux {platform.release()}; Debian {debian}",
            f"- load average (1/5/15 min): {lb} at the start, {la} at the "
            f"end (other work on the machine shows up here)",
            f"- umss: commit {_git_commit()}"
            + (f"; {self.ctx['umss_rel']} (sha256 {self.ctx['umss_sha']}...) "
               "copied at the start, so every run used that one binary"
               if self.ctx.get("umss_sha") else
               f"; {self.ctx['umss_rel']} not built"),
        ] + ([
            f"- time budget reached after "
            f"{self.ctx['over_budget'] / 60:.1f} minutes: from there on "
            "each contender but the fast ones ran once per workload (see **runs**)"
        ] if self.ctx.get("over_budget") is not None else []) + [
            f"- tools: {_version(['valgrind', '--version'])}; "
            f"{_version(['qemu-x86_64', '--version'])}; "
            f"{_version(['gdb', '--version'])}",
        ]

    def write(self, path, decoder_bench):
        now = datetime.datetime.now(datetime.timezone.utc)
        lines = [
            "# umss performance",
            "",
            f"Generated by `make bench{' BENCH=quick' if self.args.mode == 'quick' else ''}` "
            f"(bench/run.py, mode {self.args.mode}) on "
            f"{now:%Y-%m-%d %H:%M} UTC in {self.elapsed / 60:.1f} minutes. "
            "Do not edit by hand: run `make bench` again.",
            "",
            "## Machine",
            "",
        ] + self._machine() + [
            "",
            "## How to read the tables",
            "",
            "- One row per workload and contender. Every contender is listed; "
            "one that is not installed or not implemented yet says "
            "\"not available\", one that crashed, timed out, exited with a "
            "status other than 0 or printed something other than the native "
            "run says **FAILED** with the reason. Nothing is estimated: every "
            "number below was measured in this run.",
            "- **instructions**: what `umss stats` of the `--engine=ptrace` "
            "trace reports (`instructions: N`), the ground truth. Where the "
            "ptrace engine did not run (large workloads), the count of "
            "another umss engine, marked with its name; failing that, "
            "valgrind lackey's count of `I` lines, marked `(lackey)` (lackey "
            "counts each iteration of a REP string instruction and valgrind's "
            "own preloaded code, so it is a little higher). The same number "
            "is used for every contender of the workload.",
            "- **median wall**: median wall-clock time of the runs, spawn to "
            "exit, including the tool's start-up and writing its trace; "
            "**runs** is how many: fewer for the slow tracers "
            "(`REPS` in bench/run.py). Within a "
            "workload, run r of every contender comes before run r+1 of any, "
            "in an order rotated each round, so the ratios compare runs made "
            "at the same time.",
            "- **ns / insn**: median wall / instructions. For native runs of "
            "small workloads this is mostly process start-up, not execution.",
            "- **slowdown vs native**: median wall / native median wall. "
            "**speed-up vs ptrace**: the ptrace engine's median wall / this "
            "median wall (small workloads only).",
            "- **peak RSS**: median of wait4's ru_maxrss: the largest "
            "resident set of any one process of the run (tracer or traced "
            "program), not their sum.",
            "- **trace B / insn**: size of the trace file / instructions: "
            "the umss trace; lackey's `--log-file` (one `I` line per "
            "instruction plus one line per memory access); QEMU's `-D` log "
            "(one line per executed block, not per instruction).",
            "- **notes**: a contender's own count where it has one (lackey's "
            "`I` lines, gdb's steps, QEMU's logged blocks); for umss engines "
            "the kernel-assisted fallbacks `umss stats` reports, and counts "
            "that differ between runs, from the ptrace engine's, or from the "
            "assembly loop's count by construction. A umss trace whose "
            "`engine:` is not the one asked for counts as a failure.",
            "- gdb (`stepi` until exit, bench/stepi.gdb) runs on the smallest "
            "workload only; the ptrace engine runs on the small ones only.",
            "- Runs whose trace or log is not needed any more are deleted as "
            "soon as they are measured; all files are under build/bench/.",
            "",
            "## How to run",
            "",
            "- `make bench`: builds umss and the workloads, installs the "
            "missing peers (bench/setup.sh: valgrind, qemu-user, gdb), "
            "measures everything and rewrites this file; under 20 minutes "
            "on 2 cores.",
            "- `make bench BENCH=quick`: two small workloads (asm-loop, "
            "ls), fewer runs, "
            "under 3 minutes; writes build/bench/PERFORMANCE.md instead.",
            "- `python3 bench/run.py --help`: the runner alone, e.g. "
            "`--only=gzip` or `--only=large` to try one part.",
            "",
            "## Results",
            "",
            self.tables(),
            "## Workloads",
            "",
        ]
        for w, _, _ in self.results:
            env = "".join(f"{k}={v} " for k, v in w.env.items())
            cmd = " ".join(_shell_quote(_short(a)) for a in w.argv)
            lines.append(f"- **{w.label}**: {w.what}. `{env}{cmd}`")
        lines += ["", "## Contenders", "",
                  "Each run is `build/bench/measure RESULT COMMAND` "
                  "(bench/measure.c: fork, exec, wait4) with stdin from "
                  "/dev/null and stdout to a file compared with native's.",
                  "", "| contender | command | read after the run |",
                  "|---|---|---|"]
        for c in self.cons:
            cmd = _template(c, self.ctx)
            lines.append(f"| {c.name} | `{cmd}` | {c.reads} |")
        lines += ["", "## Decoder", ""] + _decoder(decoder_bench) + [""]
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "w") as f:
            f.write("\n".join(lines))


def _template(c, ctx):
    """The contender's command line for a generic PROG ARGS."""

    class Generic:
        argv = ["PROG", "ARGS..."]

    ctx = dict(ctx, umss=ctx["umss_rel"])
    try:
        argv = c.argv(Generic, "FILE", ctx)
    except (OSError, TypeError):
        return "(not installed)"
    argv = [os.path.basename(a) if a and os.path.isabs(a)
            and not a.startswith(os.getcwd() + os.sep) else _short(a)
            for a in argv if a]
    return " ".join(a.replace("|", "\\|") for a in argv)


def _decoder(path):
    if not os.access(path, os.X_OK):
        return [f"decoder bench not built ({path} does not exist; "
                "`make decoder-bench` builds it once decoder/decoder.mk "
                "has the target)."]
    try:
        out = subprocess.run([path], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True,
                             errors="replace", timeout=300)
    except subprocess.TimeoutExpired:
        return [f"**FAILED**: `{path}` ran for more than 300 s."]
    if out.returncode != 0:
        err = (out.stderr.strip().splitlines() or ["no message"])[0]
        return [f"**FAILED**: `{path}` exited {out.returncode}: {err}"]
    return [f"Output of `{path}`:", "", out.stdout.rstrip()]


def _read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def _version(argv):
    try:
        out = subprocess.run(argv, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True, timeout=30)
        return out.stdout.splitlines()[0].strip()
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return f"{argv[0]} not installed"


def _git_commit():
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"],
                              stdout=subprocess.PIPE, text=True,
                              stderr=subprocess.DEVNULL).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--",
                                "cli", "tracer", "agent", "common",
                                "decoder", "tracefmt", "include"],
                               stdout=subprocess.PIPE, text=True,
                               stderr=subprocess.DEVNULL).stdout.strip()
        return head + (" with uncommitted changes to the sources" if dirty
                       else "")
    except OSError:
        return "unknown"


def _short(arg):
    """A path under the current directory (the tree) as a relative one."""
    if os.path.isabs(arg) and arg.startswith(os.getcwd() + os.sep):
        return os.path.relpath(arg)
    return arg


def _shell_quote(s):
    if s and all(ch.isalnum() or ch in "-_./:=,+" for ch in s):
        return s
    return "'" + s.replace("'", "'\\''") + "'"
