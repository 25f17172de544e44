"""Probe for d2l_linreg: call the contract's functions on data generated here, never by the student's code.

Each part is observed apart where the contract allows it: `fit` is given a squared loss of the probe's as
loss_fn (so a broken model.loss costs only its own check), the Planck fit gets data made with the probe's
own formula, and make_planck_data's noise is measured against the student's own planck (the probe's if
that one fails), so a wrong planck costs only the planck check.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

from grader.probe.context import ProbeContext, ProbeFailure
from grader.probe.numeric import as_float64, is_tensor

H, C, K = 6.62607015e-34, 299792458.0, 1.380649e-23
TRUE_W, TRUE_B = [2.0, -3.4], 4.2


def numbers(value: Any, what: str) -> np.ndarray:
    """A tensor, number or list of them as a float64 array; a clear failure for None and the like."""
    if value is None:
        raise ProbeFailure(f"{what} is None")
    if is_tensor(value):
        return as_float64(value)
    if isinstance(value, (list, tuple)):
        return np.array([numbers(v, what) for v in value], dtype=np.float64)
    try:
        return np.array(float(value), dtype=np.float64)
    except (TypeError, ValueError):
        raise ProbeFailure(f"{what} is {type(value).__name__}, not a number or tensor") from None


def tensor(array: np.ndarray, dtype=torch.float32) -> torch.Tensor:
    return torch.tensor(np.asarray(array), dtype=dtype)


def regression_data(ctx: ProbeContext, label: str, n: int = 2000) -> tuple[torch.Tensor, torch.Tensor]:
    """The book's recipe (w = [2, -3.4], b = 4.2, noise 0.01), drawn here: training rows first, then validation."""
    rng = ctx.rng(label)
    X = rng.normal(size=(n, 2))
    y = X @ np.array(TRUE_W).reshape(2, 1) + TRUE_B + 0.01 * rng.normal(size=(n, 1))
    return tensor(X), tensor(y)


def squared_loss(y_hat, y):
    return ((y_hat - y.reshape(y_hat.shape)) ** 2 / 2).mean()


def probe_planck(lam, T):
    return 2 * H * C**2 / lam**5 / torch.expm1(H * C / (lam * K * T))


def new_model(ctx: ProbeContext, num_inputs: int, lr: float, sigma: float | None = 0.01, label: str = "model") -> Any:
    torch.manual_seed(int(ctx.rng("torch-" + label).integers(2**31)))
    cls = ctx.get("LinearRegressionScratch")
    return cls(num_inputs, lr) if sigma is None else cls(num_inputs, lr, sigma=sigma)


def attribute(model: Any, name: str) -> torch.Tensor:
    value = getattr(model, name, None)
    if not isinstance(value, torch.Tensor):
        raise ProbeFailure(f"the model has no tensor attribute {name}")
    return value


def set_parameter(model: Any, name: str, value: torch.Tensor) -> None:
    current = attribute(model, name)
    if tuple(current.shape) != tuple(value.shape):
        raise ProbeFailure(f"model.{name} has shape {tuple(current.shape)}; expected {tuple(value.shape)}")
    with torch.no_grad():
        current.copy_(value)


def validation_loss(model: Any, X: torch.Tensor, y: torch.Tensor) -> np.ndarray:
    """Squared loss / 2 of the model's own forward on the validation half, computed by the probe."""
    half = len(X) // 2
    with torch.no_grad():
        return numbers(squared_loss(model.forward(X[half:]), y[half:]), "the validation loss")


# ---------------------------------------------------------------- base


SYNTHETIC_CASES = {
    "w2": ((2.0, -3.4), 4.2, {}),
    "w3": ((1.0, 0.5, -2.0), -1.0, {"noise": 0.05, "num_train": 1200, "num_val": 800, "seed": 5}),
}


