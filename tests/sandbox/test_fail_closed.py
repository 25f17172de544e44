"""A machine that cannot create namespaces (forced: every unshare in the zygotes fails): `grader run`
refuses with exit status 3 and says what is missing, why and what to do; `--allow-weak-isolation`
grades, and every report, the gradebook and the run summary say the isolation was weakened."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from grader import cli
from grader.sandbox import isolation, machine, pool

#: two bundled samples (one correct, one with a mistake) make the small class these tests grade
SAMPLES = Path(__file__).resolve().parents[2] / "submissions" / "numpy_nn"
CLASS_MEMBERS = ("ada_correct_in_out_layout.py", "bob_bgrad_mean.py")


@pytest.fixture
def no_namespaces(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(pool, "DEFAULT_DISABLE", (isolation.NAMESPACES_FOR_TEST,))
    machine._inspect.cache_clear()
    yield
    machine._inspect.cache_clear()


@pytest.fixture
def work(scratch: Path) -> Path:
    (scratch / "class").mkdir()
    for name in CLASS_MEMBERS:
        shutil.copyfile(SAMPLES / name, scratch / "class" / name)
    return scratch


def test_classify_names_required_and_lesser_gaps() -> None:
    found = machine.classify((isolation.NETWORK, isolation.PROCESS_LIMIT), {}, "", as_root=True)
    assert [f.name for f in found.missing_required] == [isolation.NETWORK]
    assert [f.name for f in found.missing_lesser] == [isolation.PROCESS_LIMIT]
    assert not found.safe
    assert machine.classify((), {}, "", as_root=True).safe
    assert not machine.classify((), {}, "sandbox supervisor did not start", as_root=True).safe


def test_run_refuses_without_namespaces(no_namespaces, work: Path, capsys: pytest.CaptureFixture) -> None:
    code = cli.main(["run", str(work / "class"), "--assignment", "numpy_nn", "--out", str(work / "out")])
    text = " ".join(capsys.readouterr().out.split())
    assert code == 3
    for feature in (isolation.NETWORK, isolation.FS_HIDING):
        assert feature in text
    assert "user namespaces are disabled by the kernel or a security policy" in text
    assert "To fix:" in text and "--allow-weak-isolation" in text
    assert not (work / "out" / "numpy_nn" / "gradebook.csv").exists()


def test_allow_weak_isolation_grades_and_says_so_everywhere(no_namespaces, work: Path,
                                                            capsys: pytest.CaptureFixture) -> None:
    out = work / "out"
    code = cli.main(["run", str(work / "class"), "--assignment", "numpy_nn", "--out", str(out),
                     "--allow-weak-isolation", "--jobs", "1"])
    text = " ".join(capsys.readouterr().out.split())
    assert code == 0, text
    assert "weakened isolation" in text
    gradebook = pd.read_csv(out / "numpy_nn" / "gradebook.csv")
    assert len(gradebook) == 2
    assert gradebook["isolation"].str.contains(isolation.NETWORK).all()
    reports = sorted((out / "numpy_nn" / "feedback").glob("*.md"))
    assert len(reports) == 2
    for report in reports:
        assert "weakened isolation" in report.read_text()
