"""The probe's record of a run, and the guard around it, without a sandbox: what counts as tampering."""
from __future__ import annotations

import builtins
import json
import time
import types

import numpy as np
import pytest

from grader.probe import channel
from grader.observations import read_observations
from grader.probe.channel import ObservationWriter, StudentError
from grader.probe.errors import ProcessExit, safe_text, student_error
from grader.probe import integrity
from grader.probe.integrity import Guard
from grader.probe.limits import StepTimeout, time_limit


def genuine_record(folder) -> ObservationWriter:
    writer = ObservationWriter(folder)
    writer.step("load", "start")
    writer.record("linear.forward.y[b1]", np.ones((1, 3)))
    writer.record("load.harvested", ["model"])
    writer.record_error("mse.forward[b4]", StudentError("ValueError", "bad shape"))
    writer.step("load", "done")
    return writer


def append_line(folder, entry: dict) -> None:
    with open(folder / channel.INDEX, "a") as handle:
        handle.write(json.dumps(entry) + "\n")


def test_a_genuine_record_reads_back_complete(tmp_path):
    genuine_record(tmp_path).finish()
    observed = read_observations(tmp_path)
    assert observed.complete and not observed.tampered
    assert observed.items["linear.forward.y[b1]"].array.shape == (1, 3)
    assert observed.items["mse.forward[b4]"].error.type == "ValueError"


def test_a_run_killed_mid_write_is_not_tampering(tmp_path):
    genuine_record(tmp_path)
    with open(tmp_path / channel.INDEX, "a") as handle:
        handle.write('{"type": "obs", "key": "relu.forw')  # the kill came in the middle of this line
    observed = read_observations(tmp_path)
    assert not observed.tampered and not observed.complete and observed.finished == {"load": "done"}


@pytest.mark.parametrize(
    "forge, reason",
    [
        (lambda d, w: append_line(d, {"type": "obs", "key": "x", "value": 1}), "line 6 of the record is not the grader's"),
        (lambda d, w: append_line(d, {"type": "obs", "key": "x", "value": 1, "seq": 3}), "line 6 of the record is not the grader's"),
        (lambda d, w: np.save(d / "00001.npy", np.zeros((1, 3))), "the array file 00001.npy was changed after the grader wrote it"),
        (lambda d, w: (d / "00001.npy").unlink(), "the array file 00001.npy was removed"),
        (lambda d, w: (w.finish(), w.step("extra", "start")), "lines were added to the record after the grader finished it"),
        (lambda d, w: w.tampered(["grader.probe.channel.ObservationWriter.record"]), "grader.probe.channel.ObservationWriter.record"),
    ],
    ids=["foreign line", "forged sequence", "array replaced", "array removed", "after the end", "reported by the guard"],
)
def test_tampering_voids_the_whole_record(tmp_path, forge, reason):
    writer = genuine_record(tmp_path)
    forge(tmp_path, writer)
    observed = read_observations(tmp_path)
    assert observed.tampered == reason
    assert observed.items == {} and observed.started == []


def test_an_array_file_used_twice_is_tampering(tmp_path):
    writer = genuine_record(tmp_path)
    writer.record("linear.forward.y[b2]", np.ones((2, 3)))
    lines = (tmp_path / channel.INDEX).read_text().splitlines()
    entries = [json.loads(line) for line in lines]
    entries[-1]["file"], entries[-1]["sha256"] = entries[1]["file"], entries[1]["sha256"]
    (tmp_path / channel.INDEX).write_text("".join(json.dumps(e) + "\n" for e in entries))
    assert read_observations(tmp_path).tampered == "the array file 00001.npy is used twice in the record"


def test_a_forked_child_never_writes(tmp_path):
    writer = genuine_record(tmp_path)
    writer._pid = -1  # as seen from a process the submission forked
    writer.record("linear.forward.y[b9]", np.ones((9, 3)))
    writer.step("linear_forward", "start")
    assert "linear.forward.y[b9]" not in read_observations(tmp_path).items
    assert not (tmp_path / "00002.npy").exists()


def test_a_planted_array_file_is_never_written_through(tmp_path):
    writer = ObservationWriter(tmp_path)
    (tmp_path / "00001.npy").symlink_to(tmp_path / "elsewhere.npy")
    with pytest.raises(FileExistsError):
        writer.record("x", np.ones(3))
    assert not (tmp_path / "elsewhere.npy").exists()


# ---------------------------------------------------------------- the guard


@pytest.fixture(params=["by version tags", "entry by entry"])
def guarded(request, tmp_path, monkeypatch):
    if request.param == "entry by entry":  # an interpreter whose dicts keep no usable version tags
        monkeypatch.setattr(integrity.dict_version, "available", lambda: False)
    probe = types.ModuleType("grader_probe_fake")
    probe.STEPS = ["a", "b"]
    probe.helper = lambda: 1
    writer = ObservationWriter(tmp_path)
    guard = Guard(probe, writer)
    yield guard, probe, writer
    guard.after_step()  # whatever a test left changed is put back


def test_library_patches_during_the_script_are_restored_and_reported(guarded):
    guard, _, _ = guarded
    real_allclose, real_float = np.allclose, builtins.float
    np.allclose = lambda *a, **k: True
    builtins.float = lambda *a: 0.0
    restored, tampered = guard.after_load()
    assert restored == ["builtins.float", "numpy.allclose"] and tampered == []
    assert np.allclose is real_allclose and builtins.float is real_float


