"""Canvas in and out: a bulk submissions.zip and a roster -> grade -> a Canvas gradebook import file.

One enrolled student never handed in, one hand-in belongs to nobody on the roster; both stay visible.
"""
from __future__ import annotations

import csv
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

FILES = Path(__file__).parent / "files"
SAMPLES = Path(__file__).parent.parent / "samples" / "bench_layers" / "class"
pytestmark = pytest.mark.slow


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=600)


def canvas_zip(folder: Path) -> Path:
    """submissions.zip as Canvas names its files (manifest: which sample becomes which Canvas file)."""
    archive = folder / "submissions.zip"
    with zipfile.ZipFile(archive, "w") as handle, open(FILES / "canvas_class_manifest.csv", newline="") as manifest:
        for row in csv.DictReader(manifest):
            handle.write(SAMPLES / row["sample"], row["canvas_name"])
    return archive


def test_bulk_zip_and_roster_to_canvas_csv(tmp_path):
    archive = canvas_zip(tmp_path)
    roster = FILES / "canvas_class_roster.csv"
    run = cli("run", str(archive), "--assignment", "bench_layers", "--roster", str(roster), "--out", "out",
              "--jobs", "2", cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "match no roster entry" in run.stdout and "caicai_5009" in run.stdout
    assert "without a hand-in" in run.stdout and "Turing, Alan (5003)" in run.stdout

    book = pd.read_csv(tmp_path / "out" / "bench_layers" / "gradebook.csv", dtype=str).set_index("lms_id")
    assert book.loc["5003", "status"] == "missing"
    assert book.loc["5009", "roster"] == "not in roster"
    assert book.loc["5002", "late"] == "late"
    assert float(book.loc["5002", "total"]) == 10  # the resubmission (-1, a correct file) counts, not bgrad_mean

    export = cli("export", "canvas.csv", "--format", "canvas", "--from", "out", "--item", "Layers (4711)", cwd=tmp_path)
    assert export.returncode == 0, export.stdout + export.stderr
    rows = list(csv.DictReader(open(tmp_path / "canvas.csv", newline="", encoding="utf-8")))
    assert [r["ID"] for r in rows] == ["5001", "5002", "5003"]  # the roster's rows, in its order
    assert [r["Layers (4711)"] for r in rows] == ["10", "10", ""]
    assert rows[0]["SIS Login ID"] == "alovelace" and rows[2]["Section"] == "Lab 1"
    assert "1 enrolled student(s) without a hand-in" in export.stdout and "5003" in export.stdout
    assert "caicai_5009" in export.stdout  # graded, but no roster row to put it in
