"""Side by side with the field: the bench kit's 20 submissions graded by this grader, otter-grader and nbgrader.

    .venv/bin/python benchmarks/field.py [--kit ../shared/bench-kit] [--work /tmp/benchkit] [--skip-tools]

- this grader: the `bench_layers` assignment (rubric/reference/probe in this repository; the same 6 tests and
  points as the kit's tests_spec.py, a 30 s limit), the 20 `.py` submissions, --jobs 1 (sequential, as the
  other two run), `--reps` times;
- otter-grader 7.0.0: the kit's `scripts/run_otter_batch.sh ipynb` (`otter run` per notebook, 30 s timeout);
- nbgrader 0.9.6: the kit's `scripts/run_nbgrader_batch.sh OUT batch` (one `autograde` over the 20).

The two tools are built by the kit's own `scripts/setup.sh WORK` (about 2.5 min, outside this repository) when
WORK has no venv yet. If that or a tool run fails, the error is printed and the kit's NOTE.md baselines
(per-submission medians 8.2 s and 0.97 s) are used instead, and the table says so.

Per-submission time, for each tool without its one-time start-up:
- ours: the submission's own sandboxed run, observation reading and judging (`grade_submission`), plus
  storing its result and writing its two feedback reports; start-up (imports, pool, reference run) is
  reported separately, and the whole batch is also timed as a fresh process;
- otter: the wall time of its `otter run` process (GNU time), which is everything for that submission;
- nbgrader: the time between one student's first line in the batch log and the next student's (the kit's
  summarise_nbgrader method; the lines are time-stamped as they appear, since the kit's config logs no times).
Goals (issue 6): >= 20x faster than nbgrader and >= 150x faster than otter on the 19 terminating
submissions (all but s19's infinite loop), and the correct score for all 20 (including s20).
"""
from __future__ import annotations

import argparse
import csv
import json
import re
import shutil
import subprocess
import threading
import time
from collections import defaultdict
from pathlib import Path

import grader.report.incremental
import grader.run
from common import DEFAULT_KIT, expected_scores, grade_in_process, machine, median, scratch, table
from grader.run import grade

BASELINE = {"otter": 8.2, "nbgrader": 0.97}  # NOTE.md of the kit: per-submission medians, 2-core machine
LOOP = "s19_bug_infinite_loop"


def ours(kit: Path, reps: int, jobs: int) -> dict:
    """Per-submission seconds (median over reps), scores, fixed cost and batch wall times."""
    per: dict[str, list[float]] = defaultdict(list)
    fixed, batch = [], []
    scores: dict[str, float] = {}
    with scratch() as work:
        folder = work / "class"
        folder.mkdir()
        for path in sorted((kit / "submissions" / "py").glob("s*.py")):
            shutil.copyfile(path, folder / path.name)
        for rep in range(reps):
            spent: dict[str, float] = defaultdict(float)
            lock = threading.Lock()
            originals = {}

            def wrap(owner, name, student_of):
                original = getattr(owner, name)
                originals[(owner, name)] = original

                def timed(*args, **kwargs):
                    start = time.perf_counter()
                    try:
                        return original(*args, **kwargs)
                    finally:
                        with lock:
                            spent[student_of(args)] += time.perf_counter() - start

                setattr(owner, name, timed)

            wrap(grader.run, "grade_submission", lambda args: args[2].student_id)
            wrap(grader.run.ResultStore, "put", lambda args: args[1].student_id)
            wrap(grader.report.incremental, "write_feedback", lambda args: args[0].student_id)
            try:
                start = time.perf_counter()
                book = grade(folder, "bench_layers", work / f"out{rep}", jobs=jobs, use_cache=False)
                total = time.perf_counter() - start
            finally:
                for (owner, name), original in originals.items():
                    setattr(owner, name, original)
            for student, seconds in spent.items():
                per[student].append(seconds)
            fixed.append(total - sum(spent.values()) / jobs)
            scores = dict(zip(book.student_id, book.total))
            batch.append(grade_in_process(folder, "bench_layers", work / f"proc{rep}", jobs=jobs)["wall_s"])
    return {"per": {s: median(v) for s, v in per.items()}, "scores": scores, "fixed": median(fixed),
            "batch": median(batch)}


