"""Probe for torch_regression: call the contract's functions and modules on inputs chosen here.

Every step builds its own data (the tutorial's recipe, plus a second x of another length so that nothing
may assume n = 10) and its own tensors, so each W starts with grad None as in a fresh process. Parts are
observed apart: `train` is run on a line module defined here, and PolyFit is trained by the contract's own
loop, so a broken LineFitting does not cost the train points and a broken train does not cost PolyFit's.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn, optim

from grader.probe.context import ProbeContext, ProbeFailure
from grader.probe.numeric import as_float64, is_tensor

ERR_W = {"w0": (0.0, 0.0), "w1": (1.5, 2.0), "w2": (-1.0, 0.5)}
LINE_W = (1.5, -0.5)
POLY_DEGREE, POLY_LR, POLY_EPOCHS = 5, 0.05, 4000  # calibrated in reference/torch_regression.py


def tutorial_data() -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.linspace(0, 1, 10)
    return x, 3 * x + torch.sin(6 * x) + 1


def other_data(ctx: ProbeContext) -> tuple[torch.Tensor, torch.Tensor]:
    """Seven points in another order and range: catches a hard-coded n or a global x."""
    x = torch.tensor(ctx.rng("other-x").uniform(-1, 2, size=7), dtype=torch.float32)
    return x, 3 * x + torch.sin(6 * x) + 1


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


def fresh_W(values=(0.0, 0.0)) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float32, requires_grad=True)


def parameter_W(module: Any, what: str) -> torch.Tensor:
    W = getattr(module, "W", None)
    if not isinstance(W, torch.Tensor):
        raise ProbeFailure(f"{what} has no tensor attribute W")
    return W


def set_W(module: Any, values: torch.Tensor, what: str) -> None:
    W = parameter_W(module, what)
    if tuple(W.shape) != tuple(values.shape):
        raise ProbeFailure(f"{what}.W has shape {tuple(W.shape)}; expected {tuple(values.shape)}")
    with torch.no_grad():
        W.copy_(values)


# ---------------------------------------------------------------- data and err


def data(ctx: ProbeContext) -> None:
    with ctx.attempt("data.x", "data.y", call="make_data()"):
        x, y = ctx.get("make_data")()
        ctx.record("data.x", numbers(x, "x"), call="make_data()", what="x")
        ctx.record("data.y", numbers(y, "y_true"), call="make_data()", what="y_true")


def err_values(ctx: ProbeContext) -> None:
    cases = [(label, W, tutorial_data()) for label, W in ERR_W.items()] + [("w1_n7", ERR_W["w1"], other_data(ctx))]
    for label, W, (x, y) in cases:
        call = f"err(W = {W}, x, y_true) with {len(x)} points"
        with ctx.attempt(f"err.value[{label}]", f"err.grad[{label}]", call=call):
            W_tensor = fresh_W(W)
            e = ctx.get("err")(W_tensor, x, y)
            ctx.record(f"err.value[{label}]", numbers(e, "err"), call=call, what="err")
            with ctx.attempt(f"err.grad[{label}]", call=call + ".backward()"):
                if not isinstance(e, torch.Tensor) or not e.requires_grad:
                    raise ProbeFailure("err did not return a tensor connected to W, so backward() cannot give a gradient")
                e.backward()
                ctx.record(f"err.grad[{label}]", numbers(W_tensor.grad, "W.grad after err(...).backward()"),
                           call=call + ".backward()", what="W.grad")


# ---------------------------------------------------------------- update_step and fit_manual


def update_step(ctx: ProbeContext) -> None:
    x, y = tutorial_data()
    call = "update_step(W, x, y_true) twice, from W = (0, 0) with W.grad = (0, 0)"
    keys = [f"update.{what}[s{step}]" for step in (1, 2) for what in ("err", "W")]
    with ctx.attempt(*keys, call=call):
        W = fresh_W()
        W.grad = torch.zeros(2)
        for step in (1, 2):
            e = ctx.get("update_step")(W, x, y)
            ctx.record(f"update.err[s{step}]", numbers(e, "the returned err"), call=call, what=f"the err returned by call {step}")
            ctx.record(f"update.W[s{step}]", numbers(W, "W"), call=call, what=f"W after call {step}")
    call = "update_step(W, x, y_true, epsilon=0.1), from W = (1, 1) with W.grad = (0, 0)"
    with ctx.attempt("update.err[eps]", "update.W[eps]", call=call):
        W = fresh_W((1.0, 1.0))
        W.grad = torch.zeros(2)
        e = ctx.get("update_step")(W, x, y, epsilon=0.1)
        ctx.record("update.err[eps]", numbers(e, "the returned err"), call=call, what="the returned err")
        ctx.record("update.W[eps]", numbers(W, "W"), call=call, what="W after the call")
    # An old gradient left in W.grad: update_step must reset it before backward, not after the update.
    call = "update_step(W, x, y_true) from W = (0, 0) holding an old W.grad = (5, -3)"
    with ctx.attempt("update.stale_W[s1]", call=call):
        W = fresh_W()
        W.grad = torch.tensor([5.0, -3.0])
        ctx.get("update_step")(W, x, y)
        ctx.record("update.stale_W[s1]", numbers(W, "W"), call=call, what="W after the call")
    call = "update_step(W, x, y_true) on a new W = (0, 0) whose W.grad is None"
    with ctx.attempt("update.fresh_err[s1]", "update.fresh_W[s1]", call=call):
        W = fresh_W()
        e = ctx.get("update_step")(W, x, y)
        ctx.record("update.fresh_err[s1]", numbers(e, "the returned err"), call=call, what="the returned err")
        ctx.record("update.fresh_W[s1]", numbers(W, "W"), call=call, what="W after the call")


def fit_manual(ctx: ProbeContext) -> None:
    x, y = tutorial_data()
    for steps, epsilon in ((2000, 0.01), (5, 0.1)):
        label = f"s{steps}"
        call = f"fit_manual(x, y_true, steps={steps}, epsilon={epsilon})"
        with ctx.attempt(f"fit_manual.W[{label}]", f"fit_manual.errs[{label}]", call=call):
            result = ctx.get("fit_manual")(x, y, steps=steps, epsilon=epsilon)
            if not isinstance(result, (tuple, list)) or len(result) != 2:
                raise ProbeFailure("fit_manual should return the pair (W, errs)")
            W, errs = result
            ctx.record(f"fit_manual.W[{label}]", numbers(W, "W"), call=call, what="the returned W")
            ctx.record(f"fit_manual.errs[{label}]", numbers(errs, "errs").ravel(), call=call, what="the returned errs")


# ---------------------------------------------------------------- LineFitting


def line_fitting(ctx: ProbeContext) -> None:
    call = "LineFitting()"
    with ctx.attempt("line.init.W[0]", "line.init.parameters[0]", call=call):
        model = ctx.get("LineFitting")()
        ctx.record("line.init.W[0]", numbers(parameter_W(model, call), "W"), call=call, what="W of a new model")
        count = sum(p.numel() for p in model.parameters())
        ctx.record("line.init.parameters[0]", np.array(float(count)), call=call + ".parameters()",
                   what="the number of trainable entries")
    inputs = {"n10": tutorial_data()[0], "b2x3": torch.tensor(ctx.rng("line-x").normal(size=(2, 3)), dtype=torch.float32)}
    for label, x in inputs.items():
        call = f"LineFitting() with W = {LINE_W}, forward(x of shape {tuple(x.shape)})"
        with ctx.attempt(f"line.forward[{label}]", call=call):
            model = ctx.get("LineFitting")()
            set_W(model, torch.tensor(LINE_W), "LineFitting()")
            with torch.no_grad():
                out = model(x.clone())
            ctx.record(f"line.forward[{label}]", numbers(out, "the output"), call=call, what="the output")


# ---------------------------------------------------------------- train


class ProbeLine(nn.Module):
    """The tutorial's line model, defined here so that train is judged on its own."""

    def __init__(self):
        super().__init__()
        self.W = nn.Parameter(torch.zeros(2))

    def forward(self, x):
        return self.W[0] * x + self.W[1]


