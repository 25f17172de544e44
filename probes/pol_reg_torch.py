"""Probe for pol_reg_torch: observe the contract functions (see `grader handout pol_reg_torch`) on our inputs.

Every function is called on data the probe makes itself (the handout's recipe, drawn with its own generator,
and a second, well-conditioned dataset), so a mistake in one function costs only the checks of that function:
a wrong `make_data` does not spoil the closed form, a wrong `init_tenth_powers` does not spoil the momentum
run, which starts from the probe's own 0.1^k weights.

Final losses are always the mean squared error of the returned weights, computed here in float64 through the
student's own `predict` (so the order of the weights is the student's business, the reduction is not): a loss
written as a sum changes the student's learning rates, never the numbers judged.

Students may work in float32 (the recipe's dtype) or float64: the probe detects the dtype from `init_ones()`
(else from `make_data()`) and hands every input over in it.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from grader.probe.context import ProbeContext, ProbeFailure
from grader.probe.numeric import as_float64, is_tensor

N_TRAIN = 15
SIGMA_NOISE = 0.1
DATA_SEED = 0xDEADBEEF
ORDER = 3
N_STEPS = 100  # the contract's optimisation steps (STEPS, at the end, is the list of probe steps)

# Optimiser settings the probe chooses itself, to test fit() apart from the student's constants.
PROBE_STEPS = 20
PROBE_SGD = {"lr": 5e-5}
PROBE_MOMENTUM = {"lr": 1e-4, "momentum": 0.9}
PROBE_ADAM = {"lr": 0.01}
PROBE_LBFGS = {"lr": 1.0, "line_search_fn": "strong_wolfe"}
PROBE_LBFGS_STEPS = 5
# The grid handed to best_sgd_lr: the stability limit is 7.4e-5, and 1e-4 diverges (inf or NaN) on purpose.
LR_GRID = [1e-6, 1e-5, 3e-5, 5e-5, 7e-5, 1e-4]
# A fixed cubic for the second dataset and for predict/mse.
PROBE_W = [0.3, -0.5, 0.2, -0.02]


# ---------------------------------------------------------------- inputs


def recipe_data() -> tuple[torch.Tensor, torch.Tensor]:
    """The handout's recipe with a generator of our own: the same numbers as torch.manual_seed(0xDEADBEEF)."""
    generator = torch.Generator().manual_seed(DATA_SEED)
    x = torch.rand(N_TRAIN, generator=generator, dtype=torch.float32) * 2 * torch.pi
    y = torch.sin(x) + torch.randn(N_TRAIN, generator=generator, dtype=torch.float32) * SIGMA_NOISE
    return x, y


def other_data(ctx: ProbeContext) -> tuple[np.ndarray, np.ndarray]:
    """40 points of a cubic plus noise on [-1, 1]: well conditioned, so every correct solver agrees closely."""
    rng = ctx.rng("other-data")
    x = rng.uniform(-1.0, 1.0, 40)
    y = np.polyval(PROBE_W[::-1], x) + rng.normal(0.0, 0.05, 40)
    return x, y


def as_input(ctx: ProbeContext, value: Any) -> torch.Tensor:
    return torch.as_tensor(np.asarray(value, dtype=np.float64)).to(ctx.state["dtype"])


def to_numpy(value: Any, what: str) -> np.ndarray:
    """A tensor (possibly requiring grad), array, list of tensors or number as a float64 array."""
    if is_tensor(value):
        return as_float64(value)
    if isinstance(value, (list, tuple)):
        return np.array([float(to_numpy(v, what)) if not isinstance(v, (int, float)) else v for v in value], dtype=np.float64)
    try:
        return np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ProbeFailure(f"{what} is a {type(value).__name__}, not a tensor or array") from None


def dtype_name(ctx: ProbeContext) -> str:
    return "float64" if ctx.state.get("dtype") == torch.float64 else "float32"


def detect_dtype(ctx: ProbeContext) -> None:
    """The student's floating dtype, so inputs match what their functions expect."""
    ctx.state["dtype"] = torch.float32
    for name in ("init_ones", "make_data"):
        try:
            value = ctx.namespace[name]()
            tensor = value[0] if isinstance(value, (tuple, list)) else value
            if isinstance(tensor, torch.Tensor) and tensor.dtype in (torch.float32, torch.float64):
                ctx.state["dtype"] = tensor.dtype
                break
        except Exception:  # judged by the checks of those functions
            continue
    ctx.record("probe.dtype", str(ctx.state["dtype"]))


