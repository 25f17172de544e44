"""Summarise arrays for messages: shapes, the worst entry and a relative error, never whole tensors."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def shape_text(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def number(x: float) -> str:
    try:
        return f"{float(x):.4g}"
    except (TypeError, ValueError, OverflowError):
        return str(x)[:40]


@dataclass(frozen=True)
class Comparison:
    """How far `observed` is from `expected`, normwise: max |observed - expected| / max |expected|."""

    ok: bool
    relative_error: float
    #: e.g. "[2, 0]: yours 0.628, expected 0.314"
    worst: str

    #: e.g. "yours are 0.3333 times the expected values everywhere", when that explains the difference
    pattern: str = ""

    @property
    def error_text(self) -> str:
        if not np.isfinite(self.relative_error):
            return "values are NaN or infinite"
        return f"relative error {number(self.relative_error)}"


def compare(observed: np.ndarray, expected: np.ndarray, rtol: float) -> Comparison:
    """Compare two arrays of the same shape within a normwise relative tolerance."""
    observed = np.asarray(observed, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if observed.size == 0:
        return Comparison(True, 0.0, "")
    if not np.all(np.isfinite(observed)):
        index = np.unravel_index(int(np.argmax(~np.isfinite(observed))), observed.shape)
        return Comparison(False, float("inf"), _entry(index, observed, expected))
    if not np.all(np.isfinite(expected)):
        # e.g. finite differences of a forward that overflows: nothing to compare against, and no pattern
        index = np.unravel_index(int(np.argmax(~np.isfinite(expected))), expected.shape)
        return Comparison(False, float("inf"), _entry(index, observed, expected))
    with np.errstate(over="ignore", invalid="ignore"):
        difference = np.abs(observed - expected)  # may overflow to inf for values near the float64 limit
    scale = max(float(np.max(np.abs(expected))), 1e-12)
    error = float(np.max(difference)) / scale
    index = np.unravel_index(int(np.argmax(difference)), difference.shape)
    ok = error <= rtol
    return Comparison(ok, error, _entry(index, observed, expected), "" if ok else scale_pattern(observed, expected))


def scale_pattern(observed: np.ndarray, expected: np.ndarray) -> str:
    """Name a constant factor between the arrays (1/batch, 2, -1, 0...): it usually names the bug.

    "" when there is none, including for values that are not finite or overflow on the way.
    """
    with np.errstate(all="ignore"):
        observed = np.asarray(observed, dtype=np.float64)
        expected = np.asarray(expected, dtype=np.float64)
        if observed.size < 2 or observed.shape != expected.shape:
            return ""
        norm = float(np.vdot(expected, expected))
        if not math.isfinite(norm) or norm == 0:
            return ""
        factor = float(np.vdot(observed, expected)) / norm
        if not math.isfinite(factor):
            return ""
        residual = float(np.max(np.abs(observed - factor * expected))) / max(float(np.max(np.abs(expected))), 1e-12)
    if not math.isfinite(residual) or residual > 1e-6 or abs(factor - 1) < 1e-6:
        return ""
    if abs(factor) < 1e-12:
        return "yours are all zero"
    inverse = 1 / factor
    if math.isfinite(inverse) and abs(inverse - round(inverse)) < 1e-6 and abs(round(inverse)) > 1:
        return f"yours are exactly 1/{round(inverse)} of the expected values everywhere"
    return f"yours are exactly {number(factor)} times the expected values everywhere"


def _entry(index: tuple[int, ...], observed: np.ndarray, expected: np.ndarray) -> str:
    if observed.shape != expected.shape:
        return ""
    where = "[" + ", ".join(str(int(i)) for i in index) + "]" if index else ""
    return f"at {where}: yours {number(observed[index])}, expected {number(expected[index])}".replace("at : ", "")
