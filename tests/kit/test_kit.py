"""The student kit holds nothing secret, and `grader check` gives the public feedback `grader run` gives."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from grader.assignments import grader_home, load_assignment
from grader.kit.build import build_kit
from grader.kit.check import check_file
from grader.run import grade
from grader.selftest import write_mutants

pytestmark = pytest.mark.slow
HOME = grader_home()


def kit_text(root: Path) -> str:
    """Every file of the kit, text and binary (as Latin-1, so every byte is searchable)."""
    return "\n".join(p.read_bytes().decode("latin-1") for p in sorted(root.rglob("*")) if p.is_file())


def reference_lines(assignment: str) -> list[str]:
    """The reference's distinctive lines: code, not blank, comment, import or bare punctuation."""
    source = load_assignment(assignment).reference.read_text(encoding="utf-8")
    lines = {line.strip() for line in source.splitlines()}
    return sorted(l for l in lines if len(l) >= 20 and not l.startswith(("#", "import ", "from ", '"""')))


def assert_no_secret(kit: Path, assignment: str) -> None:
    rubric = load_assignment(assignment)
    text = kit_text(kit)
    leaked = [line for line in reference_lines(assignment) if line in text]
    assert leaked == [], f"reference lines in the kit: {leaked[:3]}"
    hidden = [c.id for c in rubric.checks if c.visibility == "hidden"]
    assert [h for h in hidden if h in text] == []
    for seed in {rubric.seed, *(h.seed for h in rubric.heldout)}:
        assert not re.search(rf"(?<!\d){seed}(?!\d)", text), f"seed {seed} is in the kit"
    assert not any(p.suffix == ".py" and p.read_text() == rubric.reference.read_text() for p in kit.rglob("*.py"))


@pytest.fixture(scope="module")
def bench_kit(tmp_path_factory) -> Path:
    return build_kit("bench_layers", tmp_path_factory.mktemp("kits") / "bench_layers").root


def checked(kit: Path, source: Path, folder: Path):
    folder.mkdir(parents=True)
    shutil.copyfile(source, folder / "layers.py")
    return check_file(folder / "layers.py", kit=kit)


def public_failures(checks, public: set[str]) -> set[str]:
    return {c.check_id for c in checks if c.check_id in public and c.score < c.max_score}


def test_bench_layers_kit_holds_no_secret(bench_kit):
    assert_no_secret(bench_kit, "bench_layers")
    assert (bench_kit / "handout.txt").is_file() and (bench_kit / "probes" / "bench_layers.py").is_file()


def test_correct_sample_passes_every_public_check(bench_kit, tmp_path):
    outcome = checked(bench_kit, HOME / "tests" / "samples" / "bench_layers" / "class" / "ada_correct.py", tmp_path / "ada")
    assert outcome.result.checks and all(c.status == "passed" for c in outcome.result.checks)
    assert outcome.report.is_file() and outcome.report.suffix == ".html"
    assert outcome.isolation == "sandbox" or outcome.isolation.startswith("reduced isolation: ")


def test_each_mutant_fails_the_same_public_checks_as_under_grader_run(bench_kit, tmp_path):
    rubric = load_assignment("bench_layers")
    public = {c.id for c in rubric.checks if c.visibility == "public"}
    mutants = write_mutants(rubric, tmp_path / "class")
    book = grade(tmp_path / "class", assignment="bench_layers", out=tmp_path / "out", jobs=2).set_index("student_id")
    maxima = book.attrs["check_max_points"]
    # a row the grader failed on has no points (NaN) and would compare as "no check failed"
    assert book.attrs["grader_errors"] == {}, book.attrs["grader_errors"]
    for mutant in mutants:
        under_run = {c for c in public if book.loc[mutant.name, c] < maxima[c]}
        outcome = checked(bench_kit, tmp_path / "class" / f"{mutant.name}.py", tmp_path / "check" / mutant.name)
        assert public_failures(outcome.result.checks, public) == under_run, mutant.name


def test_numpy_nn_kit(tmp_path):
    kit = build_kit("numpy_nn", tmp_path / "kit").root
    assert_no_secret(kit, "numpy_nn")
    assert (kit / "expected" / "practice_heldout_x.npy").is_file()  # practice data, not the held-out data
    folder = tmp_path / "student"
    folder.mkdir()
    shutil.copyfile(HOME / "submissions" / "numpy_nn" / "ben_correct_einsum.py", folder / "numpy_nn.py")
    outcome = check_file(folder / "numpy_nn.py", kit=kit)
    assert len(outcome.result.checks) == len(load_assignment("numpy_nn").checks)  # all public; no manual item
    assert all(c.status == "passed" for c in outcome.result.checks), [c.check_id for c in outcome.result.checks if c.status != "passed"]


#: one mutant per area of numpy_nn (all of them train a network, so the full set is left to bench_layers)
NUMPY_NN_MUTANTS = ("bgrad_mean", "relu_inplace", "init_zeros", "too_few_epochs")


def test_numpy_nn_mutants_fail_the_same_public_checks(tmp_path):
    rubric = load_assignment("numpy_nn")
    public = {c.id for c in rubric.checks}
    kit = build_kit("numpy_nn", tmp_path / "kit").root
    mutants = [m for m in write_mutants(rubric, tmp_path / "all") if m.name in NUMPY_NN_MUTANTS]
    (tmp_path / "class").mkdir()
    for mutant in mutants:
        shutil.copyfile(tmp_path / "all" / f"{mutant.name}.py", tmp_path / "class" / f"{mutant.name}.py")
    book = grade(tmp_path / "class", assignment="numpy_nn", out=tmp_path / "out", jobs=2).set_index("student_id")
    maxima = book.attrs["check_max_points"]
    # a row the grader failed on has no points (NaN) and would compare as "no check failed"
    assert book.attrs["grader_errors"] == {}, book.attrs["grader_errors"]
    for mutant in mutants:
        under_run = {c for c in public if book.loc[mutant.name, c] < maxima[c]}
        folder = tmp_path / "check" / mutant.name
        folder.mkdir(parents=True)
        shutil.copyfile(tmp_path / "class" / f"{mutant.name}.py", folder / "numpy_nn.py")
        outcome = check_file(folder / "numpy_nn.py", kit=kit)
        assert under_run and public_failures(outcome.result.checks, public) == under_run, mutant.name
