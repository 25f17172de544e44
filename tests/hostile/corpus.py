"""The red-team corpus: read `cases.toml` and stage every case as a student's hand-in in a class folder.

A case is a file (`cases/<name>.py`), a folder (`cases/<name>/`) or an archive (`cases/<name>.zip`), plus
a table in `cases.toml` saying how to stage it and what grading must make of it. Most cases are only the
hostile behaviour: `compose` glues it to the genuine parts in `genuine/` (a correct solution's classes,
its training, or a backward pass that sets zero gradients), so every case stays a few lines long.
Placeholders like `@CLASS_DIR@` in a case's text are replaced by the paths of the test run, so a case
can aim at the exact files it must not reach.
"""
from __future__ import annotations

import codecs
import os
import shutil
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).parent
CASES = HERE / "cases"
GENUINE = HERE / "genuine"
#: the GRADER_HOME the corpus is graded with: numpy_nn with short limits
HOME = HERE / "files"
#: the well-behaved student graded next to the hostile ones, and again on its own
CONTROL = "control"
CONTROL_PARTS = ("classes", "train")
#: in every process a case starts and every file it tries to write outside its folder, so a survivor or a
#: successful write can be recognised even in folders other people edit meanwhile
MARKER = "grader-hostile-marker"
#: text only the control's file contains; a case that prints it has read another student's work
CONTROL_CANARY = "control-canary-4f1d9a: this line is only in the control student's file"


#: the corpus rubric's [limits]: short, so hostile runs end quickly (everything else is the real rubric's)
CORPUS_LIMITS = """[limits]
# Shortened for the red-team corpus; everything else is rubrics/numpy_nn.toml as it is
# (regenerate with: python -m tests.hostile.corpus; test_corpus.py checks they agree).
wall_seconds = 25      # the whole sandboxed run
load_seconds = 15      # running numpy_nn.py as a script (the reference trains here: 3 s of CPU, more on a busy machine)
step_seconds = 5       # each probe step after that
memory_mb = 1024
max_processes = 16
output_kb = 256        # captured stdout/stderr kept for the report
file_size_mb = 64
preload = ["numpy", "matplotlib", "matplotlib.pyplot"]

"""


def corpus_rubric_text(real: str) -> str:
    """The real rubric's text with its [limits] table replaced by CORPUS_LIMITS."""
    start = real.index("[limits]")
    end = real.index("\n[", start + 1) + 1
    return real[:start] + CORPUS_LIMITS + real[end:].lstrip("\n")


def write_corpus_rubric(repo: Path) -> Path:
    target = HOME / "rubrics" / "numpy_nn.toml"
    target.write_text(corpus_rubric_text((repo / "rubrics" / "numpy_nn.toml").read_text()))
    return target


@dataclass(frozen=True)
class Case:
    """One hostile hand-in and the outcome it must get."""

    name: str
    about: str
    #: gradebook status: pending-manual (the run was fine; only the manual item is open), timeout, crashed,
    #: memory or not-gradable
    status: str
    #: words the student must read in the run summary (or in the reason it could not be graded)
    message: str
    #: never more automatic points than the case's genuine behaviour earns
    max_score: float
    #: "file", "folder", "link" (a symbolic link in place of the file) or "archive"
    kind: str = "file"
    #: genuine parts and "case", in the order they are glued together into the main file
    compose: tuple[str, ...] = ("case",)
    #: the name the hand-in gets in the class folder (may contain \\xNN escapes for raw bytes)
    stage_as: str = ""
    #: symbolic links to create inside a folder case: link name -> target
    links: dict[str, str] = field(default_factory=dict)
    #: what must (not) appear in the output the run captured, e.g. a secret's canary text
    output_has: tuple[str, ...] = ()
    output_lacks: tuple[str, ...] = ()
    #: False only for a case that is allowed to change something outside its own row (none so far)
    isolated: bool = True

    @property
    def staged_name(self) -> str:
        """File-system name in the class folder (a str that may hold surrogate escapes for raw bytes)."""
        if self.stage_as:
            return os.fsdecode(codecs.escape_decode(self.stage_as.encode("utf-8"))[0])
        suffix = {"file": ".py", "link": ".py", "archive": ".zip"}.get(self.kind, "")
        return self.name + suffix


def load_cases(path: Path = HERE / "cases.toml") -> dict[str, Case]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    cases = {}
    for name, table in data.items():
        table = dict(table)
        for key in ("compose", "output_has", "output_lacks"):
            if key in table:
                table[key] = tuple(table[key])
        cases[name] = Case(name=name, **table)
    return cases


def compose(parts: tuple[str, ...], case_text: str) -> str:
    """The main file: the named genuine parts and the case's own text, in order."""
    texts = [case_text if part == "case" else (GENUINE / f"{part}.py").read_text() for part in parts]
    return "\n\n".join(texts)


def substitute(text: str, places: dict[str, str]) -> str:
    for name, value in places.items():
        text = text.replace(f"@{name}@", value)
    return text


def stage_control(folder: Path) -> Path:
    """The control student: a correct solution with a canary line no other hand-in may ever print."""
    path = folder / f"{CONTROL}.py"
    path.write_text(f"# {CONTROL_CANARY}\n" + compose(CONTROL_PARTS, ""))
    return path



def stage_case(case: Case, folder: Path, places: dict[str, str]) -> Path:
    """Put `case` into the class folder `folder`; returns the path the grader will discover."""
    target = folder / case.staged_name
    if case.kind == "link":
        os.symlink(substitute(case.links["self"], places), target)
    elif case.kind == "archive":
        shutil.copyfile(CASES / f"{case.name}.zip", target)
    elif case.kind == "folder":
        source = CASES / case.name
        if source.is_dir():
            shutil.copytree(source, target, symlinks=True)
        else:
            target.mkdir()
        main = target / "numpy_nn.py"
        if case.compose:
            text = main.read_text() if main.exists() else ""
            main.write_text(substitute(compose(case.compose, text), places))
        for link, destination in case.links.items():
            (target / link).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(substitute(destination, places), target / link)
    else:
        text = (CASES / f"{case.name}.py").read_text() if "case" in case.compose else ""
        target.write_text(substitute(compose(case.compose, text), places))
    return target


if __name__ == "__main__":
    print(write_corpus_rubric(HERE.parents[1]))
