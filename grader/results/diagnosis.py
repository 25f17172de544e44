"""A known mistake a submission looks like (`grader.diagnose` finds it; reports and the gradebook show it)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Diagnosis:
    """One known mistake a submission looks like, and the failed checks it explains."""

    mistake: str
    description: str
    checks: tuple[str, ...]
    score: float

    def to_json(self) -> dict:
        return {"mistake": self.mistake, "description": self.description, "checks": list(self.checks),
                "score": round(self.score, 4)}

    @classmethod
    def from_json(cls, data: dict) -> "Diagnosis":
        return cls(str(data["mistake"]), str(data.get("description", "")), tuple(data.get("checks", ())),
                   float(data.get("score", 0.0)))


def diagnoses_in(extra: object) -> tuple[Diagnosis, ...]:
    """The diagnoses stored in a result's `extra` (results are data: anything malformed is ignored)."""
    entries = extra.get("diagnosis", []) if isinstance(extra, dict) else []
    found = []
    for entry in entries if isinstance(entries, list) else []:
        try:
            found.append(Diagnosis.from_json(entry))
        except (KeyError, TypeError, ValueError):
            continue
    return tuple(found)
