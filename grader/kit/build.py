"""`grader kit ASSIGNMENT --out kit/`: what students may have to check their own work before handing it in.

A kit holds:

- `handout.txt`: the assignment's contract;
- `probes/`: the probe that drives their code (and any helper module the probe or the handout imports);
- `checks/<assignment>.toml`: the rubric's *public* checks only, in the rubric format, with no manual
  items, no hidden check and the kit's own seed;
- `expected/`: what the reference did on the kit's inputs, recorded once by the instructor's grader,
  trimmed to the observations the public checks read; and practice data in place of held-out data
  (fresh draws from the assignment's distribution with a seed of the kit's own), when a public check
  scores a trained model;
- `README.md`, `kit.json` (what the kit is, for `grader check`).

It holds no reference source, no hidden check, no held-out data and none of the rubric's seeds: the kit
seed is derived from them one way (SHA-256), so the grading inputs cannot be recovered from it. Feedback
from `grader check` therefore matches `grader run` check for check, on different numbers.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass, fields, replace
from pathlib import Path

import numpy as np

from grader.assignments import load_assignment, load_reference
from grader.checks.context import CheckContext
from grader.score.points import judge_submission
from grader.grading import run_observed
from grader.observations import Observations
from grader.probe.channel import ObservationWriter
from grader.sandbox.limits import Limits
from grader.sandbox.pool import SandboxPool
from grader.rubric import CheckSpec, Rubric

KIT_FILE = "kit.json"
PRACTICE_FUNCTION = "practice"


class KitError(Exception):
    """The kit cannot be built (e.g. the reference fails a public check on the kit's inputs)."""


@dataclass(frozen=True)
class Kit:
    """A built kit: where it is and the files it holds (relative paths, sorted)."""

    root: Path
    files: tuple[str, ...]


def kit_seed(rubric: Rubric, purpose: str = "probe") -> int:
    """A seed of the kit's own, never one of the rubric's, from which theirs cannot be recovered."""
    secret = f"{rubric.seed}:{[h.seed for h in rubric.heldout]}:{purpose}:{rubric.name}"
    seed = int(hashlib.sha256(secret.encode()).hexdigest()[:8], 16)
    used = {rubric.seed, *(h.seed for h in rubric.heldout)}
    return seed if seed not in used else seed ^ 0x5EED


def public_checks(rubric: Rubric) -> tuple[CheckSpec, ...]:
    return tuple(c for c in rubric.checks if c.visibility == "public")


def build_kit(assignment: str, out: Path, jobs: int = 1) -> Kit:
    """Build the student kit of `assignment` in `out` (replaced if it is a kit already)."""
    rubric = load_assignment(assignment)
    checks = public_checks(rubric)
    if not checks:
        raise KitError(f"{rubric.name} has no public check: a kit would check nothing")
    out = Path(out)
    if out.exists():
        if not (out / KIT_FILE).is_file() and any(out.iterdir()):
            raise KitError(f"{out} exists and is not a kit; choose an empty folder")
        shutil.rmtree(out)
    (out / "expected").mkdir(parents=True)
    seed = kit_seed(rubric)
    practice = _practice_data(rubric, checks, out / "expected")
    probe = _copy_probe(rubric, out / "probes")
    support = [_copy(path, out / "probes" / "support" / path.name) for path in rubric.support]
    kit_rubric = replace(rubric, seed=seed, checks=checks, manual=())
    observations = _reference_run(kit_rubric, practice, jobs)
    _check_reference(kit_rubric, observations, practice)
    _write_observations(observations, checks, out / "expected" / "observations")
    (out / "expected" / "README.md").write_text(_EXPECTED_README, encoding="utf-8")
    rubric_path = out / "checks" / f"{rubric.name}.toml"
    rubric_path.parent.mkdir(parents=True)
    rubric_path.write_text(_kit_toml(rubric, checks, seed, probe, support, bool(practice)), encoding="utf-8")
    (out / "handout.txt").write_text((rubric.handout or _api_text(rubric)) + "\n", encoding="utf-8")
    (out / "README.md").write_text(_readme(rubric, checks, bool(practice)), encoding="utf-8")
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    (out / KIT_FILE).write_text(json.dumps({"assignment": rubric.name, "title": rubric.title,
                                            "main_file": rubric.main_file,
                                            "rubric": str(rubric_path.relative_to(out)),
                                            "files": files}, indent=1) + "\n", encoding="utf-8")
    return Kit(out, tuple(sorted([*files, KIT_FILE])))


# ---------------------------------------------------------------------------------------------- pieces


def _practice_data(rubric: Rubric, checks: tuple[CheckSpec, ...], folder: Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Fresh data for the public checks that need held-out data, from the kit's own seeds."""
    needed = {c.params.get("data") for c in checks} - {None}
    if not needed:
        return {}
    reference = load_reference(rubric)
    practice = {}
    for spec in rubric.heldout:
        if spec.name in needed:
            x, y = getattr(reference, spec.function)(kit_seed(rubric, f"data:{spec.name}"), spec.size)
            np.save(folder / f"practice_{spec.name}_x.npy", np.asarray(x), allow_pickle=False)
            np.save(folder / f"practice_{spec.name}_y.npy", np.asarray(y), allow_pickle=False)
            practice[spec.name] = (np.asarray(x), np.asarray(y))
    (folder / "practice_data.py").write_text(_PRACTICE_MODULE, encoding="utf-8")
    return practice


def _copy(source: Path, dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, dest)
    return dest


def _copy_probe(rubric: Rubric, folder: Path) -> Path:
    """The probe, and the modules beside it that it imports (shared probe helpers)."""
    probe = _copy(rubric.probe, folder / rubric.probe.name)
    source = rubric.probe.read_text(encoding="utf-8")
    for name in sorted(set(re.findall(r"^\s*(?:from|import)\s+\.?([A-Za-z_]\w*)", source, re.MULTILINE))):
        sibling = rubric.probe.parent / f"{name}.py"
        if sibling.is_file() and sibling != rubric.probe:
            _copy(sibling, folder / sibling.name)
    return probe


def _reference_run(rubric: Rubric, practice: dict, jobs: int) -> Observations:
    with SandboxPool(jobs=jobs, preload=rubric.limits.preload, reads=(rubric.probe,)) as pool:
        artifacts = run_observed(pool, rubric, rubric.reference, (), rubric.reference.parent,
                                 {name: x for name, (x, _) in practice.items()}, (), None)
    return artifacts.observations


def _check_reference(rubric: Rubric, observations: Observations, practice: dict) -> None:
    failures = [r for r in judge_submission(rubric, CheckContext(observations, observations, practice))
                if r.status not in ("passed", "pending")]
    if failures:
        raise KitError(f"the reference fails public check(s) on the kit's inputs: "
                       + "; ".join(f"{r.check_id}: {r.message}" for r in failures[:5]))


def _kept_keys(observations: Observations, checks: tuple[CheckSpec, ...]) -> set[str]:
    keys = {k for k in observations.items if k.startswith(("api.", "load."))}
    for check in checks:
        for pattern in (*check.observe, *check.against):
            keys.update(observations.matching(pattern))
    return keys


def _write_observations(observations: Observations, checks: tuple[CheckSpec, ...], folder: Path) -> None:
    """The reference's record, trimmed to what the public checks read, in the sandbox's own format."""
    writer = ObservationWriter(folder)
    for step in observations.started:
        writer.step(step, "start")
        if step in observations.finished:
            writer.step(step, observations.finished[step])
    for key in sorted(_kept_keys(observations, checks)):
        item = observations.items[key]
        if item.error is not None:
            writer.record_error(key, item.error, item.meta)
        else:
            writer.record(key, item.array if item.array is not None else item.value, item.meta)
    writer.finish()


def _api_text(rubric: Rubric) -> str:
    lines = [rubric.title, f"Hand in: {rubric.main_file}", ""]
    lines += [f"{name}: " + ", ".join(methods) for name, methods in rubric.api.items()]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- TOML


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _kit_toml(rubric: Rubric, checks: tuple[CheckSpec, ...], seed: int, probe: Path, support: list[Path],
              practice: bool) -> str:
    kit = probe.parent.parent
    lines = ["# The public checks of this assignment, as `grader check` runs them. Generated by `grader kit`.", "",
             "[assignment]"]
    meta = {"name": rubric.name, "title": rubric.title, "main_file": rubric.main_file,
            "reference": "expected/README.md", "probe": str(probe.relative_to(kit)), "seed": seed}
    if support:
        meta["support"] = [str(p.relative_to(kit)) for p in support]
    if practice:
        meta["data"] = "expected/practice_data.py"
    # what the probe keeps after the script runs, and the advice it gives, as under `grader run`
    for name in ("harvest", "advise_against_imports"):
        if getattr(rubric, name):
            meta[name] = list(getattr(rubric, name))
    lines += [f"{k} = {_toml_value(v)}" for k, v in meta.items()]
    lines += ["", "[limits]"]
    for spec in fields(Limits):
        value = getattr(rubric.limits, spec.name)
        if value is not None:
            lines.append(f"{spec.name} = {_toml_value(list(value) if isinstance(value, tuple) else value)}")
    if practice:
        for spec in rubric.heldout:
            if any(c.params.get("data") == spec.name for c in checks):
                lines += ["", f"[data.{spec.name}]", f"function = \"{PRACTICE_FUNCTION}_{spec.name}\"",
                          f"size = {spec.size}", "seed = 0"]
    lines += ["", "[api]"] + [f"{name} = {_toml_value(list(methods))}" for name, methods in rubric.api.items()]
    for section in rubric.sections:
        points = sum(c.points for c in checks if c.section == section.id)
        if points:
            lines += ["", "[[sections]]", f"id = {_toml_value(section.id)}", f"title = {_toml_value(section.title)}",
                      f"points = {_toml_value(points)}"]
    for check in checks:
        lines += ["", "[[checks]]"]
        values = {"id": check.id, "section": check.section, "title": check.title, "kind": check.kind,
                  "observe": list(check.observe), "points": check.points, "requires": list(check.requires),
                  "expected": check.expected, "hint": check.hint, "scoring": check.scoring, **check.params}
        if check.against:
            values["against"] = list(check.against)
        lines += [f"{k} = {_toml_value(v)}" for k, v in values.items()]
    return "\n".join(lines) + "\n"


_PRACTICE_MODULE = '''"""Practice data for the kit's checks that score a trained model (not the data used for grading)."""
from pathlib import Path

import numpy as np

_HERE = Path(__file__).parent


def __getattr__(attribute):
    # practice_<name>(seed, size): the inputs and labels the kit was built with (seed and size are the kit's)
    if not attribute.startswith("practice_"):
        raise AttributeError(attribute)
    name = attribute[len("practice_"):]
    return lambda seed, size: (np.load(_HERE / f"practice_{name}_x.npy"), np.load(_HERE / f"practice_{name}_y.npy"))
'''

_EXPECTED_README = """What the instructor's reference implementation did on this kit's inputs, recorded by the grader.
`grader check` compares your code's behaviour on the same inputs with these observations.
Grading uses other inputs and more checks; passing here is a good sign, not a grade.
"""


def _readme(rubric: Rubric, checks: tuple[CheckSpec, ...], practice: bool) -> str:
    points = sum(c.points for c in checks)
    extra = ("\nChecks that train your model score it on practice data in `expected/`; grading uses fresh data "
             "from the same distribution.\n" if practice else "")
    return (f"# {rubric.title}: self-check kit\n\n"
            f"Put your `{rubric.main_file}` in this folder and run\n\n    grader check {rubric.main_file}\n\n"
            f"It runs the {len(checks)} public checks ({points:g} points) of the assignment on your file, the way "
            f"the course grader does, and prints what each expected and observed; `check-report/` gets the same "
            f"report as HTML. The contract is in `handout.txt`.\n{extra}\n"
            "Hidden checks, hand-graded items and the grading data are not part of this kit.\n")
