"""Class analytics: the numbers shared by the analytics page and `grader stats`, and the SVG charts."""
from __future__ import annotations

from grader.web.analytics import chart_svg, class_stats
from tests.report.fixtures import all_results


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
