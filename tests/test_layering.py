"""The import contracts in pyproject.toml ([tool.importlinter]): no cycles, stages in data-flow order,
and a sandbox side that imports nothing trusted."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

LINT = (
    "import sys; from importlinter.cli import lint_imports; "
    "sys.exit(lint_imports('pyproject.toml', no_cache=True, no_logo=True))"
)


def test_the_import_contracts_hold():
    # a separate interpreter: the linter builds its graph from the files, not from what tests imported
    done = subprocess.run([sys.executable, "-c", LINT], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_core_names_no_assignment():
    # an assignment is content (rubrics/, reference/, probes/): the core must not know any by name
    assignments = [p.stem for p in (REPO / "rubrics").glob("*.toml")]
    named = [f"{path.relative_to(REPO)}: {name}"
             for path in sorted((REPO / "grader").rglob("*"))
             if path.is_file() and path.suffix in (".py", ".md", ".toml", ".html", ".js", ".css")
             for name in assignments if name in path.read_text(encoding="utf-8", errors="replace")]
    assert assignments and not named, named
