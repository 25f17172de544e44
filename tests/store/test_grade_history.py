"""Manual scores and overrides in the store: every change is audited (who, when, before, after, why)."""
from __future__ import annotations

import math
from pathlib import Path

import pytest

from grader.store.results import ResultStore

T1, T2, T3 = "2026-12-01T10:00:00+00:00", "2026-12-01T11:00:00+00:00", "2026-12-01T12:00:00+00:00"


@pytest.fixture
def store(tmp_path: Path):
    with ResultStore(tmp_path / "grades.sqlite") as opened:
        yield opened


def test_each_change_of_a_manual_score_is_a_history_row(store: ResultStore) -> None:
    assert store.set_manual("dave", "numpy_nn", "plots", 2.0, "ta_kim", "axes unlabelled", at=T1)
    assert store.set_manual("dave", "numpy_nn", "plots", 3.5, "ta_lee", "regraded after appeal", at=T2)
    history = store.history("numpy_nn", "dave")
    assert history[["kind", "grader", "comment", "at"]].values.tolist() == [
        ["manual", "ta_kim", "axes unlabelled", T1], ["manual", "ta_lee", "regraded after appeal", T2]]
    assert math.isnan(history["previous"][0]) and history["previous"][1] == 2.0
    assert history["points"].tolist() == [2.0, 3.5]


def test_setting_the_same_score_again_writes_nothing(store: ResultStore) -> None:
    store.set_manual("dave", "numpy_nn", "plots", 2.0, "ta_kim", "ok", at=T1)
    assert not store.set_manual("dave", "numpy_nn", "plots", 2.0, "ta_kim", "ok", at=T2)
    assert len(store.history("numpy_nn")) == 1


def test_clearing_a_score_makes_it_pending_and_is_audited(store: ResultStore) -> None:
    store.set_manual("dave", "numpy_nn", "plots", 2.0, "ta_kim", at=T1)
    assert store.clear_manual("dave", "numpy_nn", "plots", "ta_lee", at=T2)
    assert not store.clear_manual("dave", "numpy_nn", "plots", "ta_lee", at=T3)
    assert store.manual_scores("numpy_nn").empty
    last = store.history("numpy_nn").iloc[-1]
    assert (last["previous"], last["grader"], math.isnan(last["points"])) == (2.0, "ta_lee", True)


def test_overrides_need_a_reason_and_keep_their_history(store: ResultStore) -> None:
    with pytest.raises(ValueError, match="needs a reason"):
        store.set_override("bob", "numpy_nn", "mse_forward", 1.5, "ta_kim", "  ")
    store.set_override("bob", "numpy_nn", "mse_forward", 1.0, "ta_kim", "mean over all entries is also fine", at=T1)
    store.set_override("bob", "numpy_nn", "mse_forward", 1.5, "ta_kim", "full marks after all", at=T2)
    frame = store.overrides("numpy_nn")
    assert frame[["student_id", "check_id", "points", "reason"]].values.tolist() == [
        ["bob", "mse_forward", 1.5, "full marks after all"]]
    assert store.clear_override("bob", "numpy_nn", "mse_forward", "ta_kim", at=T3)
    assert store.overrides("numpy_nn").empty
    history = store.history("numpy_nn")
    assert history["kind"].tolist() == ["override"] * 3
    assert history["previous"].tolist()[1:] == [1.0, 1.5]


def test_non_finite_points_are_refused(store: ResultStore) -> None:
    for value in (math.nan, math.inf):
        with pytest.raises(ValueError, match="NaN or infinite"):
            store.set_override("bob", "numpy_nn", "mse_forward", value, "ta_kim", "why")


def test_history_survives_reopening(tmp_path: Path) -> None:
    with ResultStore(tmp_path / "g.sqlite") as store:
        store.set_manual("dave", "numpy_nn", "plots", 2.0, "ta_kim", at=T1)
        store.set_meta("numpy_nn", "submissions", "/class")
    with ResultStore(tmp_path / "g.sqlite") as store:
        assert len(store.history("numpy_nn")) == 1
        assert store.meta("numpy_nn", "submissions") == "/class"
        assert store.meta("numpy_nn", "nothing") is None
