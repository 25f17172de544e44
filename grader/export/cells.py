"""One place where every text cell of an LMS export passes before it is written.

A spreadsheet opened on a TA's machine runs a cell that starts with `=`, `+`, `-`, `@` (or a tab or
carriage return before them) as a formula; a student's name or an id can be made to start that way.
Such text cells get a leading apostrophe, which spreadsheets show as text. Numbers are written as
numbers and never touched (a negative number is no formula).
"""
from __future__ import annotations

import math

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def text_cell(value: object) -> str:
    """A text cell made inert for spreadsheets; None and NaN become an empty cell."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def points_cell(value: object) -> str:
    """Points as the LMS reads them: 31, 27.5, 0.6667; empty when there is no grade."""
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return ""
    number = round(float(value), 4) + 0.0
    return f"{number:.4f}".rstrip("0").rstrip(".")
