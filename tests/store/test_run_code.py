"""A recorded run is keyed by the grader code that decides it: everything the sandbox side loads is covered."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from grader.fingerprint import PACKAGE
from grader.store.runs import RUN_CODE

#: the modules a sandboxed run starts from: the zygote (and the keeper it forks) and the probe's runtime
SANDBOX_ENTRIES = ("grader.sandbox.zygote", "grader.probe.runtime")


def _loaded_grader_files(modules: tuple[str, ...]) -> set[Path]:
    """The grader files a fresh interpreter has loaded after importing `modules`."""
    script = ("import importlib, json, sys\n"
              f"for name in {list(modules)!r}: importlib.import_module(name)\n"
              "print(json.dumps([m.__file__ for n, m in sys.modules.items()"
              " if (n == 'grader' or n.startswith('grader.')) and getattr(m, '__file__', None)]))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return {Path(name).resolve() for name in json.loads(done.stdout)}


def test_every_module_a_sandboxed_run_loads_is_part_of_the_run_key():
    covered = {path.resolve() for pattern in RUN_CODE for path in PACKAGE.rglob(pattern)}
    loaded = _loaded_grader_files(SANDBOX_ENTRIES)
    assert loaded, "nothing loaded: the entries moved?"
    assert sorted(str(p.relative_to(PACKAGE.resolve())) for p in loaded - covered) == []


def test_judging_and_reports_are_not_part_of_it():
    covered = {path.resolve() for pattern in RUN_CODE for path in PACKAGE.rglob(pattern)}
    for module in ("score/points.py", "report/feedback.py", "checks/judgement.py"):
        assert (PACKAGE / module).resolve() not in covered
