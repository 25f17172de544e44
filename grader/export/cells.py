"""The cells of an LMS export: text made inert by the one rule every CSV of the grader follows
(`grader.report.inert.csv_cell`: control characters escaped, a leading `=`, `+`, `-`, `@`, tab or carriage
return neutralised with an apostrophe), and points written as the LMS reads them. Numbers are written as
numbers and never touched (a negative number is no formula).
"""
from __future__ import annotations

import math

from grader.report.inert import csv_cell


def text_cell(value: object) -> str:
    """A text cell made inert for spreadsheets; None and NaN become an empty cell."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return csv_cell(str(value))


def points_cell(value: object) -> str:
    """Points as the LMS reads them: 31, 27.5, 0.6667; empty when there is no grade."""
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return ""
    number = round(float(value), 4) + 0.0
    return f"{number:.4f}".rstrip("0").rstrip(".")
