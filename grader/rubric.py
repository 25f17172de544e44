"""Rubrics are validated data: `rubrics/<assignment>.toml` loaded into frozen dataclasses.

Every mistake an instructor can make in a rubric is reported with the file, the check and a suggestion,
never with a traceback.
"""
from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.sandbox.limits import Limits

CHECK_FIELDS = {
    "id", "section", "title", "kind", "observe", "against", "points", "visibility", "requires",
    "expected", "hint", "scoring", "rtol", "rtol_float32", "family", "scale", "alpha", "low", "high",
    "data", "loss", "threshold",
    "atol", "factor",  # close_to_reference, at_most_reference
    "provenance", "untrained",  # target_loss: where a model's predictions come from
    "nontrivial",  # observations that must not be trivially constant for the check to pay (checks/degenerate.py)
}
POINT_TOLERANCE = 1e-9


class RubricError(Exception):
    """A rubric that cannot be used, with a message an instructor can act on."""


@dataclass(frozen=True)
class CheckSpec:
    """One automatic check as the rubric declares it."""

    id: str
    section: str
    title: str
    kind: str
    observe: tuple[str, ...]
    points: float
    against: tuple[str, ...] = ()
    visibility: str = "public"
    requires: tuple[str, ...] = ()
    expected: str = ""
    hint: str = ""
    #: "all": full points only if every observed case passes; "proportional": points per passing case
    scoring: str = "all"
    #: kind-specific parameters (rtol, alpha, threshold, ...)
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ManualSpec:
    """An item a TA scores by hand; pending until a score is entered."""

    id: str
    section: str
    title: str
    points: float
    #: where the answer is (a regular expression): the notebook cells or answers-file lines from the first
    #: match up to the next heading; empty: the whole hand-in is shown to the TA
    answer: str = ""


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    points: float


@dataclass(frozen=True)
class HeldoutSpec:
    """Trusted held-out data: a function of the reference module called with (seed, size)."""

    name: str
    function: str
    size: int
    seed: int


@dataclass(frozen=True)
class Rubric:
    """A whole assignment: where its files are, its limits, its checks and its points."""

    path: Path
    name: str
    title: str
    main_file: str
    reference: Path
    probe: Path
    mutants: Path | None
    seed: int
    limits: Limits
    api: dict[str, tuple[str, ...]]
    sections: tuple[Section, ...]
    checks: tuple[CheckSpec, ...]
    manual: tuple[ManualSpec, ...]
    heldout: tuple[HeldoutSpec, ...]
    #: the student-facing contract ([handout] text): names, signatures, what each returns
    handout: str = ""
    #: [assignment] support: the assignment's own helper files (e.g. a module the handout star-imports), copied
    #: next to the main file in every sandboxed run, replacing a student's file of the same name
    support: tuple[Path, ...] = ()
    #: [assignment] data: the trusted module whose functions the [data] tables name (default: the reference,
    #: which must then be a Python module; a notebook reference needs this)
    data_module: Path | None = None
    #: [assignment] harvest: classes whose trained instances the probe keeps after running the script
    harvest: tuple[str, ...] = ()
    #: [assignment] advise_against_imports: modules whose import earns advice (no deduction), e.g. torch in a
    #: NumPy-only assignment
    advise_against_imports: tuple[str, ...] = ()

    @property
    def max_points(self) -> float:
        return sum(c.points for c in self.checks) + sum(m.points for m in self.manual)


    def content_files(self) -> tuple[Path, ...]:
        """Files whose content decides grades: a change to any of them invalidates cached results."""
        files = [self.path, self.reference, self.probe, *self.support, *([self.data_module] if self.data_module else [])]
        return tuple(f for f in files if f.is_file())

    def mistake_files(self) -> tuple[Path, ...]:
        """The known mistakes (mutants.toml and any hand-ins stored beside it): they decide every diagnosis.

        The selftest's own files there (verdicts on generated mutants, its record) decide nothing."""
        if self.mutants is None or not self.mutants.is_file():
            return ()
        return tuple(sorted(p for p in self.mutants.parent.iterdir()
                            if p.is_file() and p.name not in ("generated.toml", "selftest.json")))


