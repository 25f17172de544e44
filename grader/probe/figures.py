"""Keep the figures a student's script drew, as PNG files the report can show."""
from __future__ import annotations

import sys
from pathlib import Path


def save_open_figures(directory: Path, limit: int) -> int:
    """Save every open matplotlib figure (if matplotlib was used) and close it; returns how many."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is None:
        return 0
    saved = 0
    try:
        numbers = list(pyplot.get_fignums())[:limit]
        if numbers:
            directory.mkdir(parents=True, exist_ok=True)
        for number in numbers:
            figure = pyplot.figure(number)
            figure.savefig(directory / f"figure_{saved + 1:02d}.png", dpi=80)
            saved += 1
        pyplot.close("all")
    except Exception:  # a broken figure must not cost the probe steps that follow
        pass
    return saved


def count_open_figures() -> tuple[int, int]:
    """(open figures, axes with something drawn in them) of the script's matplotlib state; (0, 0) without it."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is None:
        return 0, 0
    try:
        figures = [pyplot.figure(number) for number in pyplot.get_fignums()]
        return len(figures), sum(1 for figure in figures for ax in figure.get_axes() if ax.has_data())
    except Exception:  # a broken figure must not cost the probe steps that follow
        return 0, 0
