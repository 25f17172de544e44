"""Is a layer's initialisation drawn from the right distribution? A Kolmogorov-Smirnov test on pooled draws.

Samples from every probed (fan_in, fan_out) case are divided by the expected scale, pooled, and tested
against U(-1, 1) (`family = "uniform"`, the scale is the bound) or N(0, 1) (`family = "normal"`, the scale
is the standard deviation). A scale is "fan_in^-0.5", "1.4142 * fan_out^-0.5" or a plain number ("1"). With significance `alpha`, a correct implementation fails with probability alpha per
check; the rubric uses 1e-7 for W and for b, so at most 2e-7 per submission. With thousands of draws the
test rejects zeros, N(0, 1), sqrt(2/fan_in) or sqrt(6/fan_in) scales, Xavier and fan_out bounds.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy import stats

from grader.checks.context import CheckContext, call_of
from grader.checks.explain import number
from grader.checks.judgement import Judgement
from grader.results.check import FigureSeries, FigureSpec
from grader.rubric import CheckSpec

_SCALE = re.compile(r"^\s*(?:([0-9.eE+-]+)\s*\*\s*)?(fan_in|fan_out)\s*\^\s*(-?[0-9.]+)\s*$")
_CONSTANT = re.compile(r"^\s*[0-9.eE+-]+\s*$")


def expected_bound(scale: str, meta: dict) -> float:
    """Evaluate a scale such as "fan_in^-0.5", "2 * fan_out^-0.5" or "1" with the case's fan_in/fan_out."""
    if _CONSTANT.match(str(scale)):
        return float(scale)
    match = _SCALE.match(str(scale))
    if not match:
        raise ValueError(f"scale must look like 'fan_in^-0.5', '2 * fan_out^-0.5' or '1', got {scale!r}")
    factor = float(match.group(1)) if match.group(1) else 1.0
    return factor * float(meta[match.group(2)]) ** float(match.group(3))


#: what one case looks like against its expected scale: (its summary for the student, how far off it is)
Described = tuple[str, float]


@dataclass(frozen=True)
class Pooled:
    """Every case's values divided by its expected scale and pooled, and the summary of the case most off."""

    samples: np.ndarray
    worst: str | None
    any_empty: bool


def pool_cases(ctx: CheckContext, keys: list[str], scale: str,
               describe: Callable[[np.ndarray, float], Described]) -> Pooled:
    """Divide each case's values by the scale its fan_in/fan_out give; `describe` summarises one case and says
    how far off it is (the first of equally far cases is the one named)."""
    pooled, worst = [], None
    for key in keys:
        observation = ctx.student.items[key]
        values = _values(observation)
        expected = expected_bound(scale, observation.meta)
        pooled.append(values / expected)
        summary, off = describe(values, expected)
        summary = f"{call_of(observation)}: {summary}"
        if worst is None or off > worst[0]:
            worst = (off, summary)
    samples = np.concatenate(pooled) if pooled else np.zeros(0)
    return Pooled(samples, worst[1] if worst else None, any(p.size == 0 for p in pooled))


def _describe_uniform(values: np.ndarray, bound: float) -> Described:
    summary = (f"{_range(values)}, std {_std(values)}; expected U(-{number(bound)}, {number(bound)}), "
               f"std {number(bound / np.sqrt(3))}")
    return summary, _log_ratio(values, bound / np.sqrt(3))  # U(-a, a) has std a/sqrt(3)


def _describe_normal(values: np.ndarray, std: float) -> Described:
    summary = (f"mean {number(np.mean(values)) if values.size else 'none'}, std {_std(values)}; "
               f"expected N(0, {number(std)}^2), std {number(std)}")
    return summary, _log_ratio(values, std) + (abs(float(np.mean(values))) / std if values.size else 0.0)


