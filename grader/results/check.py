"""The outcome of one rubric check on one submission.

`CheckResult` is what the trusted side produces after judging a submission's observations.
It carries two audiences: `message`/`expected`/`observed`/`hint` are written for the student
(feedback report), `details` holds numbers for the instructor (gradebook, CSV).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

#: passed/failed: the check ran and judged the behaviour. error: student code raised while we probed it.
#: timeout: the probe step was stopped by a time limit. skipped: a prerequisite is missing (e.g. class not defined).
#: pending: a manual item nobody has graded yet. manual: a manual item with a score from a TA.
Status = Literal["passed", "failed", "error", "timeout", "skipped", "pending", "manual"]
Visibility = Literal["public", "hidden"]


@dataclass(frozen=True)
class FigureSeries:
    """One curve, scatter or histogram inside a figure."""

    label: str
    x: tuple[float, ...]
    y: tuple[float, ...] = ()
    #: "line", "points" or "hist" (for "hist", `x` holds the samples and `y` is unused)
    style: str = "line"


@dataclass(frozen=True)
class FigureSpec:
    """Data for a plot; rendered to PNG by the report stage, never inside the sandbox."""

    title: str
    xlabel: str
    ylabel: str
    series: tuple[FigureSeries, ...]
    logy: bool = False

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "FigureSpec":
        series = tuple(
            FigureSeries(s["label"], tuple(s["x"]), tuple(s.get("y", ())), s.get("style", "line"))
            for s in data["series"]
        )
        return cls(data["title"], data["xlabel"], data["ylabel"], series, data.get("logy", False))


@dataclass(frozen=True)
class CheckResult:
    """Points and explanation for one rubric check."""

    check_id: str
    #: short student-facing name, e.g. "NPLinear.backward matches finite differences"
    title: str
    section: str
    status: Status
    score: float
    max_score: float
    visibility: Visibility = "public"
    #: one or two sentences: what broke (empty when passed)
    message: str = ""
    expected: str = ""
    observed: str = ""
    hint: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    figures: tuple[FigureSpec, ...] = ()

    @property
    def lost(self) -> float:
        return self.max_score - self.score

    @property
    def is_manual(self) -> bool:
        return self.status in ("pending", "manual")

    def to_json(self) -> dict[str, Any]:
        # field by field rather than dataclasses.asdict, which deep-copies every value: this runs for every
        # check of every result stored and every report digest
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["details"] = dict(self.details)
        data["figures"] = [asdict(figure) for figure in self.figures]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "CheckResult":
        data = dict(data)
        data["figures"] = tuple(FigureSpec.from_json(f) for f in data.get("figures", ()))
        return cls(**data)
