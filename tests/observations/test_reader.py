"""The trusted reader never raises, never blocks, refuses what the writer cannot have written, bounds memory."""
from __future__ import annotations

import json
import os
import threading

import numpy as np
import pytest

from grader.observations import Observations, read_observations
from grader.observations import reader
from grader.probe.channel import INDEX, ObservationWriter, StudentError


def genuine(folder) -> ObservationWriter:
    writer = ObservationWriter(folder)
    writer.step("load", "start")
    writer.record("linear.forward.y[b1]", np.ones((1, 3)))
    writer.record_error("mse.forward[b4]", StudentError("ValueError", "bad shape", ("numpy_nn.py, line 3",)))
    writer.step("load", "done")
    return writer


def lines(folder) -> list[dict]:
    return [json.loads(line) for line in (folder / INDEX).read_text().splitlines()]


def rewrite(folder, entries: list[dict]) -> None:
    (folder / INDEX).write_text("".join(json.dumps(e) + "\n" for e in entries))


def read_in_thread(folder) -> Observations:
    """Read as the grader does, but fail the test instead of hanging it if reading blocks."""
    found: list[Observations] = []
    thread = threading.Thread(target=lambda: found.append(read_observations(folder)), daemon=True)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "reading the observations blocked"
    return found[0]


def test_a_fifo_in_place_of_the_index_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / INDEX)
    observed = read_in_thread(tmp_path)
    assert observed.tampered.startswith("the grader's record was replaced") and observed.items == {}


def test_a_fifo_in_place_of_an_array_file_is_refused_without_blocking(tmp_path):
    genuine(tmp_path).finish()
    (tmp_path / "00001.npy").unlink()
    os.mkfifo(tmp_path / "00001.npy")
    assert read_in_thread(tmp_path).tampered == "the array file 00001.npy was replaced (00001.npy is not a regular file)"


def test_links_are_never_followed(tmp_path):
    record = tmp_path / "record"
    genuine(record).finish()
    (tmp_path / "observations").symlink_to(record)
    assert read_observations(tmp_path / "observations").tampered.startswith("the grader's record was replaced")
    (record / "00001.npy").rename(tmp_path / "elsewhere.npy")
    (record / "00001.npy").symlink_to(tmp_path / "elsewhere.npy")
    assert "00001.npy was replaced" in read_observations(record).tampered


def test_a_missing_folder_is_an_empty_record(tmp_path):
    observed = read_observations(tmp_path / "never-written")
    assert observed == Observations()


WRONG_TYPES = {
    "error.where": lambda e: e[2]["error"].update(where=7),
    "error.message": lambda e: e[2]["error"].update(message=["x"]),
    "error.timeout": lambda e: e[2]["error"].update(timeout="yes"),
    "error": lambda e: e[2].update(error=[1, 2]),
    "meta": lambda e: e[1].update(meta=[1]),
    "key": lambda e: e[1].update(key=12),
    "file": lambda e: e[1].update(file=1),
    "sha256": lambda e: e[1].update(sha256=None),
    "step": lambda e: e[0].update(step=3),
    "names": lambda e: e.append({"type": "restored", "names": 5, "seq": len(e)}),
    "what": lambda e: e.append({"type": "tampered", "what": {"a": 1}, "seq": len(e)}),
}


@pytest.mark.parametrize("field", sorted(WRONG_TYPES))
def test_a_field_of_the_wrong_type_is_a_refused_record(tmp_path, field):
    genuine(tmp_path)
    entries = lines(tmp_path)
    WRONG_TYPES[field](entries)
    rewrite(tmp_path, entries)
    observed = read_observations(tmp_path)
    assert "malformed field" in observed.tampered and observed.items == {}


