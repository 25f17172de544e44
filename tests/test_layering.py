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
