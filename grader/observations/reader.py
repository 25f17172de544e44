"""`read_observations`: parse what a (possibly hostile) run left in its observation folder.

Never raises, never blocks, bounded memory. The writer numbers its lines, records the SHA-256 of every
array file and closes with an "end" line (see `grader.probe.channel`). The whole record is refused
(`Observations.tampered`) when a line is out of sequence, cannot be parsed, has a field of the wrong
type or nested too deep, an array file changed, is not a regular file or is referenced twice, anything
follows the end, or the probe itself reported tampering. A run killed in the middle of a line leaves an
unfinished last line, which is not tampering.

Memory: the values kept for one submission, after conversion to float64, may take at most
MAX_OBSERVATION_BYTES; the size is read from each array's header before any conversion, and an array
that does not fit is kept as an error observation ("too large to judge"), so the checks judge what fits.
"""
from __future__ import annotations

import hashlib
import io
import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np

from grader.observations import fields
from grader.observations.files import Folder, Refused, TooLarge
from grader.observations.records import Observation, Observations, StudentError
from grader.parsing import SYNTAX_TREE_LOCK
from grader.record_format import INDEX

MAX_INDEX_BYTES = 8 * 1024 * 1024
MAX_ARRAY_BYTES = 64 * 1024 * 1024
#: what one submission's kept values may take in the grader's memory, after conversion (see docs/security.md)
MAX_OBSERVATION_BYTES = 256 * 1024 * 1024
_ARRAY_FILE = re.compile(r"^[0-9]{5}\.npy$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_KINDS = ("obs", "step", "restored", "tampered", "end")


def read_observations(directory: Path, budget: int = MAX_OBSERVATION_BYTES) -> Observations:
    """Parse what a (possibly hostile) run left in `directory`; never raises on bad content, never blocks."""
    try:
        with Folder.open(directory) as folder:
            return _Reader(folder, budget).read()
    except Refused as refused:
        if refused.missing:
            return Observations()  # the run ended before it wrote anything
        return Observations(tampered=f"the grader's record was replaced ({refused.reason})")
    except (RecursionError, MemoryError):
        # a last line of defence: every bound above should make this unreachable
        return Observations(tampered="the grader's record could not be read")


class _Reader:
    def __init__(self, folder: Folder, budget: int) -> None:
        self.folder = folder
        self.budget = budget
        self.result = Observations()
        self.files: set[str] = set()

    def read(self) -> Observations:
        try:
            raw = self.folder.read(INDEX, MAX_INDEX_BYTES, prefix_only=True)
        except Refused as refused:
            if refused.missing:
                return self.result
            return Observations(tampered=f"the grader's record was replaced ({refused.reason})")
        lines = raw.decode("utf-8", errors="replace").split("\n")
        # a run killed in the middle of a write leaves one unfinished last line; that is no tampering
        if lines and lines[-1] and not raw.endswith(b"\n"):
            lines = lines[:-1]
        del raw
        for number, line in enumerate(line for line in lines if line):
            problem = self._line(line, number)
            if problem:
                # nothing in a record that was tampered with can be trusted, including what it says about steps
                return Observations(tampered=problem, restored=self.result.restored)
        return self.result

    def _line(self, line: str, number: int) -> str:
        """Apply one index line; returns why the record cannot be trusted, or ""."""
        foreign = f"line {number + 1} of the record is not the grader's"
        try:
            entry = json.loads(line)
        except (ValueError, RecursionError):
            return foreign
        if not isinstance(entry, dict) or type(entry.get("seq")) is not int or entry["seq"] != number:
            return foreign
        if self.result.complete:
            return "lines were added to the record after the grader finished it"
        kind = entry.get("type")
        if kind not in _KINDS:
            return foreign
        try:
            return self._apply(kind, entry, len(line))
        except fields.Malformed as malformed:
            return f"line {number + 1} of the record has a malformed field ({malformed.field})"

    def _apply(self, kind: str, entry: dict[str, Any], size: int) -> str:
        result = self.result
        if kind == "tampered":
            what = fields.text_list(entry, "what")
            return ", ".join(what[:5]) if what else "the grader's code"
        if kind == "end":
            result.complete = True
        elif kind == "restored":
            result.restored = fields.text_list(entry, "names")
        elif kind == "step":
            step, event = fields.text(entry, "step", 200), fields.text(entry, "event", 50)
            if event == "start":
                result.started.append(step)
            else:
                result.finished[step] = event
        else:
            return self._observation(entry, size)
        return ""

    def _observation(self, entry: dict[str, Any], size: int) -> str:
        key = fields.text(entry, "key", limit=10 * fields.MAX_KEY_LEN)
        meta = fields.meta(entry)
        error = fields.student_error(entry.get("error"))
        name = entry.get("file")
        value = fields.json_value(entry.get("value"), "value")
        if name is not None and not isinstance(name, str):
            raise fields.Malformed("file")
        if len(key) > fields.MAX_KEY_LEN:
            return ""  # a key built from a very long name of the student's: not one a check asks for
        if error is not None:
            self._keep(Observation(key, error=error, meta=meta), size)
        elif name is not None:
            return self._array(key, name, entry.get("sha256"), meta, size)
        else:
            self._keep(Observation(key, value=value, meta=meta), size)
        return ""

    def _keep(self, observation: Observation, size: int) -> None:
        if not self._charge(size):
            observation = _too_large(observation.key, observation.meta, size, self.budget)
        self.result.items[observation.key] = observation

    def _charge(self, size: int) -> bool:
        if self.result.size_bytes + size > self.budget:
            return False
        self.result.size_bytes += size
        return True

    def _array(self, key: str, name: str, sha256: Any, meta: dict[str, Any], line_size: int) -> str:
        if not _ARRAY_FILE.match(name):
            return f"the record names an array file it cannot have written ({name[:50]})"
        if not isinstance(sha256, str) or not _SHA256.match(sha256):
            raise fields.Malformed("sha256")
        if name in self.files:
            return f"the array file {name} is used twice in the record"
        self.files.add(name)
        left = self.budget - self.result.size_bytes - line_size
        try:
            # an array is never smaller in memory than on disk, so a file larger than what is left cannot fit
            data = self.folder.read(name, min(MAX_ARRAY_BYTES, max(left, 0) + 4096))
        except TooLarge:
            self._keep(_too_large(key, meta, None, self.budget), line_size)
            return ""
        except Refused as refused:
            if refused.missing:
                return f"the array file {name} was removed"
            return f"the array file {name} was replaced ({refused.reason})"
        if hashlib.sha256(data).hexdigest() != sha256:
            return f"the array file {name} was changed after the grader wrote it"
        header = _header(data)
        if header is None:
            return ""  # the writer's own file, but not an array we judge (e.g. an object dtype): not observed
        shape, fortran, dtype, offset = header
        converted = math.prod(shape) * (8 if dtype.kind in "biu" else dtype.itemsize)
        if not self._charge(converted + line_size):
            self.result.items[key] = _too_large(key, meta, converted, self.budget)
            return ""
        flat = np.frombuffer(data, dtype=dtype, count=math.prod(shape), offset=offset)
        array = flat.reshape(shape, order="F" if fortran else "C")
        array = array.astype(np.float64) if dtype.kind in "biu" else array.copy()
        del data
        self.result.items[key] = Observation(key, array=array, meta=meta)
        return ""


def _header(data: bytes) -> tuple[tuple[int, ...], bool, np.dtype, int] | None:
    """(shape, Fortran order, dtype, data offset) of a numeric .npy file whose size matches its header, or None."""
    try:
        stream = io.BytesIO(data)
        version = np.lib.format.read_magic(stream)
        read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        with SYNTAX_TREE_LOCK:  # the header is parsed with ast.literal_eval (grader.parsing)
            shape, fortran, dtype = read_header(stream)
        offset = stream.tell()
    except (ValueError, TypeError, SyntaxError, OverflowError, MemoryError, RecursionError):
        return None
    if dtype.kind not in "biuf" or dtype.hasobject or not all(type(n) is int and n >= 0 for n in shape):
        return None
    if len(data) - offset != math.prod(shape) * dtype.itemsize:
        return None
    return shape, fortran, dtype, offset


def _too_large(key: str, meta: dict[str, Any], size: int | None, budget: int) -> Observation:
    what = f" ({size / 2**20:.0f} MiB)" if size else ""
    message = (f"the value was too large to judge{what}; the grader keeps at most {budget // 2**20} MiB of "
               "values per submission")
    return Observation(key, error=StudentError("ProbeFailure", message), meta=meta)
