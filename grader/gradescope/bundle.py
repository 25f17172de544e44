"""`grader gradescope-bundle ASSIGNMENT`: the autograder zip Gradescope builds its image from.

At the zip's root, as Gradescope's specification asks: `setup.sh` (installs Python and the grader with
what the assignment needs) and `run_autograder` (grades `/autograder/submission` with
`grader.gradescope.autograder`). Beside them, the grader's source and the assignment's content (rubric,
reference, probe and its helpers, support files), so the image needs nothing else from this machine.
The reference stays on Gradescope's side: the student's code runs in the sandbox, which hides
`/autograder/source`.
"""
from __future__ import annotations

import re
import stat
import zipfile
from pathlib import Path

from grader.assignments import grader_home, load_assignment
from grader.rubric import Rubric

_RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every hand-in; AUTOGRADER_ROOT lets the same script run against a test folder.
set -u
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PYTHON="${{GRADER_PYTHON:-$ROOT/venv/bin/python}}"
export GRADER_HOME="$ROOT/source"
cd "$ROOT"
exec "$PYTHON" -m grader.gradescope.autograder --root "$ROOT" --assignment {assignment}
"""

_SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
apt-get install -y python3 python3-venv python3-pip
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --upgrade pip
{torch}/autograder/venv/bin/pip install "/autograder/source{extras}"
"""


def build_bundle(assignment: str, dest: Path) -> list[str]:
    """Write the autograder zip to `dest`; returns the names inside it."""
    rubric = load_assignment(assignment)
    home = grader_home()
    checkout = Path(__file__).resolve().parent.parent.parent
    members: dict[str, Path | str] = {
        "run_autograder": _RUN_AUTOGRADER.format(assignment=rubric.name),
        "setup.sh": _setup_script(rubric),
    }
    for path in sorted((checkout / "grader").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            members[f"grader/{path.relative_to(checkout / 'grader')}"] = path
    for name in ("pyproject.toml", "constraints.txt", "README.md"):
        if (checkout / name).is_file():
            members[name] = checkout / name
    for path in _content_files(rubric):
        members[str(path.resolve().relative_to(home.resolve()))] = path
    dest.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as handle:
        for name, content in sorted(members.items()):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # same bytes on every build
            executable = name in ("run_autograder", "setup.sh")
            info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            data = content.encode() if isinstance(content, str) else content.read_bytes()
            handle.writestr(info, data)
    return sorted(members)


def _content_files(rubric: Rubric) -> list[Path]:
    files = [rubric.path, rubric.reference, rubric.probe, *rubric.support]
    if rubric.data_module:
        files.append(rubric.data_module)
    source = rubric.probe.read_text(encoding="utf-8")
    for name in sorted(set(re.findall(r"^\s*(?:from|import)\s+\.?([A-Za-z_]\w*)", source, re.MULTILINE))):
        sibling = rubric.probe.parent / f"{name}.py"
        if sibling.is_file():
            files.append(sibling)
    return sorted({f for f in files if f.is_file()})


def _setup_script(rubric: Rubric) -> str:
    text = " ".join([*rubric.limits.preload, rubric.probe.read_text(encoding="utf-8"), rubric.main_file])
    extras = []
    if rubric.main_file.endswith(".ipynb"):
        extras.append("notebook")
    torch = ""
    if re.search(r"\btorch\b", text):
        # the CPU build: Gradescope's machines have no GPU, and the CUDA build is several GB
        torch = '/autograder/venv/bin/pip install --index-url https://download.pytorch.org/whl/cpu "torch>=2.1,<3"\n'
    return _SETUP.format(torch=torch, extras=f"[{','.join(extras)}]" if extras else "")
