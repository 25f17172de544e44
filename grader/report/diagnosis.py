"""The sentence a report shows beside the hint when a lost check matches one of the assignment's known mistakes."""
from __future__ import annotations

from grader.results.diagnosis import Diagnosis, diagnoses_in


def diagnosis_sentences(extra: object) -> dict[str, str]:
    """check id -> the known mistake(s) it looks like, for every check some diagnosis explains."""
    by_check: dict[str, list[Diagnosis]] = {}
    for diagnosis in diagnoses_in(extra):
        for check_id in diagnosis.checks:
            by_check.setdefault(check_id, []).append(diagnosis)
    return {check_id: sentence(found) for check_id, found in by_check.items()}


def sentence(diagnoses: list[Diagnosis]) -> str:
    """Shown under the label "Looks like a known mistake": one description, or all that match equally."""
    texts = [_text(d) for d in diagnoses]
    if len(texts) == 1:
        return f"{texts[0]}."
    return "; or ".join(texts) + " (these behave the same here)."


def _text(diagnosis: Diagnosis) -> str:
    text = diagnosis.description.strip().rstrip(".") or diagnosis.mistake.replace("_", " ")
    return text[:300]