# ---------------------------------------------------------------- losses, judged here


def final_loss(ctx: ProbeContext, w: Any, x: torch.Tensor, y: torch.Tensor) -> float:
    """Mean squared error of weights `w`, in float64, through the student's predict (ours if it fails)."""
    w = torch.as_tensor(to_numpy(w, "the returned w")).to(ctx.state["dtype"])
    try:
        with torch.no_grad():
            pred = to_numpy(ctx.get("predict")(w.clone(), x.clone()), "predict's output").ravel()
        if pred.shape != (x.shape[0],):
            raise ValueError
    except Exception:
        pred = np.polyval(to_numpy(w, "w")[::-1], to_numpy(x, "x"))
    value = float(np.mean((pred - to_numpy(y, "y")) ** 2))
    return value if math.isfinite(value) else math.inf


# ---------------------------------------------------------------- the model functions


def data(ctx: ProbeContext) -> None:
    keys = ("data.x[recipe]", "data.y[recipe]")
    with ctx.attempt(*keys, call="make_data()"):
        value = ctx.get("make_data")()
        if not isinstance(value, (tuple, list)) or len(value) != 2:
            raise ProbeFailure(f"make_data() returned {type(value).__name__}; expected a pair (x, y)")
        for key, item, what in zip(keys, value, ("x", "y")):
            ctx.record(key, to_numpy(item, what), call="make_data()", what=what)


def model_functions(ctx: ProbeContext) -> None:
    x_np = ctx.rng("model-x").uniform(0.0, 2 * np.pi, 7)
    y_np = np.sin(x_np) + ctx.rng("model-y").normal(0.0, 0.1, 7)
    x, y, w = as_input(ctx, x_np), as_input(ctx, y_np), as_input(ctx, PROBE_W)
    meta = {"dtype": dtype_name(ctx)}
    with ctx.attempt("features.X[x7]", call="features(x of shape (7,))"):
        X = ctx.get("features")(x.clone())
        ctx.record("features.X[x7]", to_numpy(X, "features' output"), call="features(x of shape (7,))",
                   what="the feature matrix", **meta)
    call = f"predict(w={PROBE_W}, x of shape (7,))"
    with ctx.attempt("predict.y[x7]", call=call):
        ctx.record("predict.y[x7]", to_numpy(ctx.get("predict")(w.clone(), x.clone()), "predict's output"), call=call,
                   what="the predictions", **meta)
    call = f"mse(w={PROBE_W}, x, y) on 7 points"
    with ctx.attempt("mse.value[x7]", call=call):
        ctx.record("mse.value[x7]", to_numpy(ctx.get("mse")(w.clone(), x.clone(), y.clone()), "mse's output"), call=call,
                   what="the loss", **meta)


def closed_form(ctx: ProbeContext) -> None:
    x_recipe, y_recipe = recipe_data()
    x_other, y_other = other_data(ctx)
    cases = {
        "recipe": (as_input(ctx, x_recipe.numpy()), as_input(ctx, y_recipe.numpy()), "the handout's 15 points"),
        "other": (as_input(ctx, x_other), as_input(ctx, y_other), "40 other points on [-1, 1]"),
    }
    for name, (x, y, label) in cases.items():
        keys = (f"closed_form.w[{name}]", f"closed_form.mse[{name}]")
        call = f"closed_form(x, y) on {label}"
        with ctx.attempt(*keys, call=call):
            w = to_numpy(ctx.get("closed_form")(x.clone(), y.clone()), "closed_form's output")
            ctx.record(keys[0], w, call=call, what="the weights", dtype=dtype_name(ctx))
            if w.shape != (ORDER + 1,):
                raise ProbeFailure(f"closed_form(x, y) returned shape {w.shape}; expected ({ORDER + 1},)")
            # The loss the weights reach, in float64 with ascending powers: on the handout's ill-conditioned
            # data, correct float32 solvers differ by up to 3e-3 in the weights but not in this minimum.
            loss = float(np.mean((np.polyval(w[::-1], to_numpy(x, "x")) - to_numpy(y, "y")) ** 2))
            ctx.record(keys[1], loss, call=call, what=f"the MSE of your weights {np.round(w, 5).tolist()}")


