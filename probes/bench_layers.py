"""Probe for bench_layers: observe NPLinear, NPMSELoss and NPReLU as the benchmark's six tests describe them.

One probe step per rubric check, so a slow or broken method costs only the checks that call it.
Everything judged is recorded raw (outputs, gradients, finite differences of the student's own forward,
parameters scaled by sqrt(fan_in)); two structural preconditions of the init check (W of shape (out, in),
W not constant) are recorded as failures here, as numpy_nn's layout detection does.

A forward or backward that does not return within the step's time limit is not called again in later
steps: they record that instead of waiting out their own limit (one hanging forward costs one step
limit, not three).
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

import numpy as np

from grader.probe.channel import StudentError
from grader.probe.context import ProbeContext, ProbeFailure
from grader.probe.limits import StepTimeout
from grader.probe.numeric import as_float64, central_differences_in_place

FORWARD_CASE = (5, 4, 3)  # (batch, in, out)
GRAD_CASE = (5, 4, 3)
INIT_CASES = [(4, 3), (100, 7), (2, 9)]  # (in, out)
MSE_CASE = (6, 3)
EPS = 1e-6
HUNG = "hung"


def _call(ctx: ProbeContext, what: str, function, *args: Any) -> Any:
    """Call student code; one that hit the step's time limit before is not called again."""
    if what in ctx.state.get(HUNG, ()):
        raise ProbeFailure(f"{what} did not return in an earlier step (time limit), so it was not called again")
    try:
        return function(*args)
    except StepTimeout:
        ctx.state.setdefault(HUNG, set()).add(what)
        ctx.state["timed_out"] = what
        raise


@contextmanager
def _attempt(ctx: ProbeContext, *keys: str, **meta: Any) -> Iterator[None]:
    """ctx.attempt, and on the step's time limit a timeout record for every key (the step then ends)."""
    with ctx.attempt(*keys, **meta):
        try:
            yield
        except StepTimeout:
            what = ctx.state.pop("timed_out", "the code")
            error = StudentError("Timeout", f"{what} did not return within the time limit of a probe step", timeout=True)
            for key in keys:
                ctx.writer.record_error(key, error, meta)
            raise


def _float(value: Any, what: str) -> np.ndarray:
    if value is None:
        raise ProbeFailure(f"{what} is None")
    return as_float64(value)


def _attribute(obj: Any, name: str) -> np.ndarray:
    return _float(getattr(obj, name, None), f"the layer's {name}")


def _case(ctx: ProbeContext, label: str, batch: int, n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray]:
    rng = ctx.rng(label)
    return rng.normal(size=(batch, n_in)), rng.normal(size=(batch, n_out))


def linear_forward_shape(ctx: ProbeContext) -> None:
    batch, n_in, n_out = FORWARD_CASE
    key = f"linear.forward.y[b{batch}_i{n_in}_o{n_out}]"
    call = f"NPLinear({n_in}, {n_out}).forward(x of shape ({batch}, {n_in}))"
    with _attempt(ctx, key, call=call, what="the output"):
        layer = _layer(ctx, n_in, n_out)
        x, _ = _case(ctx, "forward", batch, n_in, n_out)
        y = _call(ctx, "NPLinear.forward", layer.forward, x)
        ctx.record(key, _float(y, "the output"), call=call, what="the output")


def _objective(ctx: ProbeContext, layer: Any, x: np.ndarray, g: np.ndarray) -> float:
    out = np.asarray(_call(ctx, "NPLinear.forward", layer.forward, x.copy()), dtype=np.float64)
    if out.shape != g.shape:
        raise ProbeFailure(f"forward returned shape {out.shape}; finite differences need {g.shape}")
    return float(np.sum(out * g))


