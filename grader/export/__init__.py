"""Exports of a gradebook to files other systems read."""
from __future__ import annotations

from grader.export.csv import export_gradebook_csv, export_lms_csv

__all__ = ["export_gradebook_csv", "export_lms_csv"]
