"""The selftest record: which version of an assignment's content last passed `grader selftest`, so `grader run`
can say when an assignment was never self-tested or was changed since.

The record is `selftest.json` beside mutants.toml (assignment content, so it travels with the rubric), else
in the grader's cache. It holds a fingerprint per content file (rubric, reference, probe, support and data
files, mutants.toml) and the outcome; the grader's own code is not part of it.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from grader.rubric import Rubric

FILE_NAME = "selftest.json"


def fingerprints(rubric: Rubric) -> dict[str, str]:
    """role -> SHA-256 (first 16 hex digits) of every content file that decides what selftest proves."""
    files = {"rubric": rubric.path, "reference": rubric.reference, "probe": rubric.probe}
    if rubric.mutants is not None and rubric.mutants.is_file():
        files["mutants"] = rubric.mutants
    for path in rubric.support:
        files[f"support:{path.name}"] = path
    if rubric.data_module is not None:
        files["data"] = rubric.data_module
    return {role: hashlib.sha256(path.read_bytes()).hexdigest()[:16] for role, path in sorted(files.items())}


def record_path(rubric: Rubric) -> Path:
    if rubric.mutants is not None and rubric.mutants.parent.is_dir():
        return rubric.mutants.parent / FILE_NAME
    from grader.assignments import cache_root

    return cache_root() / "selftest" / rubric.name / FILE_NAME


@dataclass(frozen=True)
class SelftestRecord:
    fingerprints: dict[str, str]
    ok: bool
    generated: bool
    score: float | None
    when: str


def write_record(rubric: Rubric, ok: bool, generated: bool = False, score: float | None = None) -> Path:
    path = record_path(rubric)
    previous = read_record(rubric)
    if previous is not None and previous.fingerprints == fingerprints(rubric) and previous.ok == ok \
            and previous.generated >= generated and (score is None or previous.score == round(score, 4)):
        return path  # nothing new to say: keep the file (and the repository) unchanged
    payload = {"fingerprints": fingerprints(rubric), "ok": ok, "generated": generated,
               "mutation_score": None if score is None else round(score, 4),
               "when": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    except OSError:
        pass  # a read-only checkout: the warning in `grader run` stays, which is the truth
    return path


def read_record(rubric: Rubric) -> SelftestRecord | None:
    try:
        data = json.loads(record_path(rubric).read_text(encoding="utf-8"))
        return SelftestRecord(dict(data["fingerprints"]), bool(data["ok"]), bool(data.get("generated")),
                              data.get("mutation_score"), str(data.get("when", "")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def staleness(rubric: Rubric) -> str:
    """A warning for `grader run` when the selftest result is missing, failed or stale; "" when it is current."""
    record = read_record(rubric)
    if record is None:
        return f"{rubric.name} has no selftest result: run `grader selftest {rubric.name}` before releasing grades"
    changed = sorted(role for role, digest in fingerprints(rubric).items() if record.fingerprints.get(role) != digest)
    if changed:
        return (f"{rubric.name}: the selftest result ({record.when}) is stale, changed since: {', '.join(changed)}; "
                f"run `grader selftest {rubric.name}` again")
    if not record.ok:
        return f"{rubric.name}: the last selftest ({record.when}) failed; see `grader selftest {rubric.name}`"
    return ""
