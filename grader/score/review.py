"""Scripts written without the contract: a row a TA must look at, not a silent near-zero.

When none of the rubric's [api] names exists after a script ran normally, the automatic checks had nothing
to call. The run still shows what the script printed, the figures it drew and its module globals; the row
gets the status "needs-review" and a TA item listing those, so a grade is decided by a person.
"""
from __future__ import annotations

from typing import Any

from grader.observations import Observations
from grader.rubric import Rubric

MAX_GLOBALS_SHOWN = 25
MAX_PRINTED = 1500


def contract_missing(observations: Observations, rubric: Rubric) -> bool:
    """True when the run recorded every [api] name of the rubric, and none of them is defined."""
    if not rubric.api:
        return False
    found = [observations.items.get(f"api.{name}") for name in rubric.api]
    if any(o is None or not isinstance(o.value, dict) for o in found):
        return False  # the run never got that far: its own status says why
    return not any(o.value.get("defined") for o in found)


def review_item(observations: Observations, rubric: Rubric, printed: str, figures: list[str]) -> dict[str, Any]:
    """What a TA needs to grade the script by hand: printed output, figures and module globals."""
    globals_seen = observations.items.get("load.globals")
    summary = globals_seen.value if globals_seen is not None and isinstance(globals_seen.value, dict) else {}
    lines = [f"{name} ({entry.get('type', '?')}): {entry.get('text', '')}" for name, entry in list(summary.items())[:MAX_GLOBALS_SHOWN]]
    return {
        "reason": (f"{rubric.main_file} defines none of the names the automatic checks call "
                   f"({', '.join(rubric.api)}), so its work is shown here for a TA to grade by hand."),
        "printed": printed[-MAX_PRINTED:],
        "figures": list(figures),
        "globals": lines,
    }


def review_note(item: dict[str, Any]) -> str:
    """The TA item as one note for the feedback report."""
    globals_text = "; ".join(item["globals"]) or "none"
    figures = ", ".join(item["figures"]) or "none"
    printed = item["printed"].strip() or "(nothing)"
    return (f"Needs review. {item['reason']} Figures: {figures}. Module globals: {globals_text}. "
            f"Printed output (end): {printed}")