def nested(depth: int) -> object:
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize("forge", ["bool sequence", "unknown type", "deep line", "deep value"])
def test_lines_the_writer_cannot_have_written_are_refused(tmp_path, forge):
    genuine(tmp_path)
    entries = lines(tmp_path)
    if forge == "bool sequence":
        entries[1]["seq"] = True  # equal to 1 in Python, but never written by the grader
    elif forge == "unknown type":
        entries.append({"type": "score", "points": 35, "seq": len(entries)})
    elif forge == "deep value":
        entries.append({"type": "obs", "key": "x", "meta": {}, "value": nested(40), "seq": len(entries)})
    rewrite(tmp_path, entries)
    if forge == "deep line":  # too deep for json.loads itself
        with open(tmp_path / INDEX, "a") as handle:
            handle.write('{"type": "obs", "key": "x", "seq": 4, "value": ' + "[" * 100_000 + "]" * 100_000 + "}\n")
    observed = read_observations(tmp_path)
    assert observed.tampered and observed.items == {}


def test_the_writer_describes_values_nested_too_deep_instead_of_writing_them(tmp_path):
    deep = nested(5000)
    looped: list = []
    looped.append(looped)
    writer = ObservationWriter(tmp_path)
    writer.record("deep", deep)
    writer.record("looped", looped)
    writer.finish()
    observed = read_observations(tmp_path)
    assert not observed.tampered
    assert observed.items["deep"].value == "<a list nested more than 32 levels deep>"
    assert observed.items["looped"].value == "<a list nested more than 32 levels deep>"


def test_zero_dimensional_values_stay_zero_dimensional(tmp_path):
    writer = ObservationWriter(tmp_path)
    writer.record("scalar", np.float32(2.5))
    writer.record("zero_d", np.asarray(3))
    writer.record("column", np.asfortranarray(np.arange(6.0).reshape(2, 3)))
    writer.finish()
    observed = read_observations(tmp_path)
    assert observed.items["scalar"].array.shape == () and observed.items["scalar"].array == 2.5
    assert observed.items["zero_d"].array.shape == () and observed.items["zero_d"].array.dtype == np.float64
    np.testing.assert_array_equal(observed.items["column"].array, np.arange(6.0).reshape(2, 3))


def test_strings_are_cut(tmp_path):
    writer = ObservationWriter(tmp_path)
    writer.record("text", "x" * 1_000_000, {"where": "m" * 200_000})
    writer.finish()
    item = read_observations(tmp_path).items["text"]
    assert len(item.value) == 2000 and len(item.meta["where"]) == 2000


def test_the_memory_budget_is_charged_before_converting(tmp_path):
    writer = ObservationWriter(tmp_path)
    writer.record("small", np.ones(1000))  # 8 kB
    writer.record("bools", np.ones(200_000, dtype=bool))  # 200 kB on disk, 1.6 MB as float64
    writer.record("after", np.ones(10))
    writer.finish()
    observed = read_observations(tmp_path, budget=1_000_000)
    assert observed.items["small"].array.shape == (1000,) and observed.items["after"].array.shape == (10,)
    too_large = observed.items["bools"]
    assert too_large.array is None and "too large to judge (2 MiB)" in too_large.error.message
    assert observed.size_bytes <= 1_000_000 and not observed.tampered


def test_an_array_file_larger_than_any_array_is_too_large_not_tampering(tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "MAX_ARRAY_BYTES", 10_000)
    writer = ObservationWriter(tmp_path)
    writer.record("big", np.ones(5000))
    writer.finish()
    observed = read_observations(tmp_path)
    assert not observed.tampered and "too large to judge" in observed.items["big"].error.message


def test_a_non_numeric_or_inconsistent_array_file_is_not_observed(tmp_path):
    import hashlib

    writer = ObservationWriter(tmp_path)
    writer.record("x", np.ones(3))
    writer.finish()
    entries = lines(tmp_path)
    data = (tmp_path / "00001.npy").read_bytes()[:-8]  # header says 3 values, file holds 2
    (tmp_path / "00001.npy").write_bytes(data)
    entries[0]["sha256"] = hashlib.sha256(data).hexdigest()
    rewrite(tmp_path, entries)
    observed = read_observations(tmp_path)
    assert "x" not in observed.items and not observed.tampered
