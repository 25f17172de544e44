"""Numerical helpers every probe shares, inside the sandbox: float64 copies, dtypes, finite differences.

Finite differences follow the dtype the student's code computes in: a float32 forward rounds every output
to about 6e-8 relative, so a float64-sized step would measure rounding noise, not the gradient.
"""
from __future__ import annotations

import sys
from typing import Any, Callable

import numpy as np

#: central-difference step per compute dtype; functions probed are linear or quadratic between ReLU kinks,
#: so a large step costs no truncation error and keeps float32 rounding small against the difference
STEP = {"float64": 1e-6, "float32": 1e-2}


def is_tensor(value: Any) -> bool:
    """Whether `value` is a torch tensor (a Parameter or any other subclass included).

    torch is never imported here, so numpy-only assignments do not load it: a tensor can only exist once
    something has imported torch, and then its Tensor class is in sys.modules. A bare `hasattr(value,
    "detach")` would not do: text streams have a detach() too, and calling it would break them.
    """
    tensor_class = getattr(sys.modules.get("torch"), "Tensor", None)
    return isinstance(tensor_class, type) and isinstance(value, tensor_class)


def as_float64(value: Any) -> np.ndarray:
    """A float64 copy of an array, tensor, number or (nested) list of numbers; numpy's own error otherwise.

    A tensor may require grad, live on another device or be in a dtype numpy lacks (bfloat16): it is
    detached and converted by torch first.
    """
    if is_tensor(value):
        value = value.detach().cpu().double().numpy()
    return np.array(value, dtype=np.float64, copy=True)


def float_kind(*values: Any) -> str:
    """"float32" when any of the values is a float32 (or float16) array or tensor, else "float64"."""
    for value in values:
        dtype = str(getattr(value, "dtype", ""))
        if dtype.endswith(("float32", "float16", "bfloat16")):
            return "float32"
    return "float64"


def step_for(kind: str) -> float:
    return STEP.get(kind, STEP["float64"])


def central_differences(f: Callable[[np.ndarray], float], at: np.ndarray, eps: float) -> np.ndarray:
    """Gradient of scalar f at `at` by central differences, one coordinate at a time."""
    grad = np.zeros(np.shape(at), dtype=np.float64)
    for index in np.ndindex(np.shape(at)):
        plus, minus = at.copy(), at.copy()
        plus[index] += eps
        minus[index] -= eps
        grad[index] = (f(plus) - f(minus)) / (2 * eps)
    return grad


def central_differences_in_place(f: Callable[[], float], target: np.ndarray, eps: float) -> np.ndarray:
    """Gradient of f() with respect to the array `target`, perturbing it in place (for arrays the code under
    test holds itself) and restoring every entry afterwards."""
    grad = np.zeros(target.shape, dtype=np.float64)
    for index in np.ndindex(target.shape):
        old = target[index]
        try:
            target[index] = old + eps
            plus = f()
            target[index] = old - eps
            minus = f()
        finally:
            target[index] = old
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def smooth_central_difference(f: Callable[[float], float], eps: float, noise: float = 0.0) -> float | None:
    """d f(t) / dt at t = 0 by central differences; None when a kink lies within eps of 0.

    f is piecewise quadratic in t for a ReLU network under a squared loss, so five evaluations at
    t = -eps, -eps/2, 0, eps/2, eps lie on one quadratic unless a kink is in between: both third
    differences vanish up to rounding. `noise` is the rounding noise of one evaluation of f (about 0 in
    float64), so float32 noise is not taken for a kink.
    """
    h = eps / 2
    p = [f(k * h) for k in (-2, -1, 0, 1, 2)]
    slope = (p[3] - p[1]) / (2 * h)
    third = max(abs(p[3] - 3 * p[2] + 3 * p[1] - p[0]), abs(p[4] - 3 * p[3] + 3 * p[2] - p[1]))
    if third > 1e-3 * abs(slope) * h + 8 * noise + 1e-15:
        return None
    return slope


def rounding_noise(kind: str, *magnitudes: float) -> float:
    """Rounding noise of one float evaluation whose intermediate values have these magnitudes."""
    unit = float(np.finfo(np.float32 if kind == "float32" else np.float64).eps)
    return unit * float(sum(abs(m) for m in magnitudes))

