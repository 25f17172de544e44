"""Trusted entry for the notebook tests: run workdir/notebook.ipynb with grader.probe.notebook in the sandbox
and write what came back as workdir/result.json (the IPython shell is one per process, so every run gets its
own sandboxed process)."""
from __future__ import annotations

import json
from pathlib import Path

from grader.probe.channel import ObservationWriter
from grader.probe.notebook import current_run, load_notebook


def run_notebook_entry(workdir: Path) -> None:
    params = json.loads((workdir / "params.json").read_text())
    task = {"load_seconds": params["total_seconds"], "cell_seconds": params["cell_seconds"],
            "api": {name: [] for name in params.get("track", [])}, "max_figures": 12}
    result = load_notebook(workdir / "notebook.ipynb", task, ObservationWriter(workdir / "observations"),
                           workdir / "figures")
    assert current_run() is result
    namespace = {k: v for k, v in result.namespace.items() if k in params.get("values", []) and isinstance(v, (int, float, str, bool))}
    out = {
        "cells": [{**cell.to_json(), "where": list(cell.error.where) if cell.error else []} for cell in result.cells],
        "names": result.names,
        "error": result.error.__dict__ if result.error else None,
        "values": namespace,
        "versions": {name: [[index, obj(1)] for index, obj in seen] for name, seen in result.versions.items()},
        "input_restored": __builtins__["input"].__module__ == "builtins" if isinstance(__builtins__, dict)
        else __builtins__.input.__module__ == "builtins",
    }
    (workdir / "result.json").write_text(json.dumps(out))