def judge_init_distribution(spec: CheckSpec, ctx: CheckContext, keys: list[str]) -> Judgement:
    """Kolmogorov-Smirnov test of the pooled, rescaled initial values against U(-1, 1) or N(0, 1)."""
    if spec.params.get("family", "uniform") == "normal":
        return _judge_normal(spec, ctx, keys)
    alpha = float(spec.params.get("alpha", 1e-7))
    pooled = pool_cases(ctx, keys, str(spec.params.get("scale", "fan_in^-0.5")), _describe_uniform)
    unusable = _unusable(pooled)
    if unusable is not None:
        return unusable
    samples = pooled.samples
    result = stats.kstest(samples, "uniform", args=(-1.0, 2.0))
    details = {"ks_statistic": float(result.statistic), "p_value": float(result.pvalue), "alpha": alpha, "n": int(samples.size)}
    figure = FigureSpec(
        title="Your initial values divided by the expected bound (should be flat on [-1, 1])",
        xlabel="value / bound",
        ylabel="density",
        series=(FigureSeries("yours", tuple(np.round(samples[:4000], 6).tolist()), style="hist"),
                FigureSeries("expected U(-1, 1)", (-1.0, -1.0, 1.0, 1.0), (0.0, 0.5, 0.5, 0.0))),
    )
    if result.pvalue >= alpha:
        return Judgement(1.0, details=details)
    return Judgement(
        0.0,
        message=(f"The initial values do not follow the expected distribution (Kolmogorov-Smirnov test over "
                 f"{samples.size} values: statistic {number(result.statistic)}, p = {result.pvalue:.2g} < {alpha:g}). "
                 f"Most off: {pooled.worst}"),
        observed=pooled.worst,
        details=details,
        figures=(figure,),
    )


def _judge_normal(spec: CheckSpec, ctx: CheckContext, keys: list[str]) -> Judgement:
    """N(0, std^2) with std from `scale`: values / std pooled and tested against N(0, 1)."""
    alpha = float(spec.params.get("alpha", 1e-7))
    pooled = pool_cases(ctx, keys, str(spec.params.get("scale", "1")), _describe_normal)
    unusable = _unusable(pooled)
    if unusable is not None:
        return unusable
    samples = pooled.samples
    result = stats.kstest(samples, "norm")
    details = {"ks_statistic": float(result.statistic), "p_value": float(result.pvalue), "alpha": alpha, "n": int(samples.size)}
    if result.pvalue >= alpha:
        return Judgement(1.0, details=details)
    grid = np.linspace(-4, 4, 81)
    figure = FigureSpec(
        title="Your initial values divided by the expected standard deviation (should look like N(0, 1))",
        xlabel="value / expected std",
        ylabel="density",
        series=(FigureSeries("yours", tuple(np.round(samples[:4000], 6).tolist()), style="hist"),
                FigureSeries("expected N(0, 1)", tuple(np.round(grid, 3).tolist()),
                             tuple(np.round(np.exp(-grid**2 / 2) / np.sqrt(2 * np.pi), 5).tolist()))),
    )
    return Judgement(
        0.0,
        message=(f"The initial values do not follow the expected distribution (Kolmogorov-Smirnov test over "
                 f"{samples.size} values: statistic {number(result.statistic)}, p = {result.pvalue:.2g} < {alpha:g}). "
                 f"Most off: {pooled.worst}"),
        observed=pooled.worst,
        details=details,
        figures=(figure,),
    )


def _values(observation) -> np.ndarray:
    """The observed values as a flat float array (an observation without an array has none)."""
    return np.ravel(observation.array) if observation.array is not None else np.zeros(0)


def _range(values: np.ndarray) -> str:
    if values.size == 0:
        return "no values (an empty array)"
    return f"values in [{number(np.min(values))}, {number(np.max(values))}]"


def _std(values: np.ndarray) -> str:
    with np.errstate(all="ignore"):
        return number(np.std(values)) if values.size else "none"


def _log_ratio(values: np.ndarray, expected_std: float) -> float:
    """How far the spread is off, as |log(std / expected)|; infinite for no values or values that are not finite."""
    if values.size == 0:
        return float("inf")
    with np.errstate(all="ignore"):
        ratio = float(np.std(values)) / expected_std
    if not np.isfinite(ratio):
        return float("inf")
    return abs(float(np.log(max(ratio, 1e-12))))


def _unusable(pooled: Pooled) -> Judgement | None:
    """A failed judgement when there is nothing to test (an empty array, NaN or infinite values), else None."""
    with np.errstate(all="ignore"):
        if pooled.samples.size and not pooled.any_empty and np.all(np.isfinite(pooled.samples)):
            return None
    worst = pooled.worst or ""
    return Judgement(0.0, message=f"No usable initial values (empty or not finite). {worst}".strip(),
                     observed=pooled.worst or "no values")
