"""The trusted-side class: staging it, and grading it in a process of its own so its peak memory is its own.

    python -m tests.hostile.trusted_class CLASS_DIR OUT_DIR

grades CLASS_DIR (numpy_nn, jobs 2, no cache) with GRADER_HOME set to the corpus's (short limits) and
prints one JSON line: wall seconds, the grading process's own peak resident memory (its sandboxes are
other processes and do not count), and the error that stopped the run, if one did.
"""
from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

from tests.hostile import corpus

HERE = Path(__file__).parent / "trusted"
CONTROLS = ("control_a", "control_b")


def load_cases() -> dict[str, corpus.Case]:
    return corpus.load_cases(HERE / "cases.toml")


def stage(folder: Path, cases: dict[str, corpus.Case] | None = None) -> dict[str, str]:
    """Two correct controls and every case as a hand-in in `folder`; returns case name -> staged file name."""
    folder.mkdir(parents=True, exist_ok=True)
    staged = {}
    for control in CONTROLS:
        (folder / f"{control}.py").write_text(f"# {control}\n" + corpus.compose(corpus.CONTROL_PARTS, ""))
        staged[control] = f"{control}.py"
    for case in (cases or {}).values():
        text = (HERE / f"{case.name}.py").read_text() if "case" in case.compose else ""
        (folder / case.staged_name).write_text(corpus.compose(case.compose, text))
        staged[case.name] = case.staged_name
    return staged


def main(class_dir: str, out: str) -> None:
    os.environ["GRADER_HOME"] = str(corpus.HOME)
    started = time.monotonic()
    error = ""
    try:
        from grader.run import grade

        grade(class_dir, "numpy_nn", out, jobs=2, use_cache=False)
    except BaseException as exc:  # noqa: BLE001 - what stopped the run is the measurement
        error = f"{type(exc).__name__}: {exc}"[:500]
    seconds = time.monotonic() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"seconds": round(seconds, 1), "peak_rss_mb": round(peak_mb, 1), "error": error}))


if __name__ == "__main__":
    main(*sys.argv[1:3])
