"""A known mistake a submission looks like (`grader.diagnose` finds it; reports and the gradebook show it), and
how many of a class's results carry each one."""
from __future__ import annotations

from collections.abc import Iterable
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


@dataclass(frozen=True)
class DiagnosisCount:
    """One known mistake across a class: what it is and the students whose results carry it."""

    mistake: str
    description: str
    students: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.students)


def count_diagnoses(diagnosed: Iterable[tuple[str, Iterable[Diagnosis]]]) -> tuple[DiagnosisCount, ...]:
    """Per known mistake, the students diagnosed with it, from (student, their diagnoses) pairs.

    A student counts once per mistake however often their diagnoses list it; students keep the order given.
    Names are stripped and blank ones skipped (results are data). Most students first, ties by the mistake's
    name. The description is the first non-empty one given.
    """
    students: dict[str, list[str]] = {}
    descriptions: dict[str, str] = {}
    for student, diagnoses in diagnosed:
        counted: set[str] = set()
        for diagnosis in diagnoses:
            mistake = diagnosis.mistake.strip()
            if not mistake:
                continue
            if not descriptions.get(mistake):
                descriptions[mistake] = diagnosis.description
            if mistake not in counted:
                counted.add(mistake)
                students.setdefault(mistake, []).append(student)
    counts = [DiagnosisCount(mistake, descriptions[mistake], tuple(listed)) for mistake, listed in students.items()]
    return tuple(sorted(counts, key=lambda count: (-count.count, count.mistake)))