def _differences(ctx: ProbeContext, layer: Any, target: np.ndarray, x: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Central differences of sum(forward(x) * g), perturbing `target` (the student's own array) in place."""
    return central_differences_in_place(lambda: _objective(ctx, layer, x, g), target, EPS)


def _layer(ctx: ProbeContext, n_in: int, n_out: int) -> Any:
    return ctx.get("NPLinear")(n_in, n_out)


def linear_param_grads(ctx: ProbeContext) -> None:
    batch, n_in, n_out = GRAD_CASE
    t = f"[b{batch}_i{n_in}_o{n_out}]"
    call = f"NPLinear({n_in}, {n_out}).backward(grad_out of shape ({batch}, {n_out}))"
    x, g = _case(ctx, "param-grads", batch, n_in, n_out)
    keys = [f"linear.backward.W_grad{t}", f"linear.backward.b_grad{t}"]
    layer = None
    with _attempt(ctx, *keys, call=call):
        layer = _layer(ctx, n_in, n_out)
        _call(ctx, "NPLinear.forward", layer.forward, x.copy())
        _call(ctx, "NPLinear.backward", layer.backward, g.copy())
        ctx.record(keys[0], _attribute(layer, "W_grad"), call=call, what="W_grad")
        ctx.record(keys[1], _attribute(layer, "b_grad"), call=call, what="b_grad")
    # A separate attempt on the same layer: finite differences can fail (e.g. forward has the wrong shape)
    # without erasing what backward itself was seen to do.
    numerical = [f"linear.numerical.W_grad{t}", f"linear.numerical.b_grad{t}"]
    with _attempt(ctx, *numerical, call=f"finite differences of NPLinear({n_in}, {n_out}).forward"):
        layer = layer if layer is not None else _layer(ctx, n_in, n_out)
        for key, name in zip(numerical, ("W", "b")):
            target = getattr(layer, name, None)
            if not isinstance(target, np.ndarray) or target.dtype.kind != "f":
                raise ProbeFailure(f"the layer's {name} is not a float array")
            ctx.record(key, _differences(ctx, layer, target, x, g), call=call, what=f"finite differences for {name}_grad")


def linear_input_grad(ctx: ProbeContext) -> None:
    batch, n_in, n_out = GRAD_CASE
    t = f"[b{batch}_i{n_in}_o{n_out}]"
    call = f"NPLinear({n_in}, {n_out}).backward(grad_out of shape ({batch}, {n_out}))"
    x, g = _case(ctx, "input-grad", batch, n_in, n_out)
    key = f"linear.backward.dx{t}"
    layer = None
    with _attempt(ctx, key, call=call):
        layer = _layer(ctx, n_in, n_out)
        _call(ctx, "NPLinear.forward", layer.forward, x.copy())
        dx = _call(ctx, "NPLinear.backward", layer.backward, g.copy())
        if dx is None:
            raise ProbeFailure("backward returned None instead of the gradient with respect to its input")
        ctx.record(key, _float(dx, "the returned input gradient"), call=call, what="the returned input gradient")
    with _attempt(ctx, f"linear.numerical.dx{t}", call=f"finite differences of NPLinear({n_in}, {n_out}).forward"):
        layer = layer if layer is not None else _layer(ctx, n_in, n_out)
        ctx.record(f"linear.numerical.dx{t}", _differences(ctx, layer, x, x, g), call=call, what="finite differences for dx")


def mse(ctx: ProbeContext) -> None:
    batch, channels = MSE_CASE
    t = f"[b{batch}_c{channels}]"
    rng = ctx.rng("mse")
    pred, target = rng.normal(size=(batch, channels)), rng.normal(size=(batch, channels))
    call = f"NPMSELoss().forward(pred, target) with shape ({batch}, {channels})"
    with _attempt(ctx, f"mse.value{t}", f"mse.grad{t}", call=call):
        loss = ctx.get("NPMSELoss")()
        value = _call(ctx, "NPMSELoss.forward", loss.forward, pred.copy(), target.copy())
        ctx.record(f"mse.value{t}", _float(value, "the loss"), call=call, what="the loss")
        grad = _call(ctx, "NPMSELoss.backward", loss.backward)
        ctx.record(f"mse.grad{t}", _float(grad, "the gradient"), call="NPMSELoss().backward() after that forward", what="the gradient")


def relu(ctx: ProbeContext) -> None:
    x = np.array([[-2.0, -0.5, 0.5, 3.0], [1.0, -1.0, 2.0, -3.0]])  # no exact zeros
    g = np.arange(1.0, 9.0).reshape(2, 4)
    t = "[b2_c4]"
    call = "NPReLU().forward(x of shape (2, 4))"
    with _attempt(ctx, f"relu.forward.y{t}", f"relu.backward.dx{t}", call=call):
        layer = ctx.get("NPReLU")()
        y = _call(ctx, "NPReLU.forward", layer.forward, x.copy())
        ctx.record(f"relu.forward.y{t}", _float(y, "the output"), call=call, what="the output")
        dx = _call(ctx, "NPReLU.backward", layer.backward, g.copy())
        ctx.record(f"relu.backward.dx{t}", _float(dx, "the gradient"), call="NPReLU().backward(grad_out of shape (2, 4))", what="the gradient")


def linear_init(ctx: ProbeContext) -> None:
    for n_in, n_out in INIT_CASES:
        t = f"[i{n_in}_o{n_out}]"
        keys = [f"linear.init.W_scaled{t}", f"linear.init.b_scaled{t}"]
        call = f"NPLinear({n_in}, {n_out})"
        with _attempt(ctx, *keys, call=call):
            layer = ctx.get("NPLinear")(n_in, n_out)
            W, b = _attribute(layer, "W"), _attribute(layer, "b")
            if W.shape != (n_out, n_in):
                raise ProbeFailure(f"W has shape {W.shape}; it must have shape (out, in) = {(n_out, n_in)}")
            if b.shape != (n_out,):
                raise ProbeFailure(f"b has shape {b.shape}; it must have shape (out,) = {(n_out,)}")
            if W.size > 1 and float(W.max()) == float(W.min()):
                raise ProbeFailure("every entry of W is the same: W must be initialised randomly")
            scale = float(np.sqrt(n_in))  # the bound 1/sqrt(in) becomes 1
            ctx.record(keys[0], W * scale, call=call, what="W * sqrt(in_features)")
            ctx.record(keys[1], b * scale, call=call, what="b * sqrt(in_features)")


STEPS = [linear_forward_shape, linear_param_grads, linear_input_grad, mse, relu, linear_init]