def load_rubric(path: Path, known_kinds: frozenset[str]) -> Rubric:
    """Read and validate a rubric file; raises RubricError with a precise message."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RubricError(f"rubric not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise RubricError(f"{path}: not valid TOML ({exc})") from None
    home = path.parent.parent
    where = str(path)
    meta = _table(data, "assignment", where)
    rubric = Rubric(
        path=path,
        name=_required(meta, "name", where),
        title=meta.get("title", meta.get("name", "")),
        main_file=_required(meta, "main_file", where),
        reference=_existing(home / _required(meta, "reference", where), where, "reference"),
        probe=_existing(home / _required(meta, "probe", where), where, "probe"),
        mutants=home / meta["mutants"] if "mutants" in meta else None,
        seed=int(meta.get("seed", 0)),
        limits=_limits(data.get("limits", {}), where),
        api={name: tuple(methods) for name, methods in data.get("api", {}).items()},
        sections=tuple(Section(s["id"], s.get("title", s["id"]), float(s["points"])) for s in data.get("sections", [])),
        checks=tuple(_check(c, known_kinds, where) for c in data.get("checks", [])),
        manual=tuple(_manual(m, where) for m in data.get("manual", [])),
        heldout=tuple(
            HeldoutSpec(name, spec["function"], int(spec.get("size", 1000)), int(spec.get("seed", 0)))
            for name, spec in data.get("data", {}).items()
        ),
        handout=_handout(data.get("handout", {}), where),
        support=_support(meta.get("support", []), home, where, meta.get("main_file", "")),
        data_module=_existing(home / meta["data"], where, "data") if "data" in meta else None,
        harvest=_names(meta.get("harvest", []), where, "harvest"),
        advise_against_imports=_names(meta.get("advise_against_imports", []), where, "advise_against_imports"),
    )
    _validate(rubric, where)
    return rubric


def _manual(table: dict, where: str) -> ManualSpec:
    answer = table.get("answer", "")
    try:
        re.compile(answer)
    except (re.error, TypeError) as exc:
        raise RubricError(f"{where}: manual item '{table.get('id')}': answer must be a regular expression ({exc})") from None
    return ManualSpec(table["id"], table.get("section", ""), table.get("title", table["id"]), float(table["points"]), answer)


def _support(value: Any, home: Path, where: str, main_file: str) -> tuple[Path, ...]:
    """[assignment] support = ["probes/support/hw7_support.py", ...]: existing files with distinct names."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RubricError(f"{where}: [assignment] support must be a list of file paths, e.g. [\"probes/support/helpers.py\"]")
    files = tuple(_existing(home / v, where, "support") for v in value)
    names = [f.name for f in files]
    if len(set(names)) != len(names) or main_file in names:
        raise RubricError(f"{where}: [assignment] support files need distinct names, none named like main_file ({main_file})")
    return files


