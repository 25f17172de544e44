"""What a check kind decides about one check, before the runner turns it into a CheckResult."""
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
