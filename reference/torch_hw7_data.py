"""Trusted data recipe for torch_hw7 (the reference itself is the notebook torch_hw7.ipynb).

Fresh points from the homework's training distribution, x ~ U(-5, 5) and y = x^2 / 2 + sin(5x) - 5, to see
whether the student's trained "Kaiming" network learned the function (Q7). Only x enters the sandbox.
"""
from __future__ import annotations

import numpy as np


def training_distribution(seed: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    """x of shape (size, 1) (float32, the homework's dtype) and y = x^2 / 2 + sin(5x) - 5."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-5, 5, size=(size, 1)).astype(np.float32)
    y = (x.astype(np.float64) ** 2 / 2 + np.sin(5 * x.astype(np.float64)) - 5)
    return x, y
