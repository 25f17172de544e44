"""What a notebook run adds to a result: per-cell outcomes, figures per cell, and which cells concern which check.

Read on the trusted side from the observations `grader.probe.notebook` recorded (`notebook.cells`,
`notebook.names`); the observation channel already bounded their size, and everything is re-validated here
because it comes from the student's process. A cell concerns a check when it defines or uses a name the
check `requires` (a cell calling `fit(...)` concerns the checks of `train_epoch` only if it names it, so the
link is by the rubric's [api] names, which is what the student sees in the notebook).
"""
from __future__ import annotations

import re
from typing import Any

from grader.observations import Observations
from grader.rubric import Rubric

_FIGURE = re.compile(r"^figure_\d{2}\.png$")
STATUSES = ("ok", "error", "timeout", "not-run")
MAX_CELLS = 500


def _text(value: Any, limit: int) -> str:
    return str(value)[:limit] if isinstance(value, (str, int, float)) else ""


def _names(value: Any) -> list[str]:
    return [v[:100] for v in value if isinstance(v, str)][:50] if isinstance(value, list) else []


def notebook_extra(observations: Observations, rubric: Rubric) -> dict[str, Any]:
    """{"notebook": {...}} for a notebook run, {} for a script; see the module docstring."""
    cells_obs = observations.items.get("notebook.cells")
    if cells_obs is None or not isinstance(cells_obs.value, list):
        return {}
    cells = []
    for raw in cells_obs.value[:MAX_CELLS]:
        if not isinstance(raw, dict) or not isinstance(raw.get("index"), int) or raw.get("status") not in STATUSES:
            continue
        cells.append({
            "index": raw["index"],
            "status": raw["status"],
            "error": _text(raw.get("error", ""), 600),
            "heading": _text(raw.get("heading", ""), 80),
            "first_line": _text(raw.get("first_line", ""), 100),
            "figures": [f for f in raw.get("figures", []) if isinstance(f, str) and _FIGURE.match(f)][:12]
            if isinstance(raw.get("figures"), list) else [],
            "names": sorted(set(_names(raw.get("defines"))) | set(_names(raw.get("uses")))),
        })
    names_obs = observations.items.get("notebook.names")
    names = names_obs.value if names_obs is not None and isinstance(names_obs.value, dict) else {}
    names = {k: _text(v, 200) for k, v in names.items() if k in ("names", "group") and isinstance(v, str)}
    concerns: dict[str, list[int]] = {}
    for check in rubric.checks:
        wanted = {name.split(".")[0] for name in check.requires}
        related = [cell["index"] for cell in cells if wanted & set(cell["names"])]
        if related:
            concerns[check.id] = related
    for cell in cells:
        del cell["names"]
    return {"notebook": {"cells": cells, "names": names, "concerns": concerns}}