def ensure_tools(kit: Path, work: Path) -> str:
    """Build otter-grader and nbgrader with the kit's setup.sh unless `work` has them; "" or the error."""
    if (work / "venv" / "bin" / "otter").exists() and (work / "nbgrader" / "course" / "release").exists():
        return ""
    print(f"building the kit's tools in {work} (scripts/setup.sh, a few minutes)...", flush=True)
    done = subprocess.run(["bash", str(kit / "scripts" / "setup.sh"), str(work)], capture_output=True, text=True)
    if done.returncode != 0:
        return f"setup.sh failed (exit {done.returncode}): {(done.stderr or done.stdout)[-400:]}"
    return ""


def otter(work: Path) -> dict:
    out = work / "results" / f"bench_otter_{int(time.time())}"
    start = time.perf_counter()
    subprocess.run(["bash", "scripts/run_otter_batch.sh", "ipynb", str(out), "30"], cwd=work, check=True,
                   capture_output=True)
    total = time.perf_counter() - start
    per, scores = {}, {}
    for folder in sorted(p for p in out.iterdir() if p.is_dir()):
        wall = (folder / "time.txt").read_text().split()
        per[folder.name] = float(wall[-3])  # GNU time "%e %M %x", possibly after a "Command exited..." line
        result = folder / "results.json"
        if result.exists():
            tests = json.loads(result.read_text())["tests"]
            scores[folder.name] = float(sum(t.get("score", 0) or 0 for t in tests))
    return {"per": per, "scores": scores, "batch": total}


