"""Reference solution for bench_layers: three NumPy layers, the assignment of the side-by-side benchmark.

The benchmark grades the same 20 hand-ins with this grader, otter-grader and nbgrader (see
benchmarks/field.py). The students define `NPLinear(in_features, out_features)` with W of shape
(out, in) initialised like torch.nn.Linear, `NPMSELoss` (mean over every element) and `NPReLU`.
"""
from __future__ import annotations

import numpy as np


class NPLinear:
    """y = x @ W.T + b; W and b drawn from U(-1/sqrt(in), 1/sqrt(in)) like torch.nn.Linear."""

    def __init__(self, in_features: int, out_features: int):
        bound = in_features ** -0.5
        self.W = np.random.uniform(-bound, bound, size=(out_features, in_features))
        self.b = np.random.uniform(-bound, bound, size=out_features)
        self.W_grad = np.zeros_like(self.W)
        self.b_grad = np.zeros_like(self.b)
        self._input = None

    def forward(self, x):
        self._input = x
        return x @ self.W.T + self.b

    def backward(self, grad_out):
        self.W_grad = grad_out.T @ self._input
        self.b_grad = grad_out.sum(axis=0)
        return grad_out @ self.W

    def gd_update(self, lr):
        self.W = self.W - lr * self.W_grad
        self.b = self.b - lr * self.b_grad


class NPMSELoss:
    def forward(self, pred, target):
        self._residual = pred - target
        return np.mean(self._residual ** 2)

    def backward(self):
        return 2.0 * self._residual / self._residual.size


class NPReLU:
    def forward(self, x):
        self._positive = x > 0
        return np.where(self._positive, x, 0.0)

    def backward(self, grad_out):
        return np.where(self._positive, grad_out, 0.0)