TRAIN_CASES = {
    "sgd10": (optim.SGD, 0.1, 10),
    "adam20": (optim.Adam, 0.05, 20),
    "sgd5": (optim.SGD, 0.1, 5),
    "sgd1": (optim.SGD, 0.1, 1),
}


def train(ctx: ProbeContext) -> None:
    x, y = tutorial_data()
    for label, (opt, lr, epochs) in TRAIN_CASES.items():
        call = f"train(x, y_true, a line model, nn.MSELoss, optim.{opt.__name__}, {lr}, {epochs})"
        with ctx.attempt(f"train.losses[{label}]", f"train.W[{label}]", call=call):
            model = ProbeLine()
            losses = ctx.get("train")(x, y, model, nn.MSELoss, opt, lr, epochs)
            ctx.record(f"train.W[{label}]", numbers(model.W, "W"), call=call, what="the model's W after training")
            ctx.record(f"train.losses[{label}]", numbers(losses, "the returned losses").ravel(), call=call,
                       what="the returned per-epoch losses")


# ---------------------------------------------------------------- PolyFit


def poly_fit(ctx: ProbeContext) -> None:
    for degree in (5, 3):
        call = f"PolyFit({degree})"
        with ctx.attempt(f"poly.init.W[d{degree}]", f"poly.init.parameters[d{degree}]", call=call):
            model = ctx.get("PolyFit")(degree)
            ctx.record(f"poly.init.W[d{degree}]", numbers(parameter_W(model, call), "W"), call=call, what="W of a new model")
            count = sum(p.numel() for p in model.parameters())
            ctx.record(f"poly.init.parameters[d{degree}]", np.array(float(count)), call=call + ".parameters()",
                       what="the number of trainable entries")
    for degree, (label, x) in ((5, ("n10", tutorial_data()[0])), (3, ("n7", other_data(ctx)[0]))):
        W = torch.tensor(ctx.rng(f"poly-W{degree}").normal(size=degree), dtype=torch.float32)
        call = f"PolyFit({degree}) with W = {np.round(W.numpy(), 3).tolist()}, forward(x of shape {tuple(x.shape)})"
        with ctx.attempt(f"poly.forward[d{degree}_{label}]", call=call):
            model = ctx.get("PolyFit")(degree)
            set_W(model, W, f"PolyFit({degree})")
            with torch.no_grad():
                out = model(x.clone())
            ctx.record(f"poly.forward[d{degree}_{label}]", numbers(out, "the output"), call=call, what="the output")


