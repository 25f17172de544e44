"""Class analytics from the marked results: the numbers (shared with `grader stats`) and SVG charts.

Charts are drawn on the server with matplotlib's SVG backend, so pages need no chart script.
"""
from __future__ import annotations

import io
import math
import threading
from collections import Counter
from dataclasses import dataclass

from grader.results.diagnosis import DiagnosisCount, count_diagnoses, diagnoses_in
from grader.results.submission import SubmissionResult

# a score this close to the maximum counts as full points (float sums of partial credit)
_FULL = 1e-6
_DRAW_LOCK = threading.Lock()


@dataclass(frozen=True)
class CheckRate:
    check_id: str
    title: str
    max_points: float
    full: int
    scored: int

    @property
    def rate(self) -> float:
        return self.full / self.scored if self.scored else math.nan


@dataclass(frozen=True)
class ClassStats:
    """What the analytics page and `grader stats` show about one assignment."""

    assignment: str
    students: int
    max_points: float
    totals: tuple[float, ...]
    percents: tuple[float, ...]
    statuses: dict[str, int]
    rates: tuple[CheckRate, ...]
    #: (student, wall seconds, peak memory MB), in student order
    resources: tuple[tuple[str, float, float], ...]
    #: the known mistakes the class's results are diagnosed with, most students first
    diagnoses: tuple[DiagnosisCount, ...]

    @property
    def mean_percent(self) -> float:
        return sum(self.percents) / len(self.percents) if self.percents else math.nan

    def most_failed(self, count: int = 5) -> list[CheckRate]:
        """Automatic and graded checks fewest students got full points on (ties by rubric order)."""
        failing = [r for r in self.rates if r.scored and r.full < r.scored]
        return sorted(failing, key=lambda r: (r.rate, self.rates.index(r)))[:count]


def class_stats(assignment: str, results: list[SubmissionResult]) -> ClassStats:
    """The numbers of one assignment, from results with manual scores and overrides applied."""
    order: dict[str, CheckRate] = {}
    full: Counter[str] = Counter()
    scored: Counter[str] = Counter()
    for result in results:
        for check in result.checks:
            order.setdefault(check.check_id, CheckRate(check.check_id, check.title, check.max_score, 0, 0))
            if check.status == "pending":
                continue
            scored[check.check_id] += 1
            full[check.check_id] += check.score >= check.max_score - _FULL
    rates = tuple(CheckRate(r.check_id, r.title, r.max_points, full[r.check_id], scored[r.check_id]) for r in order.values())
    max_points = max((r.max_score for r in results), default=0.0)
    return ClassStats(
        assignment=assignment,
        students=len(results),
        max_points=max_points,
        totals=tuple(r.score for r in results),
        percents=tuple(r.score / r.max_score * 100 for r in results if r.max_score > 0),
        statuses=dict(sorted(Counter(r.status for r in results).items())),
        rates=rates,
        resources=tuple((r.student_id, r.run.wall_s, r.run.max_rss_mb) for r in results),
        diagnoses=count_diagnoses((r.student_id, diagnoses_in(r.extra)) for r in results),
    )


def histogram_svg(stats: ClassStats) -> str:
    """Histogram of total points."""
    def draw(ax):
        bins = max(5, min(20, int(math.ceil(stats.max_points)) or 5))
        ax.hist(stats.totals, bins=bins, range=(0, stats.max_points or 1), color="#0072B2", edgecolor="white")
        ax.set_xlabel("total points")
        ax.set_ylabel("students")
        ax.set_title(f"Total points (max {stats.max_points:g})")
    return _svg(draw, (6.4, 3.0))


def pass_rate_svg(stats: ClassStats) -> str:
    """Horizontal bars: share of students with full points, per check."""
    rates = [r for r in stats.rates if r.scored]

    def draw(ax):
        labels = [r.check_id for r in rates][::-1]
        values = [r.rate * 100 for r in rates][::-1]
        colours = ["#D55E00" if v < 50 else "#009E73" for v in values]
        ax.barh(labels, values, color=colours)
        ax.set_xlim(0, 100)
        ax.set_xlabel("% of students with full points")
        ax.set_title("Full points per check")
    return _svg(draw, (6.4, max(2.0, 0.28 * len(rates) + 1.0)))


def resources_svg(stats: ClassStats) -> str:
    """Wall time and peak memory per submission."""
    def draw(ax):
        names = [name for name, _, _ in stats.resources]
        ax.bar(range(len(names)), [wall for _, wall, _ in stats.resources], color="#56B4E9", label="wall s")
        ax.set_ylabel("wall time (s)")
        ax.set_xticks(range(len(names)), names, rotation=60, ha="right", fontsize=7)
        twin = ax.twinx()
        twin.plot(range(len(names)), [mem for _, _, mem in stats.resources], "o", color="#D55E00")
        twin.set_ylabel("peak memory (MB)", color="#D55E00")
        ax.set_title("Time (bars) and memory (dots) per submission")
    return _svg(draw, (6.4, 3.4))


def _svg(draw, size: tuple[float, float]) -> str:
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    with _DRAW_LOCK:
        fig = Figure(figsize=size, layout="constrained")
        canvas = FigureCanvasSVG(fig)
        draw(fig.add_subplot())
        buffer = io.StringIO()
        # student ids appear as tick labels: SVG text is escaped by matplotlib; no metadata keeps bytes stable
        canvas.print_svg(buffer, metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


_CHARTS = {"histogram": histogram_svg, "pass-rate": pass_rate_svg, "resources": resources_svg}
_CACHE: dict[tuple[str, str], str] = {}


def chart_svg(kind: str, stats: ClassStats) -> str | None:
    """A chart by name ("histogram", "pass-rate", "resources"); None for an unknown name. Drawing takes a
    few hundred milliseconds, so charts of unchanged numbers are kept (the last 32)."""
    draw = _CHARTS.get(kind)
    if draw is None:
        return None
    key = (kind, repr(stats))
    with _DRAW_LOCK:
        if key in _CACHE:
            return _CACHE[key]
    svg = draw(stats)
    with _DRAW_LOCK:
        _CACHE[key] = svg
        while len(_CACHE) > 32:
            _CACHE.pop(next(iter(_CACHE)))
    return svg
