"""Render a check's `FigureSpec` to PNG bytes with matplotlib's Agg backend.

Figures are drawn on the trusted side from numbers, never inside the sandbox. Rendering is
deterministic: fixed size, style and colours, and no PNG metadata (matplotlib would otherwise
stamp its version), so rerunning a report gives identical files.
"""
from __future__ import annotations

import io
import threading
import warnings

import numpy as np
from matplotlib import style
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from grader.results.check import FigureSeries, FigureSpec

FIGSIZE = (6.4, 3.6)
DPI = 100
#: colour-blind-safe palette (Okabe-Ito), cycled over the series of one figure
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
_RC = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
}
#: values beyond this are drawn as gaps (lines, points) or left out (histograms): matplotlib cannot place
#: axis ticks between -1e308 and 1e308, and a figure must never stop a report
MAX_PLOTTED = 1e100
# style.context changes matplotlib's global rcParams; threads rendering reports must take turns
_STYLE_LOCK = threading.Lock()


def render_png(spec: FigureSpec) -> bytes:
    """The figure described by `spec` as PNG bytes.

    Non-finite and astronomically large values (from a diverged student model, say) are dropped from
    histograms and left as gaps in curves instead of aborting the whole report. Raises ValueError when the spec
    itself is inconsistent (e.g. x and y of different lengths).
    """
    with _STYLE_LOCK, style.context(["default", _RC]), warnings.catch_warnings():
        # log axes over data with zeros or NaNs warn; the gaps in the plot say the same thing
        warnings.simplefilter("ignore")
        fig = Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
        canvas = FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        _draw(ax, spec)
        buffer = io.BytesIO()
        canvas.print_png(buffer, metadata={"Software": None})
    return buffer.getvalue()


def _draw(ax: Axes, spec: FigureSpec) -> None:
    edges = _shared_bin_edges(spec)
    for index, series in enumerate(spec.series):
        _draw_series(ax, series, PALETTE[index % len(PALETTE)], edges)
    ax.set_title(spec.title)
    ax.set_xlabel(spec.xlabel)
    ax.set_ylabel(spec.ylabel)
    if spec.logy:
        ax.set_yscale("log", nonpositive="mask")
    if any(s.label for s in spec.series):
        ax.legend(loc="best")


def _draw_series(ax: Axes, series: FigureSeries, colour: str, edges: np.ndarray) -> None:
    x = np.asarray(series.x, dtype=float)
    label = series.label or None
    if series.style == "hist":
        ax.hist(_finite(x), bins=edges, color=colour, alpha=0.5, label=label)
        return
    y = np.asarray(series.y, dtype=float)
    if x.shape != y.shape:
        raise ValueError(f"series {series.label!r}: {x.size} x values but {y.size} y values")
    # inf would stretch the axes to nothing; NaN draws as a gap
    x = np.where(_plottable(x), x, np.nan)
    y = np.where(_plottable(y), y, np.nan)
    if series.style == "points":
        ax.plot(x, y, linestyle="none", marker="o", markersize=3, color=colour, label=label)
    elif series.style == "line":
        ax.plot(x, y, linewidth=1.5, color=colour, label=label)
    else:
        raise ValueError(f"series {series.label!r}: unknown style {series.style!r} (line, points or hist)")


def _plottable(values: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.isfinite(values) & (np.abs(values) <= MAX_PLOTTED)


def _finite(values: np.ndarray) -> np.ndarray:
    return values[_plottable(values)]


def _shared_bin_edges(spec: FigureSpec) -> np.ndarray:
    """One set of bin edges for all histograms of a figure, so that their shapes can be compared.

    About sqrt(n) bins over the joint range, kept between 10 and 60 so that both 20 and 20 000
    samples give a readable shape.
    """
    samples = [_finite(np.asarray(s.x, dtype=float)) for s in spec.series if s.style == "hist"]
    joined = np.concatenate(samples) if samples else np.empty(0)
    if joined.size == 0:
        return np.linspace(0.0, 1.0, 11)
    low, high = float(joined.min()), float(joined.max())
    if low == high:  # a constant sample (e.g. all-zero init) still needs a visible bar
        low, high = low - 0.5, high + 0.5
    count = int(min(60, max(10, round(np.sqrt(joined.size / len(samples))))))
    return np.linspace(low, high, count + 1)
