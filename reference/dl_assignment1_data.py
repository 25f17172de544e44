"""Trusted data recipe for dl_assignment1 (the reference itself is the notebook dl_assignment1.ipynb).

The handout's validation split of sklearn's digits: labels 1 for digits 0-4 and 0 for 5-9, pixels normalised
with one global mean and standard deviation, `torch.manual_seed(12345)` then `torch.randperm(1797)`, the first
898 indices for training and the remaining 899 for validation. Only the inputs enter the sandbox; the
labels stay on the trusted side, where the accuracy of the student's trained network is computed.
"""
from __future__ import annotations

import numpy as np

SPLIT_SEED = 12345
TRAIN_PROP = 0.5


def digits_split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x_train, y_train, x_val, y_val) exactly as the handout's data cell builds them, as float64 arrays."""
    import torch
    from sklearn.datasets import load_digits

    digits = load_digits()
    x_all = torch.tensor(digits.data).double()
    y_all = torch.tensor(digits.target < 5).double()
    x_all = (x_all - x_all.mean()) / x_all.std()
    n_train = int(x_all.shape[0] * TRAIN_PROP)
    generator = torch.Generator().manual_seed(SPLIT_SEED)  # the same permutation as torch.manual_seed(12345)
    idxs = torch.randperm(x_all.shape[0], generator=generator)
    train, val = idxs[:n_train], idxs[n_train:]
    return x_all[train].numpy(), y_all[train].numpy(), x_all[val].numpy(), y_all[val].numpy()


def digits_validation(seed: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The handout's validation split (x of shape (899, 64), labels in {0, 1}); `seed` and `size` are fixed by it."""
    _, _, x_val, y_val = digits_split()
    if size != x_val.shape[0]:
        raise ValueError(f"the handout's validation split has {x_val.shape[0]} samples, not {size}")
    return x_val, y_val
