"""The regrade cache: a second run over an unchanged class, and a rubric edit that changes only points.

    .venv/bin/python benchmarks/cache.py [--count 100] [--numpy-nn]

The class is `--count` copies of the bench kit's 19 terminating submissions (bench_layers); with
--numpy-nn, the repository's numpy_nn sample class as well (its first run trains every model: minutes).
For each: the first run (--no-cache), a second run with nothing changed, and a run after editing one
check's points in a copy of the rubric. Each is timed in-process (what `grade()` costs) and the sandbox
runs it made are counted; the unchanged rerun is also timed as a fresh process (as `grader run` is,
interpreter start and imports included).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import tempfile
from pathlib import Path

import grader.run
from common import DEFAULT_KIT, grade_in_process, kit_submissions, machine, scratch, table, timed
from grader.assignments import grader_home, load_assignment
from grader.run import grade
from grader.sandbox.pool import SandboxPool


class CountingPool(SandboxPool):
    runs = 0

    def run(self, task):
        CountingPool.runs += 1
        return super().run(task)


def copy_assignment(name: str, home: Path) -> Path:
    rubric = load_assignment(name)
    source = rubric.path.parent.parent
    for path in rubric.content_files():
        target = home / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return home / rubric.path.relative_to(source)


def bump_first_points(rubric_file: Path) -> None:
    """Add one point to the first automatic check (and to its section), leaving everything else."""
    text = rubric_file.read_text()
    check = text.index("[[checks]]")
    section_id = re.search(r'section = "([^"]+)"', text[check:]).group(1)
    points = re.compile(r"^points = ([0-9.]+)", re.M)
    first = points.search(text, check)
    text = text[:first.start()] + f"points = {float(first.group(1)) + 1:g}" + text[first.end():]
    section = re.search(rf'\[\[sections\]\]\s*\nid = "{re.escape(section_id)}"[^\[]*?^points = ([0-9.]+)', text, re.M | re.S)
    text = text[:section.start(1)] + f"{float(section.group(1)) + 1:g}" + text[section.end(1):]
    rubric_file.write_text(text)


def scenario(label: str, assignment: str, folder: Path, jobs: int) -> list[list[object]]:
    rows = []
    with scratch() as work:
        home = Path(tempfile.mkdtemp(prefix="grader-bench-home-", dir="/var/tmp"))
        try:
            rubric_file = copy_assignment(assignment, home)
            os.environ["GRADER_HOME"] = str(home)
            grader.run.SandboxPool = CountingPool
            out = work / "out"
            steps = [("first run (--no-cache)", False, None),
                     ("second run, nothing changed", True, None),
                     ("one check's points edited", True, bump_first_points)]
            for step, use_cache, change in steps:
                if change:
                    change(rubric_file)
                CountingPool.runs = 0
                seconds, _ = timed(grade, folder, assignment, out, jobs=jobs, use_cache=use_cache)
                rows.append([label, step, f"{seconds:.2f}", CountingPool.runs, machine().split("; ")[1]])
            fresh = grade_in_process(folder, assignment, out, jobs, use_cache=True)
            rows.append([label, "second run, nothing changed, as a fresh process", f"{fresh['wall_s']:.2f}",
                         fresh["sandbox_runs"],
                         machine().split("; ")[1]])
        finally:
            grader.run.SandboxPool = SandboxPool
            os.environ.pop("GRADER_HOME", None)
            shutil.rmtree(home, ignore_errors=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--kit", type=Path, default=DEFAULT_KIT)
    parser.add_argument("--numpy-nn", action="store_true", help="also the numpy_nn sample class (minutes)")
    args = parser.parse_args()
    print(f"machine: {machine()}\n")
    rows = []
    with scratch() as work:
        folder = work / "bench"
        folder.mkdir()
        sources = kit_submissions(args.kit, terminating_only=True)
        for index in range(args.count):
            source = sources[index % len(sources)]
            shutil.copyfile(source, folder / f"c{index:04d}_{source.name}")
        rows += scenario(f"bench_layers, {args.count} submissions", "bench_layers", folder, args.jobs)
        if args.numpy_nn:
            samples = grader_home() / "submissions" / "numpy_nn"
            rows += scenario(f"numpy_nn sample class, {len(list(samples.glob('*.py')))} submissions", "numpy_nn",
                             samples, args.jobs)
    print(table(["class", "run", "wall s", "sandbox runs", "load after"], rows))


if __name__ == "__main__":
    main()
