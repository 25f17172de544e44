"""Class analytics: the numbers shared by the analytics page and `grader stats`, and the SVG charts."""
from __future__ import annotations

import json
import warnings
from dataclasses import replace
from pathlib import Path

import pytest

from grader.results.submission import SubmissionResult
from grader.store.results import ResultStore
from grader.web.analytics import chart_svg, class_stats
from tests.report.fixtures import all_results

FILES = Path(__file__).parent / "files"


def diagnosed_results() -> list[SubmissionResult]:
    """The report fixtures with the diagnoses of files/diagnoses.json (bob and dave share a mistake, carol's
    entry is malformed)."""
    diagnoses = json.loads((FILES / "diagnoses.json").read_text(encoding="utf-8"))
    return [replace(r, extra={**r.extra, "diagnosis": diagnoses[r.student_id]}) if r.student_id in diagnoses else r
            for r in all_results()]


def test_the_numbers_of_the_fixture_class() -> None:
    stats = class_stats("numpy_nn", all_results())
    assert stats.students == 4
    assert stats.statuses == {"graded": 2, "pending-manual": 1, "timeout": 1}
    assert sum(stats.totals) == sum(r.score for r in all_results())
    rates = {r.check_id: r for r in stats.rates}
    plots = rates["plots"]
    assert plots.scored == 2  # two students pending: not counted as failures
    worst = stats.most_failed(3)
    assert worst and all(r.full < r.scored for r in worst)
    assert [r.rate for r in worst] == sorted(r.rate for r in worst)


def test_charts_are_svg_and_unknown_ones_are_none() -> None:
    stats = class_stats("numpy_nn", all_results())
    for kind in ("histogram", "pass-rate", "resources"):
        svg = chart_svg(kind, stats)
        assert svg.lstrip().startswith("<?xml") and "<script" not in svg
        assert chart_svg(kind, stats) is svg  # unchanged numbers: drawn once
    assert chart_svg("pie", stats) is None


def test_known_mistakes_are_counted_with_their_description_and_students() -> None:
    stats = class_stats("numpy_nn", diagnosed_results())
    found = [(d.mistake, d.description, d.students, d.count) for d in stats.diagnoses]
    assert found == [
        ("bgrad_mean", "b_grad is the batch mean, not the sum", ("bob", "dave"), 2),  # dave's two entries count once
        ("too_few_epochs", "training stops after < 60 epochs", ("bob",), 1),
    ]
    assert class_stats("numpy_nn", all_results()).diagnoses == ()


def test_the_analytics_page_lists_the_known_mistakes_and_links_their_students(tmp_path: Path) -> None:
    warnings.filterwarnings("ignore", message=".*httpx.*", category=DeprecationWarning)
    test_client = pytest.importorskip("starlette.testclient").TestClient
    from grader.web.app import create_app

    with ResultStore(tmp_path / "numpy_nn" / "results.sqlite") as store:
        for result in diagnosed_results():
            store.put(result, "key", "2026-12-01T10:00:00+00:00")
    client = test_client(create_app(tmp_path, "token"), base_url="http://127.0.0.1")
    page = client.get("/a/numpy_nn/analytics?token=token").text
    table = page[page.index('<table class="book" id="diagnoses">'):]
    table = table[:table.index("</table>")]
    assert table.index('data-mistake="bgrad_mean"') < table.index('data-mistake="too_few_epochs"')
    assert "b_grad is the batch mean, not the sum" in table and "training stops after &lt; 60 epochs" in table
    assert "<td>2/4</td>" in table and "<td>1/4</td>" in table
    bgrad_row = table[table.index('data-mistake="bgrad_mean"'):table.index('data-mistake="too_few_epochs"')]
    assert ('<a href="/a/numpy_nn/s/bob">bob</a>, <a href="/a/numpy_nn/s/dave">dave</a>' in bgrad_row)
    assert "carol" not in table and "alice" not in table