def synthetic(ctx: ProbeContext) -> None:
    function = "make_synthetic"
    for label, (w, b, kwargs) in SYNTHETIC_CASES.items():
        args = ", ".join([f"torch.tensor({list(w)})", str(b)] + [f"{k}={v}" for k, v in kwargs.items()])
        call = f"make_synthetic({args})"
        keys = [f"synthetic.{name}[{label}]" for name in ("X", "y", "fit", "noise", "X_stats")]
        with ctx.attempt(*keys, call=call):
            X, y = ctx.get(function)(torch.tensor(w), b, **kwargs)
            X, y = numbers(X, "X"), numbers(y, "y")
            ctx.record(keys[0], X, call=call, what="X")
            ctx.record(keys[1], y, call=call, what="y")
            if X.ndim != 2 or X.shape[0] != y.size:
                raise ProbeFailure(f"X has shape {X.shape} and y {y.shape}: cannot fit a line through them")
            design = np.hstack([X, np.ones((len(X), 1))])
            coef, *_ = np.linalg.lstsq(design, y.reshape(-1, 1), rcond=None)
            residual = y.reshape(-1, 1) - design @ coef
            ctx.record(keys[2], coef.ravel(), call=call, what="w and b recovered by least squares from your data")
            ctx.record(keys[4], np.array([X.mean(), X.std()]), call=call, what="(mean, standard deviation) of X")
            noise = kwargs.get("noise", 0.01)
            ctx.record(keys[3], np.array(np.std(residual) / noise), call=call,
                       what="the residual standard deviation of that fit divided by noise")
    call = "make_synthetic(w, b, seed=3) twice, and with seed=4"
    with ctx.attempt("synthetic.seeding[0]", call=call):
        make = ctx.get(function)
        w = torch.tensor(TRUE_W)
        first, again, other = (make(w, TRUE_B, seed=s) for s in (3, 3, 4))
        same = all(np.array_equal(numbers(a, "data"), numbers(b, "data")) for a, b in zip(first, again))
        differ = not np.array_equal(numbers(first[0], "X"), numbers(other[0], "X"))
        ctx.record("synthetic.seeding[0]", np.array([float(same), float(differ)]), call=call,
                   what="(same seed gives the same data, another seed other data)")


def model(ctx: ProbeContext) -> None:
    call = "LinearRegressionScratch(3, 0.03)"
    with ctx.attempt("model.init.shapes[i3]", "model.init.b[i3]", call=call):
        m = new_model(ctx, 3, 0.03, sigma=None)
        params = list(m.parameters())
        shapes = [float(d) for p in params for d in (len(p.shape), *p.shape)]
        ctx.record("model.init.shapes[i3]", np.array(shapes), call=call + ".parameters()",
                   what="(ndim, shape) of each parameter, in order")
        ctx.record("model.init.b[i3]", numbers(attribute(m, "b"), "b"), call=call, what="b")
    rng = ctx.rng("model-values")
    w, b = tensor(rng.normal(size=(3, 1))), tensor(rng.normal(size=1))
    X = tensor(rng.normal(size=(5, 3)))
    call = "LinearRegressionScratch(3, 0.03) with w, b set by the grader, forward(X of shape (5, 3))"
    with ctx.attempt("model.forward[b5]", call=call):
        m = new_model(ctx, 3, 0.03)
        set_parameter(m, "w", w)
        set_parameter(m, "b", b)
        with torch.no_grad():
            ctx.record("model.forward[b5]", numbers(m.forward(X), "the output"), call=call, what="the output")
    y_hat = tensor(rng.normal(size=(6, 1)))
    y = tensor(rng.normal(size=6))
    for label, target in (("y2d", y.reshape(6, 1)), ("y1d", y)):
        call = f"model.loss(y_hat of shape (6, 1), y of shape {tuple(target.shape)})"
        with ctx.attempt(f"model.loss[{label}]", call=call):
            m = new_model(ctx, 1, 0.03)
            ctx.record(f"model.loss[{label}]", numbers(m.loss(y_hat.clone(), target.clone()), "the loss"), call=call, what="the loss")


def fit(ctx: ProbeContext) -> None:
    X, y = regression_data(ctx, "fit-data")
    runs = {"sigma0.01": (0.01, {}), "sigma0": (0.0, {}), "e2": (0.01, {"epochs": 2, "batch_size": 50})}
    for label, (sigma, kwargs) in runs.items():
        extra = "".join(f", {k}={v}" for k, v in kwargs.items())
        call = f"fit(LinearRegressionScratch(2, 0.03, sigma={sigma}), X, y{extra}, loss_fn=squared loss) on 1000 + 1000 rows"
        with ctx.attempt(f"fit.val_loss[{label}]", f"fit.losses[{label}]", call=call):
            m = new_model(ctx, 2, 0.03, sigma=sigma, label=label)
            losses = ctx.get("fit")(m, X, y, loss_fn=squared_loss, **kwargs)
            ctx.record(f"fit.val_loss[{label}]", validation_loss(m, X, y), call=call,
                       what="the validation loss of the trained model")
            ctx.record(f"fit.losses[{label}]", numbers(losses, "the returned losses").ravel(), call=call,
                       what="the returned per-epoch validation losses")


