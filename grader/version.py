"""The grader's version, in one place: the package metadata (pyproject.toml) and the grading key read it."""

__version__ = "0.1.0"
