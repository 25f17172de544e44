"""What a probe step gets to work with inside the sandbox: the student's namespace and a recorder."""
from __future__ import annotations

import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from grader.probe.channel import ObservationWriter, StudentError
from grader.probe.errors import student_error
from grader.probe.limits import StepTimeout


class MissingName(Exception):
    """The submission does not define a name the probe needs; the checks that use it are skipped."""


class ProbeFailure(Exception):
    """A precondition in the student's code that makes an observation impossible, in student words."""


@dataclass
class ProbeContext:
    """The probe's view of one submission, inside the sandbox."""

    namespace: dict[str, Any]
    writer: ObservationWriter
    student_file: str
    seed: int
    inputs_dir: Path
    #: trained objects found after running the script, (where, object)
    harvested: list[tuple[str, Any]] = field(default_factory=list)
    #: values one step leaves for the next (e.g. the detected weight layout)
    state: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        """A top-level name of the submission, or MissingName."""
        if name not in self.namespace:
            raise MissingName(name)
        return self.namespace[name]

    def rng(self, label: str) -> np.random.Generator:
        """A generator that depends only on the rubric seed and `label`, never on the student's code."""
        return np.random.default_rng([self.seed, zlib.crc32(label.encode())])

    def seed_global(self, label: str) -> None:
        """Seed numpy's global RNG too, for students who initialise with np.random.*."""
        np.random.seed((self.seed + zlib.crc32(label.encode())) % 2**32)

    def inputs(self, name: str) -> np.ndarray:
        return np.load(self.inputs_dir / f"{name}.npy", allow_pickle=False)

    def record(self, key: str, value: Any, **meta: Any) -> None:
        self.writer.record(key, value, meta)

    def record_failure(self, key: str, message: str, **meta: Any) -> None:
        """Record that `key` could not be observed, for a reason we explain ourselves."""
        self.writer.record_error(key, StudentError("ProbeFailure", message), meta)

    @contextmanager
    def attempt(self, *keys: str, **meta: Any) -> Iterator[None]:
        """Run student code; if it raises, record the error under every key it was meant to produce."""
        try:
            yield
        except StepTimeout:
            raise
        except MissingName as missing:
            for key in keys:
                self.record_failure(key, f"{missing.args[0]} is not defined", **meta)
        except ProbeFailure as failure:
            for key in keys:
                self.record_failure(key, str(failure), **meta)
        except BaseException as exc:  # student code: anything, including SystemExit
            error = student_error(exc, self.student_file)
            for key in keys:
                self.writer.record_error(key, error, meta)