def _names(value: Any, where: str, field_name: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise RubricError(f"{where}: [assignment] {field_name} must be a list of names, e.g. {field_name} = [\"NPModel\"]")
    return tuple(value)


def _handout(table: dict, where: str) -> str:
    if not isinstance(table, dict) or not isinstance(table.get("text", ""), str) or set(table) - {"text"}:
        raise RubricError(f"{where}: [handout] must hold only text = \"\"\"...\"\"\" (the student-facing contract)")
    return table.get("text", "").strip("\n")


def _table(data: dict, name: str, where: str) -> dict:
    if not isinstance(data.get(name), dict):
        raise RubricError(f"{where}: missing [{name}] table")
    return data[name]


def _required(table: dict, key: str, where: str) -> Any:
    if key not in table:
        raise RubricError(f"{where}: [assignment] needs '{key}'")
    return table[key]


def _existing(path: Path, where: str, what: str) -> Path:
    if not path.is_file():
        raise RubricError(f"{where}: the {what} file {path} does not exist")
    return path


def _limits(table: dict, where: str) -> Limits:
    allowed = set(Limits.__dataclass_fields__)
    unknown = set(table) - allowed
    if unknown:
        raise RubricError(f"{where}: unknown [limits] field(s) {sorted(unknown)}; known: {sorted(allowed)}")
    values = dict(table)
    if "preload" in values:
        values["preload"] = tuple(values["preload"])
    return Limits(**values)


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _check(table: dict, known_kinds: frozenset[str], where: str) -> CheckSpec:
    check_id = table.get("id", "<no id>")
    unknown = set(table) - CHECK_FIELDS
    if unknown:
        raise RubricError(f"{where}: check '{check_id}' has unknown field(s) {sorted(unknown)}")
    for key in ("id", "section", "kind", "observe", "points"):
        if key not in table:
            raise RubricError(f"{where}: check '{check_id}' needs '{key}'")
    kind = table["kind"]
    if kind not in known_kinds:
        close = difflib.get_close_matches(kind, sorted(known_kinds), n=1)
        suggestion = f"; did you mean '{close[0]}'?" if close else f"; known kinds: {', '.join(sorted(known_kinds))}"
        raise RubricError(f"{where}: check '{check_id}' has unknown kind '{kind}'{suggestion}")
    if table.get("visibility", "public") not in ("public", "hidden"):
        raise RubricError(f"{where}: check '{check_id}': visibility must be 'public' or 'hidden'")
    if table.get("scoring", "all") not in ("all", "proportional"):
        raise RubricError(f"{where}: check '{check_id}': scoring must be 'all' or 'proportional'")
    base = {"id", "section", "title", "kind", "observe", "against", "points", "visibility", "requires", "expected", "hint", "scoring"}
    return CheckSpec(
        id=check_id,
        section=table["section"],
        title=table.get("title", check_id),
        kind=kind,
        observe=_as_tuple(table["observe"]),
        against=_as_tuple(table.get("against")),
        points=float(table["points"]),
        visibility=table.get("visibility", "public"),
        requires=_as_tuple(table.get("requires")),
        expected=table.get("expected", ""),
        hint=table.get("hint", ""),
        scoring=table.get("scoring", "all"),
        params={k: v for k, v in table.items() if k not in base},
    )


def _validate(rubric: Rubric, where: str) -> None:
    ids = [c.id for c in rubric.checks] + [m.id for m in rubric.manual]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise RubricError(f"{where}: duplicate check id(s) {duplicates}")
    section_ids = {s.id for s in rubric.sections}
    for item in (*rubric.checks, *rubric.manual):
        if rubric.sections and item.section not in section_ids:
            raise RubricError(f"{where}: '{item.id}' is in section '{item.section}', which is not declared; sections: {sorted(section_ids)}")
        if item.points < 0:
            raise RubricError(f"{where}: '{item.id}' has negative points")
    for section in rubric.sections:
        total = sum(i.points for i in (*rubric.checks, *rubric.manual) if i.section == section.id)
        if abs(total - section.points) > POINT_TOLERANCE:
            raise RubricError(
                f"{where}: section '{section.id}' declares {section.points:g} points but its items add up to {total:g}"
            )
    for check in rubric.checks:
        for name in check.requires:
            if name.split(".")[0] not in rubric.api:
                raise RubricError(f"{where}: check '{check.id}' requires '{name}', which is not in [api]")
        if check.kind == "consistent" and len(check.against) != len(check.observe):
            raise RubricError(f"{where}: check '{check.id}' needs one 'against' pattern per 'observe' pattern")
        if check.params.get("data") and (rubric.data_module or rubric.reference).suffix != ".py":
            raise RubricError(f"{where}: check '{check.id}' uses [data], whose functions need a Python module: "
                              f"set [assignment] data = \"reference/<module>.py\"")
        for data_name in [check.params.get("data")] if check.params.get("data") else []:
            if data_name not in {h.name for h in rubric.heldout}:
                raise RubricError(f"{where}: check '{check.id}' uses data '{data_name}', which is not declared under [data]")