def poly_training(ctx: ProbeContext) -> None:
    x, y = tutorial_data()
    call = f"PolyFit({POLY_DEGREE}) trained with MSELoss and SGD (lr {POLY_LR}) for {POLY_EPOCHS} full-batch epochs"
    with ctx.attempt("poly.fit.mse[0]", call=call):
        model = ctx.get("PolyFit")(POLY_DEGREE)
        params = list(model.parameters())
        if not params:
            raise ProbeFailure(f"PolyFit({POLY_DEGREE}).parameters() is empty: make W an nn.Parameter")
        loss_fn, opt = nn.MSELoss(), optim.SGD(params, lr=POLY_LR)
        with torch.no_grad():
            before = numbers(model(x), "the predictions")
        for _ in range(POLY_EPOCHS):
            opt.zero_grad()
            out = model(x)
            loss = loss_fn(out, y.to(out.dtype))
            loss.backward()
            opt.step()
        with torch.no_grad():
            out = model(x)
            mse = loss_fn(out, y.to(out.dtype))
        ctx.record("poly.fit.mse[0]", numbers(mse, "the MSE"), call=call, what="the MSE after training")
        # predictions that training does not move do not come from the trained parameters
        ctx.record("poly.fit.change[0]", numbers(out, "the predictions") - before, call=call,
                   what="the changes of the predictions through training")


STEPS = [data, err_values, update_step, fit_manual, line_fitting, train, poly_fit, poly_training]
