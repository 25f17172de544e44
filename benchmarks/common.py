"""Helpers shared by the benchmark scripts: the machine, timing, generated classes, Markdown tables.

Benchmarks are run by hand (`.venv/bin/python benchmarks/<script>.py`), never as tests. Every script
prints the machine line first: core count and load average, since numbers on a shared machine are noisy.
"""
from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

REPO = Path(__file__).resolve().parent.parent
#: the benchmark kit of 20 submissions, next to the repository in this project's layout
DEFAULT_KIT = REPO.parent / "shared" / "bench-kit"

#: a trivial submission for bench_layers: one small class, nothing else
TRIVIAL = '''class NPReLU:
    """student {index}"""

    def forward(self, x):
        return x * (x > 0)
'''


def machine() -> str:
    """One line: CPU, cores, memory, Python, and the load average right now."""
    model = ""
    try:
        model = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = ""
    try:
        kb = int(next(line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal")))
        memory = f", {kb / 2**20:.0f} GiB RAM"
    except (OSError, StopIteration):
        pass
    return (f"{model or platform.processor()}, {os.cpu_count()} cores{memory}, Linux {platform.release()}, "
            f"Python {platform.python_version()}; {load()}")


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f}"


def trivial_class(count: int, folder: Path | None = None) -> Path:
    """`count` trivial bench_layers submissions (each file differs, so none is a copy of another)."""
    folder = folder or Path(tempfile.mkdtemp(prefix="grader-bench-trivial-"))
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        (folder / f"student_{index:04d}.py").write_text(TRIVIAL.format(index=index))
    return folder


def kit_submissions(kit: Path, terminating_only: bool = False) -> list[Path]:
    files = sorted((kit / "submissions" / "py").glob("s*.py"))
    if terminating_only:
        files = [f for f in files if "infinite_loop" not in f.name]
    return files


def expected_scores(kit: Path) -> dict[str, float]:
    return {k: float(v) for k, v in json.loads((kit / "submissions" / "expected_scores.json").read_text()).items()}


@contextmanager
def scratch(prefix: str = "grader-bench-") -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def timed(function, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    value = function(*args, **kwargs)
    return time.perf_counter() - start, value


def median(values) -> float:
    return statistics.median(list(values))


def table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


#: run in a fresh interpreter: grade, then report wall time and this process's peak RSS (VmHWM) as JSON
_CHILD = r"""
import json, sys, time
start = time.perf_counter()
import grader.run
from grader.run import grade
from grader.sandbox.pool import SandboxPool
runs = []
class Counting(SandboxPool):
    def run(self, task):
        runs.append(1)
        return super().run(task)
grader.run.SandboxPool = Counting
args = json.loads(sys.argv[1])
book = grade(args["folder"], args["assignment"], args["out"], jobs=args["jobs"], use_cache=args["use_cache"])
wall = time.perf_counter() - start
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(json.dumps({"wall_s": wall, "peak_rss_kb": peak, "graded": len(book), "sandbox_runs": len(runs)}))
"""


def grade_in_process(folder: Path, assignment: str, out: Path, jobs: int, use_cache: bool = False) -> dict:
    """Grade in a fresh Python process (as the CLI would): wall time (imports included), peak RSS, sandbox runs."""
    spec = json.dumps({"folder": str(folder), "assignment": assignment, "out": str(out), "jobs": jobs,
                       "use_cache": use_cache})
    done = subprocess.run([sys.executable, "-c", _CHILD, spec], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])