def nbgrader(work: Path) -> dict:
    """The kit's batch script; per-student times from when each student's first log line appeared.

    The kit's course config logs without timestamps, so the log is watched while the batch runs (polled
    every 10 ms) and each line is stamped when it shows up. A student's time runs from their first line to
    the next student's first line; the last one's ends when autograde exits (the script then appends rc=).
    """
    out = work / "results" / f"bench_nbgrader_{int(time.time())}"
    log = out / "autograde.log"
    start = time.perf_counter()
    process = subprocess.Popen(["bash", "scripts/run_nbgrader_batch.sh", str(out), "batch"], cwd=work,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    starts: list[tuple[str, float]] = []
    end, seen, pending = None, 0, ""
    while True:
        finished = process.poll() is not None
        if log.exists():
            with open(log, errors="replace") as handle:
                handle.seek(seen)
                chunk = handle.read()
            seen += len(chunk.encode(errors="replace"))
            now = time.perf_counter()
            pending += chunk
            *lines, pending = pending.split("\n")
            for line in lines:
                student = re.search(r"SubmittedAssignment<hw1 for (\S+)>", line) or re.search(r"submitted/(s\d\d[^/]*)/hw1", line)
                if student and student.group(1) not in [s for s, _ in starts]:
                    starts.append((student.group(1), now))
                if line.startswith("rc=") and end is None:
                    end = now
        if finished:
            break
        time.sleep(0.01)
    total = time.perf_counter() - start
    if process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, "run_nbgrader_batch.sh")
    with open(out / "grades.csv") as handle:
        scores = {row["student_id"]: float(row["score"]) for row in csv.DictReader(handle)}
    end = end or time.perf_counter()
    per = {student: (starts[i + 1][1] if i + 1 < len(starts) else end) - when for i, (student, when) in enumerate(starts)}
    return {"per": per, "scores": scores, "batch": total}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kit", type=Path, default=DEFAULT_KIT, help="the bench kit (default: ../shared/bench-kit)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/benchkit"), help="where the kit's tools are built")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--skip-tools", action="store_true", help="use NOTE.md's baselines instead of running the tools")
    args = parser.parse_args()
    expected = expected_scores(args.kit)
    print(f"machine: {machine()}\n")

    mine = ours(args.kit, args.reps, args.jobs)
    print(f"ours done; {machine().split('; ')[1]}", flush=True)
    tools, notes = {}, []
    problem = "skipped (--skip-tools)" if args.skip_tools else ensure_tools(args.kit, args.work)
    for name, runner in (("otter", otter), ("nbgrader", nbgrader)):
        if problem:
            notes.append(f"{name}: {problem}; using the kit's NOTE.md per-submission median {BASELINE[name]} s")
            continue
        try:
            tools[name] = runner(args.work)
            print(f"{name} done; {machine().split('; ')[1]}", flush=True)
        except (subprocess.CalledProcessError, OSError, ValueError, KeyError) as error:
            notes.append(f"{name} failed ({error}); using the kit's NOTE.md per-submission median {BASELINE[name]} s")

    def seconds(tool: str, student: str) -> float | None:
        if tool in tools:
            return tools[tool]["per"].get(student)
        return BASELINE[tool]

    rows = []
    for student in sorted(expected):
        if student not in mine["per"] and student not in mine["scores"]:
            continue  # x01 is not among the 20
        t_ours = mine["per"].get(student, 0.0)
        row = [student, f"{expected[student]:g}", f"{mine['scores'].get(student, float('nan')):g}", f"{t_ours * 1000:.0f}"]
        for tool in ("otter", "nbgrader"):
            t = seconds(tool, student)
            score = tools[tool]["scores"].get(student) if tool in tools else None
            row += [f"{score:g}" if score is not None else "-", f"{t:.2f}" if t is not None else "-",
                    f"{t / t_ours:.0f}x" if t and t_ours else "-"]
        rows.append(row)
    print(f"\n### Per submission (this grader: --jobs {args.jobs}, median of {args.reps})\n")
    print(table(["submission", "true", "ours", "ours ms", "otter", "otter s", "otter/ours",
                 "nbgrader", "nbgrader s", "nbgrader/ours"], rows))

    terminating = [s for s in mine["per"] if s != LOOP]
    ours_sum = sum(mine["per"][s] for s in terminating)
    summary = []
    for tool, goal in (("otter", 150), ("nbgrader", 20)):
        times = [seconds(tool, s) for s in terminating]
        if any(t is None for t in times):
            summary.append([tool, "-", "-", "-", "-"])
            continue
        ratios = [t / mine["per"][s] for t, s in zip(times, terminating)]
        by_sum = sum(times) / ours_sum
        summary.append([tool, f"{sum(times):.1f} s vs {ours_sum:.2f} s", f"{by_sum:.0f}x",
                        f"{min(ratios):.0f}x / {median(ratios):.0f}x", f">= {goal}x: {'met' if by_sum >= goal else 'missed'}"])
    print("\n### The 19 terminating submissions\n")
    print(table(["tool", "sum of per-submission times", "ratio of sums", "min / median ratio", "goal"], summary))
    correct = [s for s in expected if s in mine["scores"] and mine["scores"][s] == expected[s]]
    print(f"\nscores: ours {len(correct)}/{len(mine['scores'])} correct", end="")
    for tool in tools:
        right = sum(1 for s, v in tools[tool]["scores"].items() if expected.get(s) == v)
        print(f"; {tool} {right}/{len(expected) - 1} correct", end="")
    print()
    print(f"\nbatches (wall, whole process): ours {mine['batch']:.1f} s (start-up and reference run "
          f"{mine['fixed']:.2f} s of it in-process)" + "".join(
              f"; {tool} {tools[tool]['batch']:.1f} s" for tool in tools))
    for note in notes:
        print(f"\nnote: {note}")
    print(f"\n{machine().split('; ')[1]}")


if __name__ == "__main__":
    main()
