"""Where assignment content lives (rubrics/, reference/, probes/) and how to load one by name."""
from __future__ import annotations

import hashlib
import importlib.util
import os
from pathlib import Path
from types import ModuleType

from grader.checks.kinds import KNOWN_KINDS
from grader.fingerprint import code_fingerprint, digest_files
from grader.rubric import Rubric, RubricError, load_rubric
from grader.version import __version__

GRADER_VERSION = __version__


def grader_home() -> Path:
    """The folder holding rubrics/, reference/ and probes/: $GRADER_HOME, else this checkout."""
    return Path(os.environ.get("GRADER_HOME", Path(__file__).resolve().parent.parent))


def cache_root() -> Path:
    """The grader's own cache folder: $GRADER_CACHE, else ~/.cache/grader. Hidden from every submission's run."""
    return Path(os.environ.get("GRADER_CACHE") or Path.home() / ".cache" / "grader")


def available_assignments(home: Path | None = None) -> list[str]:
    return sorted(p.stem for p in ((home or grader_home()) / "rubrics").glob("*.toml"))


def load_assignment(name: str, home: Path | None = None) -> Rubric:
    """The rubric named `name`; RubricError with the known names if there is none."""
    home = home or grader_home()
    path = home / "rubrics" / f"{name}.toml"
    if not path.is_file():
        known = ", ".join(available_assignments(home)) or "none"
        raise RubricError(f"unknown assignment '{name}': no {path}; known assignments: {known}")
    return load_rubric(path, KNOWN_KINDS)


def load_reference(rubric: Rubric) -> ModuleType:
    """Import the module with the [data] functions (trusted code, only ever on the trusted side).

    That is [assignment] data if given, else the reference; a reference that is no Python module (a notebook)
    and no data module give an empty module (such a rubric declares no [data]).
    """
    path = rubric.data_module or rubric.reference
    if path.suffix != ".py":
        return ModuleType(f"reference_{rubric.name}")
    spec = importlib.util.spec_from_file_location(f"reference_{rubric.name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def grading_key(rubric: Rubric) -> str:
    """Changes whenever anything that decides a grade changes: rubric, reference, probe, grader code, seed."""
    content = digest_files([*rubric.content_files(), *rubric.mistake_files()], seed=f"{GRADER_VERSION}:{rubric.seed}")
    return hashlib.sha256(f"{content}:{code_fingerprint()}".encode()).hexdigest()[:32]
