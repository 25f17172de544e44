"""Content fingerprints: what decides whether earlier work (a recorded run, a rendered report, a grade) still holds.

Every fingerprint of the grader's own code is taken here, over the same files in the same order, so that
a change to any module invalidates every cache that depends on the code.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

#: the installed (or checked-out) grader package
PACKAGE = Path(__file__).resolve().parent


def digest_files(paths: Iterable[Path], seed: str = "", relative_to: Path | None = None) -> str:
    """SHA-256 over each file's name (relative to `relative_to`, else its base name) and its bytes."""
    digest = hashlib.sha256(seed.encode())
    for path in paths:
        name = path.relative_to(relative_to) if relative_to is not None else path.name
        digest.update(str(name).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def code_fingerprint(*patterns: str) -> str:
    """The grader's own files matching `patterns` (default: its Python modules), e.g. ("*.py", "*.j2").

    Read afresh on every call: the grading key must describe the code on disk now, as a Dask worker
    started later computes it. Callers that may cache it for the life of their process do so themselves.
    """
    files = sorted({path for pattern in (patterns or ("*.py",)) for path in PACKAGE.rglob(pattern)})
    return digest_files(files, relative_to=PACKAGE)
