"""Scaling: 50, 100, 200, 400 submissions; wall time and the grader process's peak memory.

    .venv/bin/python benchmarks/scaling.py [--sizes 50 100 200 400] [--jobs 2] [--kit ../shared/bench-kit]

The class is N copies (cycled, renamed) of the bench kit's 19 terminating submissions, graded with the
`bench_layers` assignment and --no-cache, each N in a fresh Python process (as `grader run` would be):
its wall time (imports included) and peak resident memory (VmHWM of that process; the zygotes are
separate processes and do not grow with N). Without the kit, trivial one-class submissions are used.
Memory must stay flat in N: results are stored one by one and observations are dropped once judged.
"""
from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from common import DEFAULT_KIT, grade_in_process, kit_submissions, machine, scratch, table, trivial_class


def make_class(folder: Path, count: int, kit: Path) -> str:
    sources = kit_submissions(kit, terminating_only=True) if kit.is_dir() else []
    if not sources:
        trivial_class(count, folder)
        return "trivial one-class submissions"
    folder.mkdir(parents=True)
    for index in range(count):
        source = sources[index % len(sources)]
        shutil.copyfile(source, folder / f"c{index:04d}_{source.name}")
    return "copies of the kit's 19 terminating submissions"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 100, 200, 400])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--kit", type=Path, default=DEFAULT_KIT)
    args = parser.parse_args()
    print(f"machine: {machine()}\n")
    rows = []
    for count in args.sizes:
        with scratch() as work:
            what = make_class(work / "class", count, args.kit)
            measured = grade_in_process(work / "class", "bench_layers", work / "out", args.jobs)
        rows.append([count, f"{measured['wall_s']:.1f}", f"{measured['wall_s'] / count * 1000:.0f}",
                     f"{measured['peak_rss_kb'] / 1024:.0f}", machine().split("; ")[1]])
    print(f"### Scaling (bench_layers, {what}, --jobs {args.jobs}, --no-cache)\n")
    print(table(["submissions", "wall s", "ms / submission", "peak RSS of the grader process, MiB", "load after"], rows))


if __name__ == "__main__":
    main()
