"""Figures a script saves and closes itself are kept, at the moment it saves or closes them."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from grader.probe.figures import FigureCapture  # noqa: E402


@pytest.fixture
def capture(tmp_path):
    plt.close("all")
    capture = FigureCapture(tmp_path / "figures", limit=12)
    assert capture.install()
    yield capture
    capture.uninstall()
    plt.close("all")


def test_saved_then_closed_figures_are_kept_and_counted(capture, tmp_path):
    for i in range(3):
        plt.figure()
        plt.plot([0, 1], [i, i + 1])
        plt.savefig(tmp_path / f"plot{i}.png")
        plt.close()
    capture.finish()
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == ["figure_01.png", "figure_02.png", "figure_03.png"]
    assert (capture.closed_figures, capture.closed_axes) == (3, 3)


def test_closed_without_saving_and_close_all(capture, tmp_path):
    first = plt.figure()
    plt.plot([0, 1])
    plt.figure()
    plt.plot([1, 0])
    plt.close(first)
    plt.figure()  # empty: counted as a figure, not as a plot
    plt.close("all")
    capture.finish()
    assert capture.saved == 3 and (capture.closed_figures, capture.closed_axes) == (3, 2)


def test_a_save_into_a_missing_folder_still_keeps_the_figure(capture, tmp_path):
    plt.plot([0, 1])
    with pytest.raises(FileNotFoundError):
        plt.savefig(tmp_path / "missing" / "plot.png")
    capture.finish()
    assert capture.saved == 1 and (tmp_path / "figures" / "figure_01.png").is_file()


def test_figures_left_open_are_kept_at_the_end(capture, tmp_path):
    plt.plot([0, 1])
    capture.finish()
    assert capture.saved == 1 and capture.closed_figures == 0 and plt.get_fignums() == []