def closed_form_by_value(ctx: ProbeContext) -> None:
    """Without a closed_form function, a global holding the least-squares weights of the handout's data counts.

    Reliable because the minimum is unique: only weights within 0.1% of the minimum loss are taken, and the
    observation says which global it was (the check's message and the report show it).
    """
    if "closed_form" in ctx.namespace:
        return
    x, y = (as_float64(t) for t in recipe_data())
    X = np.vander(x, ORDER + 1, increasing=True)
    best = float(np.mean((X @ np.linalg.lstsq(X, y, rcond=None)[0] - y) ** 2))
    for name, value in sorted(ctx.namespace.items()):
        if name.startswith("_") or type(value).__name__ not in ("Tensor", "Parameter", "ndarray"):
            continue
        try:
            w = to_numpy(value, name).reshape(-1)
        except Exception:  # not numbers: not a candidate
            continue
        if w.shape != (ORDER + 1,) or not np.all(np.isfinite(w)):
            continue
        loss = float(np.mean((X @ w - y) ** 2))
        if abs(loss - best) <= 1e-3 * best:
            ctx.record("closed_form.mse[recipe]", loss, call=f"the global {name} (no closed_form function)",
                       what=f"the MSE of the weights in {name} {np.round(w, 5).tolist()}", found_by_value=name)
            return


def hessian(ctx: ProbeContext) -> None:
    x, _ = recipe_data()
    x = as_input(ctx, x.numpy())
    keys = ("hessian.H[recipe]", "hessian.cond[recipe]")
    call = "hessian(x) on the handout's 15 points"
    with ctx.attempt(*keys, call=call):
        H = to_numpy(ctx.get("hessian")(x.clone()), "hessian's output")
        ctx.record(keys[0], H, call=call, what="the Hessian", dtype=dtype_name(ctx))
        if H.shape != (ORDER + 1, ORDER + 1) or not np.all(np.isfinite(H)):
            raise ProbeFailure(f"hessian(x) has shape {H.shape}; its condition number needs a finite (4, 4) matrix")
        eigenvalues = np.linalg.eigvalsh((H + H.T) / 2)
        cond = abs(eigenvalues[-1]) / abs(eigenvalues[0]) if eigenvalues[0] != 0 else math.inf
        ctx.record(keys[1], cond, call=call, what="the condition number of your Hessian (computed by the grader)")


def inits(ctx: ProbeContext) -> None:
    for name in ("init_ones", "init_tenth_powers"):
        key = f"init.w[{name}]"
        with ctx.attempt(key, call=f"{name}()"):
            ctx.record(key, to_numpy(ctx.get(name)(), f"{name}()"), call=f"{name}()", what="the weights")


# ---------------------------------------------------------------- fit, with the probe's settings and the student's


def run_fit(ctx: ProbeContext, w0: list[float], opt_cls: type, steps: int, kwargs: dict) -> tuple[Any, Any]:
    x, y = (as_input(ctx, t.numpy()) for t in recipe_data())
    result = ctx.get("fit")(x, y, as_input(ctx, w0), opt_cls, steps, **kwargs)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise ProbeFailure(f"fit(...) returned {type(result).__name__}; expected a pair (w, losses)")
    w, losses = result
    return (w, losses), final_loss(ctx, w, x, y)


ONES = [1.0] * (ORDER + 1)
TENTH_POWERS = [0.1**k for k in range(ORDER + 1)]


def fit_probe_settings(ctx: ProbeContext) -> None:
    """fit() with optimiser settings we chose: is the loop right, whatever constants the student picked?"""
    runs = {
        "sgd": (ONES, torch.optim.SGD, PROBE_SGD, "all-ones"),
        "momentum": (TENTH_POWERS, torch.optim.SGD, PROBE_MOMENTUM, "0.1^k"),
        "adam": (TENTH_POWERS, torch.optim.Adam, PROBE_ADAM, "0.1^k"),
    }
    for name, (w0, opt_cls, kwargs, start) in runs.items():
        settings = ", ".join(f"{k}={v}" for k, v in kwargs.items())
        call = f"fit(x, y, w0={start}, torch.optim.{opt_cls.__name__}, {PROBE_STEPS}, {settings}) on the handout's data"
        keys = [f"fit.w[{name}]"] + (["fit.losses[sgd]"] if name == "sgd" else [])
        with ctx.attempt(*keys, call=call):
            (w, losses), _ = run_fit(ctx, w0, opt_cls, PROBE_STEPS, kwargs)
            ctx.record(keys[0], to_numpy(w, "the returned w"), call=call, what="the weights after the steps",
                       dtype=dtype_name(ctx))
            if name == "sgd":
                ctx.record(keys[1], to_numpy(losses, "the returned losses").ravel(), call=call, what="the list of losses")
    call = (f"fit(x, y, w0=0.1^k, torch.optim.LBFGS, {PROBE_LBFGS_STEPS}, lr=1.0, line_search_fn='strong_wolfe') "
            "on the handout's data")
    with ctx.attempt("fit.loss[lbfgs]", call=call):
        _, loss = run_fit(ctx, TENTH_POWERS, torch.optim.LBFGS, PROBE_LBFGS_STEPS, PROBE_LBFGS)
        ctx.record("fit.loss[lbfgs]", loss, call=call, what="the final MSE")


