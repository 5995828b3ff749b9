"""The workloads `make bench` measures, in two sizes.

small: the ptrace engine (20-70 us a step here) finishes each in about a
       minute or less, so every contender runs them.
large: for the fast engines; the ptrace engine is not run on them.

Each workload is a command line; sizes are its arguments.  Nothing here is an
instruction count: counts are measured on every run (bench/contenders.py),
except the assembly loop's, which is known by construction (loop.S) and is
used to check the measured one.
"""

import os
import random
import shutil


class Workload:
    """One command to measure."""

    def __init__(self, name, size, argv, what, env=None, expected=None,
                 smallest=False):
        self.name = name            # short name, e.g. "asm-loop"
        self.size = size            # "small" or "large"
        self.argv = argv            # argv[0] is an absolute path
        self.what = what            # one line for the report
        self.env = env or {}        # variables added to the environment
        self.expected = expected    # instruction count by construction
        self.smallest = smallest    # gdb stepping runs here only

    @property
    def label(self):
        return f"{self.name} ({self.size})"


# Loop iterations of the two assembly loop builds; bench/bench.mk passes
# the same numbers to the assembler and to run.py (--loop-iters).
LOOP_INSNS_PER_ITER = 4
LOOP_INSNS_OUTSIDE = 5

# Pseudo-text for gzip: words drawn with a fixed seed, so the input (and the
# work gzip does) is the same on every machine and every run.
_WORDS = (
    "the of and to in is that for it as with was on be by at this from or "
    "which an are not have but had they his were her she there been one all "
    "trace step instruction register memory signal thread process kernel "
    "agent decoder stub handler patch cache branch target address module"
).split()

SQL = ("with recursive c(x) as (select 1 union all select x + 1 from c "
       "where x < {n}) select count(*), sum(x * x) from c;")
PYTHON = "print(sum(i * i for i in range({n})))"


def make_text(path, size, seed=7):
    """Writes `size` bytes of deterministic pseudo-text to path."""
    if os.path.exists(path) and os.path.getsize(path) == size:
        return
    rng = random.Random(seed)
    parts = []
    total = 0
    while total < size:
        n = rng.randint(4, 14)
        line = " ".join(rng.choice(_WORDS) for _ in range(n)) + ".\n"
        parts.append(line)
        total += len(line)
    with open(path, "wb") as f:
        f.write("".join(parts).encode()[:size])


def _which(name):
    path = shutil.which(name, path="/usr/bin:/bin")
    return path or f"/usr/bin/{name}"


def workloads(bench_dir, loop_iters, mode):
    """Returns the workloads for mode "full" or "quick".

    bench_dir is build/bench (programs built by bench.mk, inputs made here);
    loop_iters maps "small"/"large" to the assembly loop's iteration counts.
    """
    small_text = os.path.join(bench_dir, "gzip-input-4k.txt")
    large_text = os.path.join(bench_dir, "gzip-input-32k.txt")
    make_text(small_text, 4 * 1024)
    make_text(large_text, 32 * 1024)
    py_env = {"PYTHONHASHSEED": "0"}  # same dict layout, same path every run
    ls = _which("ls")
    py = "/usr/bin/python3"  # not a pyenv shim: that would trace a shell
    sqlite = _which("sqlite3")
    gzip = _which("gzip")
    kernel = os.path.join(bench_dir, "kernel")

    def loop(size):
        iters = loop_iters[size]
        return Workload(
            "asm-loop", size, [os.path.join(bench_dir, f"loop-{size}")],
            f"no-libc loop, {iters} iterations of add/xor/dec/jnz "
            f"(bench/workloads/loop.S)",
            expected=LOOP_INSNS_PER_ITER * iters + LOOP_INSNS_OUTSIDE,
            smallest=(size == "small"))

    small = [
        loop("small"),
        Workload("c-kernel", "small", [kernel, "1000"],
                 "FNV-1a hash and qsort of 1000 words "
                 "(bench/workloads/kernel.c)"),
        Workload("ls", "small", [ls, "/usr/lib"], "`ls /usr/lib`"),
        Workload("sqlite3", "small", [sqlite, ":memory:", SQL.format(n=10)],
                 "`sqlite3 :memory:` recursive CTE over 10 rows (mostly "
                 "sqlite's start-up)"),
        Workload("gzip", "small", [gzip, "-c", small_text],
                 "`gzip -c` of 4 KiB of text"),
    ]
    large = [
        loop("large"),
        Workload("c-kernel", "large", [kernel, "10000"],
                 "FNV-1a hash and qsort of 10000 words"),
        Workload("ls", "large", [ls, "/usr/bin"], "`ls /usr/bin`"),
        Workload("python3", "large", [py, "-S", "-c", PYTHON.format(n=1000)],
                 "`python3 -S -c` sum of 1000 squares (large set only: "
                 "python's start-up alone is too long for the ptrace engine)",
                 env=py_env),
        Workload("sqlite3", "large", [sqlite, ":memory:", SQL.format(n=1500)],
                 "`sqlite3 :memory:` recursive CTE over 1500 rows"),
        Workload("gzip", "large", [gzip, "-c", large_text],
                 "`gzip -c` of 32 KiB of text"),
    ]
    if mode == "quick":
        keep = {"asm-loop", "ls"}
        return [w for w in small if w.name in keep]
    return small + large
