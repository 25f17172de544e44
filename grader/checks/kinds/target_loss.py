"""Does the student's own trained model reach the target loss on fresh held-out data?

The predictions come from the sandbox; the labels never went there, and the loss is computed here.
When a script leaves several trained models behind, the best one counts.

The points reward a model whose predictions come from its trained parameters. Two optional rubric fields
say how the probe shows that: `provenance`, a per-model observation (same [*] suffix as the predictions)
whose `problems` list what was seen instead (e.g. predictions that are not those of the required network);
and `untrained`, the predictions of a freshly constructed model, which must not already reach the target.
"""
from __future__ import annotations

import numpy as np

from grader.checks.context import CheckContext
from grader.checks.explain import number, shape_text
from grader.checks.judgement import Judgement
from grader.results.check import FigureSeries, FigureSpec
from grader.rubric import CheckSpec

LOSSES = {
    "mse": lambda pred, y: float(np.mean((pred - y) ** 2)),
    # binary labels in {0, 1}, predictions thresholded at 0.5 (probabilities): 1 - accuracy
    "error_rate": lambda pred, y: float(np.mean((pred > 0.5) != (y > 0.5))) if np.all(np.isfinite(pred)) else np.inf,
}
LABELS = {"mse": "validation MSE", "error_rate": "validation error rate (1 - accuracy)"}
PLOT_POINTS = 300


def judge_target_loss(spec: CheckSpec, ctx: CheckContext, keys: list[str]) -> Judgement:
    x, y = ctx.heldout[spec.params["data"]]
    loss_fn = LOSSES[spec.params.get("loss", "mse")]
    label = LABELS[spec.params.get("loss", "mse")]
    threshold = float(spec.params["threshold"])
    scored, problems, flagged = [], [], []
    for key in keys:
        observation = ctx.student.items[key]
        where = observation.meta.get("where", key)
        pred = observation.array
        seen = _provenance_problems(spec, ctx, key)
        if seen:
            flagged.append(f"{where}: " + "; ".join(seen))
            continue
        if pred is None or pred.size != y.size:
            shape = shape_text(pred.shape) if pred is not None else repr(observation.value)[:40]
            problems.append(f"{where}.forward gave {shape} for {y.shape[0]} inputs; expected {shape_text(y.shape)}")
            continue
        loss = loss_fn(pred.reshape(y.shape), y)
        scored.append((loss if np.isfinite(loss) else np.inf, where, pred.reshape(y.shape)))
    if not scored and flagged:
        return Judgement(
            0.0,
            message=("These points need predictions computed by the trained network the handout asks for. "
                     f"What was observed: {' | '.join(flagged)}."),
            observed=flagged[0][:200],
            details={"provenance": flagged},
        )
    if not scored:
        return Judgement(0.0, message="; ".join(problems), observed=problems[0] if problems else "")
    untrained = _untrained_loss(spec, ctx, loss_fn, y)
    if untrained is not None and untrained <= threshold:
        return Judgement(
            0.0,
            message=(f"A freshly constructed model, before any training, already reaches a {label} of "
                     f"{number(untrained)} (target {number(threshold)}), so reaching the target does not show "
                     "that training worked; these points need predictions computed by trained parameters."),
            observed=f"untrained {label} {number(untrained)}",
            details={"untrained_loss": untrained, "threshold": threshold},
        )
    loss, where, pred = min(scored, key=lambda item: item[0])
    details = {"loss": loss if np.isfinite(loss) else None, "threshold": threshold, "model": where, "models_found": len(keys)}
    observed = f"{label} {number(loss)} for {where}"
    # a curve only makes sense for one input feature (e.g. not for images)
    figures = (_prediction_figure(x, y, pred, ctx, spec),) if x.size == y.size else ()
    if loss <= threshold:
        return Judgement(1.0, observed=observed, details=details, figures=figures)
    return Judgement(
        0.0,
        message=f"Your trained model ({where}) reaches a {label} of {number(loss)} on fresh data; the target is {number(threshold)}.",
        observed=observed,
        details=details,
        figures=figures,
    )


def _provenance_problems(spec: CheckSpec, ctx: CheckContext, key: str) -> list[str]:
    """What the probe saw instead of a trained model's predictions, for the model observed under `key`."""
    pattern = spec.params.get("provenance")
    if not pattern or "[" not in key:
        return []
    observation = ctx.student.items.get(pattern[:-3] + key[key.index("["):] if pattern.endswith("[*]") else pattern)
    if observation is None or observation.error is not None or not isinstance(observation.value, dict):
        return []
    return [str(p) for p in observation.value.get("problems", [])][:3]


def _untrained_loss(spec: CheckSpec, ctx: CheckContext, loss_fn, y: np.ndarray) -> float | None:
    key = spec.params.get("untrained")
    observation = ctx.student.items.get(key) if key else None
    if observation is None or observation.error is not None or observation.array is None or observation.array.size != y.size:
        return None
    loss = loss_fn(observation.array.reshape(y.shape), y)
    return loss if np.isfinite(loss) else None


def _prediction_figure(x, y, pred, ctx: CheckContext, spec: CheckSpec) -> FigureSpec:
    order = np.argsort(x.ravel())[:: max(1, x.size // PLOT_POINTS)]
    xs = tuple(np.round(x.ravel()[order], 5).tolist())
    series = [
        FigureSeries("held-out data", xs, tuple(np.round(y.ravel()[order], 5).tolist()), style="points"),
        FigureSeries("your model", xs, tuple(np.round(pred.ravel()[order], 5).tolist())),
    ]
    reference_keys = [k for pattern in spec.observe for k in ctx.reference.matching(pattern)]
    reference = ctx.reference.items[reference_keys[0]] if reference_keys else None
    if reference is not None and reference.array is not None and reference.array.size == y.size:
        series.append(FigureSeries("reference model", xs, tuple(np.round(reference.array.ravel()[order], 5).tolist())))
    return FigureSpec("Predictions on held-out data", "x", "y", tuple(series))
