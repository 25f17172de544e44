"""The assignment's verdicts on its generated mutants: `reference/<assignment>_mutants/generated.toml`.

    [equivalent]   # mutant id = why it behaves exactly like the reference (no rubric can catch it)
    "changed_constant:NPReLU.forward:c70355" = "np.where(mask, x, 1.0): the masked-out value is never used"

    [accepted]     # mutant id = why the rubric deliberately lets it pass
    "changed_constant:main:0a1b2c" = "the number of epochs is the student's choice"

    [kills]        # check id = the generated mutants it failed when this file was last accepted
    linear_param_grads_fd = ["sum_mean:NPLinear.backward:f4ebad", ...]

`grader selftest ASSIGNMENT --generate` fails when a check no longer fails a mutant listed under its [kills]
(a weakened check) or when a mutant survives that is neither equivalent nor accepted; `--accept` rewrites
[kills] and lists the current survivors under [accepted] with reason "unreviewed" for someone to review.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from grader.rubric import Rubric

FILE_NAME = "generated.toml"


@dataclass
class Triage:
    equivalent: dict[str, str] = field(default_factory=dict)
    accepted: dict[str, str] = field(default_factory=dict)
    kills: dict[str, list[str]] = field(default_factory=dict)

    def excused(self, mutant_id: str) -> bool:
        return mutant_id in self.equivalent or mutant_id in self.accepted


def triage_path(rubric: Rubric) -> Path | None:
    if rubric.mutants is not None:
        return rubric.mutants.parent / FILE_NAME
    return None


def load_triage(rubric: Rubric) -> Triage:
    path = triage_path(rubric)
    if path is None or not path.is_file():
        return Triage()
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return Triage({str(k): str(v) for k, v in data.get("equivalent", {}).items()},
                  {str(k): str(v) for k, v in data.get("accepted", {}).items()},
                  {str(k): [str(i) for i in v] for k, v in data.get("kills", {}).items()})


def write_triage(rubric: Rubric, triage: Triage) -> Path:
    path = triage_path(rubric)
    if path is None:
        raise ValueError(f"{rubric.name} has no mutants folder to keep {FILE_NAME} in")
    lines = [f"# Verdicts on the generated mutants of {rubric.reference.name} (grader selftest {rubric.name} --generate).",
             "# [equivalent]: behaves exactly like the reference. [accepted]: the rubric deliberately lets it pass.",
             "# [kills]: per check, the generated mutants it failed when this file was last accepted (--accept).", ""]
    for table in ("equivalent", "accepted"):
        lines.append(f"[{table}]")
        lines += [f"{_quote(k)} = {_quote(v)}" for k, v in sorted(getattr(triage, table).items())]
        lines.append("")
    lines.append("[kills]")
    for check, ids in sorted(triage.kills.items()):
        lines.append(f"{check} = [" + ", ".join(_quote(i) for i in sorted(ids)) + "]")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'