# ---------------------------------------------------------------- exercise 1


def init_scale(ctx: ProbeContext) -> None:
    sigma = 3.0
    call = f"LinearRegressionScratch(20000, 0.03, sigma={sigma})"
    with ctx.attempt("init.sigma[s3]", call=call):
        w = numbers(attribute(new_model(ctx, 20000, 0.03, sigma=sigma, label="init"), "w"), "w")
        ctx.record("init.sigma[s3]", np.array([w.mean() / sigma, w.std() / sigma]), call=call,
                   what="(mean, standard deviation) of w divided by sigma")
    call = "LinearRegressionScratch(2, 0.03, sigma=0)"
    with ctx.attempt("init.zero_w[0]", call=call):
        w = numbers(attribute(new_model(ctx, 2, 0.03, sigma=0.0, label="zero"), "w"), "w")
        ctx.record("init.zero_w[0]", np.array(np.abs(w).max()), call=call, what="the largest |w|")


# ---------------------------------------------------------------- exercises 2 and 3


def ohm(ctx: ProbeContext) -> None:
    rng = ctx.rng("ohm")
    I = rng.uniform(0, 2, size=200)
    V = 4.7 * I + 0.05 * rng.normal(size=200)
    call = "fit_ohm(I, V) with 200 points, I ~ U(0, 2) A, V = 4.7 I + 0.05 N(0, 1)"
    with ctx.attempt("ohm.R[0]", call=call):
        ctx.record("ohm.R[0]", numbers(ctx.get("fit_ohm")(tensor(I), tensor(V)), "R_hat"), call=call, what="R_hat")


def planck(ctx: ProbeContext) -> None:
    lam = torch.linspace(300e-9, 2000e-9, 50, dtype=torch.float64)
    for T in (3000.0, 5000.0, 8000.0):
        call = f"planck(lam, {T:g}) for 50 wavelengths from 300 nm to 2000 nm"
        with ctx.attempt(f"planck.B[T{T:g}]", call=call):
            ctx.record(f"planck.B[T{T:g}]", numbers(ctx.get("planck")(lam.clone(), T), "B"), call=call, what="B")


def planck_data(ctx: ProbeContext) -> None:
    T = 5000.0
    call = f"make_planck_data({T:g}, noise=0.0)"
    keys = ["planck_data.lam[0]", "planck_data.clean_ratio[0]"]
    with ctx.attempt(*keys, call=call):
        lam, B = ctx.get("make_planck_data")(T, noise=0.0)
        ctx.record(keys[0], numbers(lam, "lam"), call=call, what="lam")
        ctx.record(keys[1], numbers(B, "B") / _own_planck(ctx, lam, T), call=call, what="B divided by planck(lam, T)")
    seeds = range(10, 15)
    for noise in (0.01, 0.05):
        call = f"make_planck_data({T:g}, noise={noise}, seed=s) for s = {seeds.start}..{seeds.stop - 1}"
        key = f"planck_data.noise[n{noise:g}]"
        with ctx.attempt(key, call=call):
            relative = []
            for seed in seeds:
                lam, B = ctx.get("make_planck_data")(T, noise=noise, seed=seed)
                relative.append(numbers(B, "B") / _own_planck(ctx, lam, T) - 1)
            spread = np.mean([r.std() for r in relative]) / noise
            ctx.record(key, np.array(spread), call=call,
                       what="the standard deviation over the wavelengths of B / planck(lam, T) - 1, divided by noise")


def _own_planck(ctx: ProbeContext, lam, T: float) -> np.ndarray:
    """The student's planck when it gives finite numbers of the right shape, else the probe's formula."""
    lam = torch.as_tensor(lam, dtype=torch.float64)
    try:
        B = numbers(ctx.get("planck")(lam.clone(), T), "B")
        if B.shape == tuple(lam.shape) and np.all(np.isfinite(B)) and np.all(B > 0):
            return B
    except Exception:
        pass
    return numbers(probe_planck(lam, T), "B")