def constant(ctx: ProbeContext, name: str) -> Any:
    value = ctx.get(name)
    if name == "LBFGS_KWARGS":
        if not isinstance(value, dict):
            raise ProbeFailure(f"LBFGS_KWARGS is a {type(value).__name__}; expected a dict of keyword arguments")
        return dict(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ProbeFailure(f"{name} = {value!r} is not a number") from None


def rerun_constants(ctx: ProbeContext) -> None:
    """fit() with the student's own settings, as the contract says the grader reruns them."""
    runs = {
        "sgd_ones": (ONES, torch.optim.SGD, N_STEPS, lambda: {"lr": constant(ctx, "SGD_LR")}, "all-ones", "lr=SGD_LR"),
        "momentum": (TENTH_POWERS, torch.optim.SGD, N_STEPS,
                     lambda: {"lr": constant(ctx, "MOMENTUM_LR"), "momentum": constant(ctx, "MOMENTUM")},
                     "0.1^k", "lr=MOMENTUM_LR, momentum=MOMENTUM"),
        "adam": (TENTH_POWERS, torch.optim.Adam, N_STEPS, lambda: {"lr": constant(ctx, "ADAM_LR")}, "0.1^k", "lr=ADAM_LR"),
        "lbfgs": (TENTH_POWERS, torch.optim.LBFGS, N_STEPS, lambda: constant(ctx, "LBFGS_KWARGS"), "0.1^k", "**LBFGS_KWARGS"),
    }
    for name, (w0, opt_cls, steps, settings, start, text) in runs.items():
        key = f"rerun.loss[{name}]"
        with ctx.attempt(key, call=f"fit(x, y, w0={start}, torch.optim.{opt_cls.__name__}, {steps}, {text})"):
            kwargs = settings()
            shown = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
            call = f"fit(x, y, w0={start}, torch.optim.{opt_cls.__name__}, {steps}, {shown}) on the handout's data"
            _, loss = run_fit(ctx, w0, opt_cls, steps, kwargs)
            ctx.record(key, loss, call=call, what="the final MSE")


def lr_search(ctx: ProbeContext) -> None:
    """best_sgd_lr on our grid; then the chosen lr rerun with the student's fit, judged with our loss."""
    x, y = (as_input(ctx, t.numpy()) for t in recipe_data())
    keys = ("search.reported_loss[grid]", "search.rerun_loss[grid]")
    call = f"best_sgd_lr(x, y, lrs={LR_GRID}, steps={N_STEPS}) on the handout's data"
    with ctx.attempt(*keys, call=call):
        result = ctx.get("best_sgd_lr")(x.clone(), y.clone(), list(LR_GRID), N_STEPS)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise ProbeFailure(f"best_sgd_lr(...) returned {type(result).__name__}; expected a pair (lr, final_loss)")
        lr, reported = (float(to_numpy(v, "best_sgd_lr's output")) for v in result)
        ctx.record("search.lr[grid]", lr, call=call, what="the chosen lr")
        ctx.record(keys[0], reported, call=call, what=f"the final loss reported for lr {lr:g}")
        rerun = f"fit(x, y, w0=all-ones, torch.optim.SGD, {N_STEPS}, lr={lr:g}), the lr best_sgd_lr chose from {LR_GRID}"
        with ctx.attempt(keys[1], call=rerun):
            _, loss = run_fit(ctx, ONES, torch.optim.SGD, N_STEPS, {"lr": lr})
            ctx.record(keys[1], loss, call=rerun, what=f"the final MSE after {N_STEPS} steps at the chosen lr")


STEPS = [detect_dtype, data, model_functions, closed_form, closed_form_by_value, hessian, inits, fit_probe_settings, rerun_constants, lr_search]
