"""Make a submission's randomness reproducible: same submission, same observations, same report.

Students often initialise with `np.random.default_rng()` or never seed at all. Inside the sandbox every
unseeded source is given a seed derived from the rubric's, so two grading runs see identical numbers.
"""
from __future__ import annotations

import itertools
import random
import sys

import numpy as np


def seed_everything(seed: int) -> None:
    """Seed the global generators and make argument-less default_rng() calls deterministic."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(seed)
    original = np.random.default_rng
    counter = itertools.count()

    def default_rng(seed_value=None):
        if seed_value is None:
            seed_value = [seed, next(counter)]
        return original(seed_value)

    np.random.default_rng = default_rng