def test_changes_to_the_grader_are_tampering_and_undone(guarded):
    guard, probe, writer = guarded
    original_record, original_helper = ObservationWriter.record, probe.helper
    ObservationWriter.record = lambda self, *a, **k: None
    probe.helper = lambda: 2
    probe.STEPS.clear()
    writer._index = None
    _, tampered = guard.after_load()
    assert set(tampered) == {"grader.probe.channel.ObservationWriter.record", "grader_probe_fake.helper",
                             "grader_probe_fake.STEPS", "the recorder's _index"}
    assert ObservationWriter.record is original_record and probe.helper is original_helper
    assert probe.STEPS == ["a", "b"] and writer._index is not None


def test_library_patches_while_probing_are_tampering(guarded):
    guard, _, _ = guarded
    real_sum = np.sum
    np.sum = lambda *a, **k: 0.0
    assert guard.after_step() == ["numpy.sum (while the grader was calling your code)"]
    assert np.sum is real_sum


class ClaimsToBeEverything:
    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


def test_a_replacement_that_claims_to_equal_the_original_is_still_caught(guarded):
    guard, _, _ = guarded
    real_isclose, real_dumps = np.isclose, json.dumps
    np.isclose = ClaimsToBeEverything()
    del json.dumps
    json.dumps = real_dumps  # deleted and bound again: same object, same name, a new place in the namespace
    assert guard.after_step() == ["numpy.isclose (while the grader was calling your code)"]
    assert np.isclose is real_isclose


def test_the_probe_context_keeps_its_recorder(guarded, tmp_path):
    guard, _, writer = guarded
    ctx = types.SimpleNamespace(writer=writer, state={})
    guard.watch_context(ctx)
    ctx.writer = object()
    ctx.record = lambda *a: None
    assert sorted(guard.after_step()) == ["the probe context's record", "the probe context's recorder"]
    assert ctx.writer is writer and not hasattr(ctx, "record")


def test_an_untouched_run_reports_nothing(guarded):
    guard, _, writer = guarded
    writer.record("x", np.ones(2))
    assert guard.after_load() == ([], []) and guard.after_step() == []


def test_a_harmless_change_to_a_namespace_does_not_blind_the_next_check(guarded):
    guard, _, _ = guarded
    real_sum = np.sum
    np.grader_test_extra = 1  # a new name: nothing the probe uses was replaced
    try:
        assert guard.after_step() == []
        np.sum = lambda *a, **k: 0.0
        assert guard.after_step() == ["numpy.sum (while the grader was calling your code)"]
        np.sum = lambda *a, **k: 0.0  # again, after the guard put it back
        assert guard.after_step() == ["numpy.sum (while the grader was calling your code)"]
        assert np.sum is real_sum
    finally:
        del np.grader_test_extra


@pytest.fixture
def prepared_in_parent():
    """A baseline as the warm parent leaves it for its next child (whatever a test takes, the fixture drops)."""
    integrity.prepare_in_parent()
    yield
    integrity._take_prepared()


def test_what_the_child_changes_before_the_script_is_its_own_not_the_students(prepared_in_parent, tmp_path):
    import os

    real_exit = os._exit
    os._exit = lambda status=0: None  # as the runtime does before it builds the guard
    try:
        guard = Guard(types.ModuleType("grader_probe_fake"), ObservationWriter(tmp_path))
        assert guard.after_load() == ([], [])
        np.mean = lambda *a, **k: 0.0
        assert guard.after_load() == (["numpy.mean"], [])
    finally:
        os._exit = real_exit


def test_a_module_imported_after_the_parent_prepared_is_guarded_too(prepared_in_parent, tmp_path):
    import importlib
    import sys

    sys.modules.pop("json.tool", None)
    tool = importlib.import_module("json.tool")
    real_main = tool.main
    guard = Guard(types.ModuleType("grader_probe_fake"), ObservationWriter(tmp_path))
    tool.main = lambda: None
    assert guard.after_load() == (["json.tool.main"], [])
    assert tool.main is real_main


# ---------------------------------------------------------------- describing the student's exceptions


class Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("no")

    def __repr__(self):
        while True:
            pass


def test_exceptions_that_cannot_be_printed_are_still_described():
    started = time.monotonic()
    error = student_error(Unprintable(), "numpy_nn.py")
    assert error.type == "Unprintable" and "could not be shown" in error.message
    assert safe_text(repr, Unprintable()).startswith("(its message could not be shown")
    assert time.monotonic() - started < 6
    assert student_error(ProcessExit(3), "numpy_nn.py").message == "the code called os._exit(3)"


def test_an_inner_time_limit_does_not_cancel_the_outer_one():
    started = time.monotonic()
    outer_slept_through = False
    with pytest.raises(StepTimeout):
        with time_limit(0.6):
            with pytest.raises(StepTimeout):
                with time_limit(0.1):
                    time.sleep(2)
            time.sleep(2)
            outer_slept_through = True
    # the outer limit fired during its sleep (a state, whatever the machine's load), and not early
    assert not outer_slept_through
    assert time.monotonic() - started >= 0.5
