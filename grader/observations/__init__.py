"""The trusted side's view of what a sandboxed run observed.

The sandbox-side writer (`grader.probe.channel.ObservationWriter`) appends JSON lines and `.npy` files to a
folder the student's code can also write to; `read_observations` turns that folder into `Observations`
without ever trusting it: it never follows links, never blocks, never raises, and keeps a bounded amount
of memory per submission.
"""
from __future__ import annotations

from grader.observations.reader import MAX_OBSERVATION_BYTES, read_observations
from grader.observations.records import Observation, Observations, StudentError

__all__ = ["MAX_OBSERVATION_BYTES", "Observation", "Observations", "StudentError", "read_observations"]
