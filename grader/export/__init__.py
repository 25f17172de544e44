"""Exports of a gradebook to files other systems read.

An exporter is anything with ``export(gradebook, dest)``; the built-in ones write CSV.
"""
from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

import pandas as pd

from grader.export.csv import GradebookCsvExporter, LmsCsvExporter, export_gradebook_csv, export_lms_csv


@runtime_checkable
class Exporter(Protocol):
    """Writes a gradebook DataFrame to `dest` in some format."""

    def export(self, gradebook: pd.DataFrame, dest: Path) -> None:
        """Write `gradebook` to `dest`, atomically."""
        ...


__all__ = ["Exporter", "GradebookCsvExporter", "LmsCsvExporter", "export_gradebook_csv", "export_lms_csv"]