def fit_temperature(ctx: ProbeContext) -> None:
    rng = ctx.rng("planck-fit")
    lam = torch.linspace(300e-9, 2000e-9, 200, dtype=torch.float64)
    B = probe_planck(lam, 5000.0) * (1 + 0.01 * torch.tensor(rng.normal(size=200), dtype=torch.float64))
    call = "fit_temperature(lam, B, T0=3000.0) on 200 points of planck(lam, 5000) with 1 % noise per point"
    with ctx.attempt("planck.T_hat[0]", call=call):
        ctx.record("planck.T_hat[0]", numbers(ctx.get("fit_temperature")(lam, B, T0=3000.0), "T_hat"), call=call, what="T_hat")


# ---------------------------------------------------------------- exercises 4, 7 and 8


SECOND_DERIVATIVE_CASES = {
    "sin": ("torch.sin", torch.sin),
    "cube": ("lambda x: x**3", lambda x: x**3),
    "tanh": ("torch.tanh", torch.tanh),
}


def second_derivative(ctx: ProbeContext) -> None:
    x = torch.tensor(ctx.rng("d2").uniform(-3, 3, size=9), dtype=torch.float64)
    for label, (text, f) in SECOND_DERIVATIVE_CASES.items():
        call = f"second_derivative({text}, x of shape (9,))"
        with ctx.attempt(f"d2.value[{label}]", call=call):
            ctx.record(f"d2.value[{label}]", numbers(ctx.get("second_derivative")(f, x.clone()), "the result").ravel(),
                       call=call, what="f''(x)")


BATCH_CASES = [(1000, 32), (64, 32), (10, 32), (100, 7), (33, 32)]


def last_batch(ctx: ProbeContext) -> None:
    cases = ", ".join(f"({n}, {b})" for n, b in BATCH_CASES)
    for key, drop_last in (("batch.last[0]", False), ("batch.last_drop[0]", True)):
        call = f"last_batch_size(n, batch_size, drop_last={drop_last}) for (n, batch_size) in {cases}"
        with ctx.attempt(key, call=call):
            f = ctx.get("last_batch_size")
            ctx.record(key, np.array([numbers(f(n, b, drop_last=drop_last), "the size") for n, b in BATCH_CASES]).ravel(),
                       call=call, what="the sizes")


def losses(ctx: ProbeContext) -> None:
    rng = ctx.rng("losses")
    y_hat = tensor(rng.normal(scale=2.0, size=(20, 1)))
    y = tensor(rng.normal(scale=2.0, size=20))
    targets = {"y2d": y.reshape(20, 1), "y1d": y}
    for label, target in targets.items():
        shape = tuple(target.shape)
        call = f"abs_loss(y_hat of shape (20, 1), y of shape {shape})"
        with ctx.attempt(f"abs.value[{label}]", call=call):
            ctx.record(f"abs.value[{label}]", numbers(ctx.get("abs_loss")(y_hat.clone(), target.clone()), "the loss"),
                       call=call, what="the loss")
        for name, kwargs in (("default", {}), ("d1", {"delta": 1.0}), ("d2", {"delta": 2.0})):
            args = "".join(f", delta={v:g}" for v in kwargs.values())
            call = f"huber_loss(y_hat of shape (20, 1), y of shape {shape}{args})"
            with ctx.attempt(f"huber.{name}[{label}]", call=call):
                value = ctx.get("huber_loss")(y_hat.clone(), target.clone(), **kwargs)
                ctx.record(f"huber.{name}[{label}]", numbers(value, "the loss"), call=call, what="the loss")


def outlier(ctx: ProbeContext) -> None:
    X, y = regression_data(ctx, "outlier-data")
    y[5] = 10000.0
    call = ("fit(LinearRegressionScratch(2, 0.03) with w = 0 and b = 0, X, y, epochs=10, loss_fn=huber_loss) "
            "on the base data with y[5] = 10000")
    with ctx.attempt("outlier.params[0]", call=call):
        m = new_model(ctx, 2, 0.03, label="outlier")
        # The same start for everyone, so only the loss and fit decide where the fit ends.
        with torch.no_grad():
            attribute(m, "w").zero_()
            attribute(m, "b").zero_()
        ctx.get("fit")(m, X, y, epochs=10, loss_fn=ctx.get("huber_loss"))
        params = np.concatenate([numbers(attribute(m, "w"), "w").ravel(), numbers(attribute(m, "b"), "b").ravel()])
        ctx.record("outlier.params[0]", params, call=call, what="(w, b) after training")


STEPS = [synthetic, model, fit, init_scale, ohm, planck, planck_data, fit_temperature, second_derivative,
         last_batch, losses, outlier]
