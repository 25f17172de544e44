"""What a check kind decides about one check (or one case of it), before it becomes a CheckResult with points."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from grader.results.check import FigureSpec


@dataclass(frozen=True)
class Judgement:
    """fraction: share of the check's points earned (0..1). Texts are for the student."""

    fraction: float
    message: str = ""
    observed: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    figures: tuple[FigureSpec, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "fraction", float(self.fraction))  # CaseVerdict passes a bool

    @property
    def ok(self) -> bool:
        """Every point earned."""
        return self.fraction >= 1


#: one case of a per-case kind: all or nothing, written CaseVerdict(ok, message, observed=..., details=...)
CaseVerdict = Judgement
