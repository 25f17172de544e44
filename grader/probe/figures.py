"""Keep the figures a student's script drew, as PNG files the report can show.

Many scripts save each figure and close it (`plt.savefig(...)` then `plt.close()`), so waiting for the
figures left open at the end loses them. `FigureCapture` also keeps a figure when it is saved or closed.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any


class FigureCapture:
    """Saves each distinct figure once, as figure_NN.png, whenever it is saved, closed or left open."""

    def __init__(self, directory: Path, limit: int) -> None:
        self.directory = directory
        self.limit = limit
        self.saved = 0
        #: figures captured before they were closed: (figures, axes with data) the script drew but did not leave open
        self.closed_figures = 0
        self.closed_axes = 0
        self._seen: set[int] = set()
        self._capturing = False
        self._real_close: Any = None
        self._restore: Any = None

    def capture(self, figure: Any, closing: bool = False) -> None:
        """Keep `figure` (once), and count it as drawn when the script is about to close it."""
        if figure is None or self._capturing:
            return
        first = id(figure) not in self._seen
        self._seen.add(id(figure))
        if closing:
            self.closed_figures += 1
            self.closed_axes += sum(1 for ax in figure.get_axes() if ax.has_data())
        if not first or self.saved >= self.limit:
            return
        self._capturing = True  # our own savefig must not capture again
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            figure.savefig(self.directory / f"figure_{self.saved + 1:02d}.png", dpi=80)
            self.saved += 1
        except Exception:  # a broken figure must not cost the probe steps that follow
            pass
        finally:
            self._capturing = False

    def install(self) -> bool:
        """Wrap pyplot.close and Figure.savefig (when matplotlib is loaded); True when installed."""
        pyplot = sys.modules.get("matplotlib.pyplot")
        figure_module = sys.modules.get("matplotlib.figure")
        if pyplot is None or figure_module is None:
            return False
        capture, real_close, real_savefig = self, pyplot.close, figure_module.Figure.savefig
        self._real_close = real_close

        def close(fig: Any = None) -> None:
            try:
                for figure in _figures_closed_by(pyplot, fig):
                    capture.capture(figure, closing=True)
            except Exception:  # whatever the argument was, closing behaves as matplotlib decides
                pass
            return real_close(fig) if fig is not None else real_close()

        def savefig(figure: Any, *args: Any, **kwargs: Any) -> Any:
            capture.capture(figure)  # first: a save into a missing folder raises, the figure still counts
            return real_savefig(figure, *args, **kwargs)

        pyplot.close = close
        figure_module.Figure.savefig = savefig
        self._restore = lambda: (setattr(pyplot, "close", real_close), setattr(figure_module.Figure, "savefig", real_savefig))
        return True

    def uninstall(self) -> None:
        """Put matplotlib back as it was before `install`."""
        if self._restore is not None:
            self._restore()
            self._restore = None

    def finish(self) -> None:
        """Keep every figure still open (not yet captured), then close them all."""
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is None:
            return
        try:
            for number in list(pyplot.get_fignums()):
                self.capture(pyplot.figure(number))
            (self._real_close or pyplot.close)("all")
        except Exception:  # a broken figure must not cost the probe steps that follow
            pass


def _figures_closed_by(pyplot: Any, fig: Any) -> list[Any]:
    """The open figures plt.close(fig) is about to close: the current one, one by number/label/object, or all.

    Read from matplotlib's figure registry, so asking does not change which figure is current."""
    helpers = sys.modules.get("matplotlib._pylab_helpers")
    if helpers is None:
        return []
    managers = {m.num: m for m in helpers.Gcf.get_all_fig_managers()}
    if not managers:
        return []
    if fig is None:
        active = helpers.Gcf.get_active()
        return [active.canvas.figure] if active is not None else []
    if isinstance(fig, str):
        figures = [m.canvas.figure for m in managers.values()]
        return figures if fig == "all" else [f for f in figures if f.get_label() == fig]
    if isinstance(fig, int):
        return [managers[fig].canvas.figure] if fig in managers else []
    return [fig] if hasattr(fig, "get_axes") else []


def save_open_figures(directory: Path, limit: int) -> int:
    """Save every open matplotlib figure (if matplotlib was used) and close it; returns how many."""
    capture = FigureCapture(directory, limit)
    capture.finish()
    return capture.saved


def count_open_figures() -> tuple[int, int]:
    """(open figures, axes with something drawn in them) of the script's matplotlib state; (0, 0) without it."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is None:
        return 0, 0
    try:
        figures = [pyplot.figure(number) for number in pyplot.get_fignums()]
        return len(figures), sum(1 for figure in figures for ax in figure.get_axes() if ax.has_data())
    except Exception:  # a broken figure must not cost the probe steps that follow
        return 0, 0
