"""Everything a check may look at. All of it is on the trusted side."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from grader.observations import Observation, Observations


@dataclass(frozen=True)
class CheckContext:
    """Student observations, the reference's observations on the same inputs, and held-out labels."""

    student: Observations
    reference: Observations
    #: name -> (x, y); x was sent to the sandbox, y never was
    heldout: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    def pair(self, key: str) -> tuple[Observation, Observation]:
        return self.student.items[key], self.reference.items[key]


def dtype_of(observation: Observation) -> str:
    return str(observation.meta.get("dtype", "float64"))


def call_of(observation: Observation) -> str:
    return str(observation.meta.get("call", observation.key))


def what_of(observation: Observation) -> str:
    return str(observation.meta.get("what", "the result"))
