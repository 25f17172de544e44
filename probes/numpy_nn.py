"""Probe for numpy_nn: observe NPLinear, NPMSELoss, NPReLU and NPModel through the handout's API only.

Weights may be stored (out, in) or (in, out); the layout is detected once from NPLinear(3, 5) and every
recorded weight or weight gradient is normalised to (out, in), so either layout compares equal to the
reference. Parameters are written into the student's own arrays, so probes work whatever else a class keeps.
"""
from __future__ import annotations

import copy
import inspect
from typing import Any

import numpy as np

from grader.probe.context import ProbeContext, ProbeFailure
from grader.probe.numeric import as_float64, central_differences, float_kind, smooth_central_difference

# (batch, in, out): batch 1, in != out both ways, and a square layer
LINEAR_CASES = [(1, 3, 5), (4, 5, 3), (6, 20, 10), (3, 4, 4)]
# (in, out, how many layers): pooled for the initialisation tests; in != out so fan_in/fan_out differ
INIT_CASES = [(1, 64, 50), (16, 8, 50), (100, 10, 20)]
MSE_CASES = [(4, 1), (5, 3)]
MODEL_BATCHES = [1, 5]
GD_LR = 0.1


def tag(*numbers: int, names: str = "bio") -> str:
    return "[" + "_".join(f"{n}{v}" for n, v in zip(names, numbers)) + "]"


# ---------------------------------------------------------------- parameter access


def set_param(obj: Any, name: str, value: np.ndarray) -> None:
    """Write `value` into obj.<name>, in place when possible so views and properties stay consistent."""
    current = getattr(obj, name, None)
    if isinstance(current, np.ndarray) and current.shape == value.shape and current.flags.writeable:
        current[...] = value
        if np.allclose(getattr(obj, name), value, rtol=1e-5, atol=1e-6):
            return
    dtype = current.dtype if isinstance(current, np.ndarray) and current.dtype.kind == "f" else np.float64
    setattr(obj, name, np.array(value, dtype=dtype))


def get_array(obj: Any, name: str, what: str) -> np.ndarray:
    value = getattr(obj, name, None)
    if value is None:
        raise ProbeFailure(f"{what} has no attribute {name} (or it is None)")
    return as_float64(value)


def to_canonical(weight: np.ndarray, layout: str) -> np.ndarray:
    return weight.T if layout == "in_out" and weight.ndim == 2 else weight


def from_canonical(weight: np.ndarray, layout: str) -> np.ndarray:
    return weight.T if layout == "in_out" else weight


def layer_with(ctx: ProbeContext, n_in: int, n_out: int, W: np.ndarray, b: np.ndarray) -> Any:
    layer = ctx.get("NPLinear")(n_in, n_out)
    set_param(layer, "W", from_canonical(W, ctx.state["layout"]))
    set_param(layer, "b", b)
    return layer


# ---------------------------------------------------------------- NPLinear


def linear_layout(ctx: ProbeContext) -> None:
    """Detect how the student stores W, from a layer with in != out."""
    with ctx.attempt("linear.layout", call="NPLinear(3, 5)"):
        layer = ctx.get("NPLinear")(3, 5)
        shape = np.shape(getattr(layer, "W", None))
        layouts = {(5, 3): "out_in", (3, 5): "in_out"}
        if shape not in layouts:
            raise ProbeFailure(f"NPLinear(3, 5).W has shape {shape}; expected (5, 3) (or (3, 5) if stored as (in, out))")
        ctx.state["layout"] = layouts[shape]
        ctx.record("linear.layout", layouts[shape])


def _linear_case(ctx: ProbeContext, batch: int, n_in: int, n_out: int):
    rng = ctx.rng(f"linear{batch}-{n_in}-{n_out}")
    W = rng.normal(size=(n_out, n_in))
    b = rng.normal(size=n_out)
    x = rng.normal(size=(batch, n_in))
    g = rng.normal(size=(batch, n_out))
    return W, b, x, g


def _needs_layout(ctx: ProbeContext) -> None:
    if "layout" not in ctx.state:
        raise ProbeFailure("NPLinear(3, 5) could not be created or its W has an unexpected shape")


def linear_forward(ctx: ProbeContext) -> None:
    for batch, n_in, n_out in LINEAR_CASES:
        key = "linear.forward.y" + tag(batch, n_in, n_out)
        call = f"NPLinear({n_in}, {n_out}).forward(x of shape ({batch}, {n_in}))"
        with ctx.attempt(key, call=call, what="the output"):
            _needs_layout(ctx)
            W, b, x, _ = _linear_case(ctx, batch, n_in, n_out)
            y = layer_with(ctx, n_in, n_out, W, b).forward(x.copy())
            ctx.record(key, y, call=call, what="the output", dtype=float_kind(y))


def linear_backward(ctx: ProbeContext) -> None:
    for batch, n_in, n_out in LINEAR_CASES:
        t = tag(batch, n_in, n_out)
        call = f"NPLinear({n_in}, {n_out}).backward(grad_out of shape ({batch}, {n_out}))"
        observed = [f"linear.backward.{name}{t}" for name in ("W_grad", "b_grad", "dx")]
        with ctx.attempt(*observed, call=call):
            _needs_layout(ctx)
            _observe_linear_backward(ctx, batch, n_in, n_out, t, call)
        # A separate attempt: finite differences can fail (e.g. forward has the wrong shape) without
        # erasing what backward itself was seen to do.
        numerical = [f"linear.numerical.{name}{t}" for name in ("W_grad", "b_grad", "dx")]
        with ctx.attempt(*numerical, call=f"finite differences of NPLinear({n_in}, {n_out}).forward"):
            _needs_layout(ctx)
            _observe_linear_numerical(ctx, batch, n_in, n_out, t, call)
        twice = [f"linear.backward_twice.{name}{t}" for name in ("W_grad", "b_grad")]
        with ctx.attempt(*twice, call=call + " called twice"):
            _needs_layout(ctx)
            W, b, x, g = _linear_case(ctx, batch, n_in, n_out)
            layer = layer_with(ctx, n_in, n_out, W, b)
            layer.forward(x.copy())
            layer.backward(g.copy())
            layer.backward(g.copy())
            _record_param_grads(ctx, layer, "linear.backward_twice", t, call + " called twice", " after the second call")


def _record_param_grads(ctx: ProbeContext, layer: Any, prefix: str, t: str, call: str, when: str = "") -> None:
    W_grad = to_canonical(get_array(layer, "W_grad", "the layer"), ctx.state["layout"])
    ctx.record(f"{prefix}.W_grad{t}", W_grad, call=call, what="W_grad" + when, dtype=float_kind(layer.W_grad))
    b_grad = get_array(layer, "b_grad", "the layer")
    ctx.record(f"{prefix}.b_grad{t}", b_grad, call=call, what="b_grad" + when, dtype=float_kind(layer.b_grad))


def _observe_linear_backward(ctx: ProbeContext, batch: int, n_in: int, n_out: int, t: str, call: str) -> None:
    W, b, x, g = _linear_case(ctx, batch, n_in, n_out)
    layer = layer_with(ctx, n_in, n_out, W, b)
    layer.forward(x.copy())
    dx = layer.backward(g.copy())
    _record_param_grads(ctx, layer, "linear.backward", t, call)
    if dx is None:
        ctx.record_failure(f"linear.backward.dx{t}", "backward returned None instead of the gradient with respect to its input", call=call)
    else:
        ctx.record(f"linear.backward.dx{t}", dx, call=call, what="the returned input gradient", dtype=float_kind(dx))


def _observe_linear_numerical(ctx: ProbeContext, batch: int, n_in: int, n_out: int, t: str, call: str) -> None:
    W, b, x, g = _linear_case(ctx, batch, n_in, n_out)

    def objective(W_: np.ndarray, b_: np.ndarray, x_: np.ndarray) -> float:
        out = np.asarray(layer_with(ctx, n_in, n_out, W_, b_).forward(x_), dtype=np.float64)
        if out.shape != g.shape:
            raise ProbeFailure(f"forward returned shape {out.shape}; finite differences need ({batch}, {n_out})")
        return float(np.sum(out * g))

    kind = float_kind(layer_with(ctx, n_in, n_out, W, b).forward(x.copy()))
    # forward is linear in W, b and x: a unit step has no truncation error and the least rounding noise,
    # whatever precision the layer computes in
    eps = 1.0
    numeric = {
        "W_grad": central_differences(lambda v: objective(v, b, x), W, eps),
        "b_grad": central_differences(lambda v: objective(W, v, x), b, eps),
        "dx": central_differences(lambda v: objective(W, b, v), x, eps),
    }
    for name, value in numeric.items():
        ctx.record(f"linear.numerical.{name}{t}", value, call=call, what=f"finite differences for {name}", dtype=kind)


def linear_gd_update(ctx: ProbeContext) -> None:
    for batch, n_in, n_out in LINEAR_CASES:
        t = tag(batch, n_in, n_out)
        call = f"NPLinear({n_in}, {n_out}).gd_update({GD_LR})"
        keys = [f"linear.gd_update.W{t}", f"linear.gd_update.b{t}"]
        with ctx.attempt(*keys, call=call):
            _needs_layout(ctx)
            W, b, x, g = _linear_case(ctx, batch, n_in, n_out)
            layer = layer_with(ctx, n_in, n_out, W, b)
            layer.forward(x.copy())
            layer.backward(g.copy())
            # Our own gradients, so a wrong backward does not also cost the gd_update points.
            rng = ctx.rng("gd" + t)
            set_param(layer, "W_grad", from_canonical(rng.normal(size=W.shape), ctx.state["layout"]))
            set_param(layer, "b_grad", rng.normal(size=b.shape))
            layer.gd_update(GD_LR)
            W_after = to_canonical(get_array(layer, "W", "the layer"), ctx.state["layout"])
            ctx.record(keys[0], W_after, call=call, what="W after the update", dtype=float_kind(layer.W))
            ctx.record(keys[1], get_array(layer, "b", "the layer"), call=call, what="b after the update", dtype=float_kind(layer.b))


def linear_init(ctx: ProbeContext) -> None:
    for n_in, n_out, count in INIT_CASES:
        t = tag(n_in, n_out, names="io")
        keys = [f"linear.init.W{t}", f"linear.init.b{t}"]
        call = f"{count} fresh NPLinear({n_in}, {n_out}) layers"
        with ctx.attempt(*keys, call=call):
            NPLinear = ctx.get("NPLinear")
            layers = [NPLinear(n_in, n_out) for _ in range(count)]
            W = np.concatenate([np.ravel(get_array(layer, "W", "the layer")) for layer in layers])
            b = np.concatenate([np.ravel(get_array(layer, "b", "the layer")) for layer in layers])
            meta = {"call": call, "fan_in": n_in, "fan_out": n_out}
            ctx.record(keys[0], W, what="W entries", **meta)
            ctx.record(keys[1], b, what="b entries", **meta)


# ---------------------------------------------------------------- NPMSELoss and NPReLU


def mse(ctx: ProbeContext) -> None:
    for batch, channels in MSE_CASES:
        t = tag(batch, channels, names="bc")
        call = f"NPMSELoss().forward(pred, target) with shape ({batch}, {channels})"
        rng = ctx.rng("mse" + t)
        pred, target = rng.normal(size=(batch, channels)), rng.normal(size=(batch, channels))
        with ctx.attempt(f"mse.forward{t}", f"mse.backward{t}", call=call):
            loss_fn = ctx.get("NPMSELoss")()
            value = loss_fn.forward(pred.copy(), target.copy())
            ctx.record(f"mse.forward{t}", np.asarray(value, dtype=np.float64), call=call, what="the loss", dtype=float_kind(np.asarray(value)))
            with ctx.attempt(f"mse.backward{t}", call=call):
                grad = loss_fn.backward()
                ctx.record(f"mse.backward{t}", grad, call=call.replace("forward(pred, target)", "backward()"), what="the gradient", dtype=float_kind(grad))


def relu(ctx: ProbeContext) -> None:
    rng = ctx.rng("relu")
    x = rng.normal(size=(4, 6))
    x[np.abs(x) < 1e-3] = 0.5  # no exact (or near) zeros here: any subgradient is fine at 0
    g = rng.normal(size=(4, 6))
    t = "[b4_c6]"
    call = "NPReLU().forward(x of shape (4, 6))"
    with ctx.attempt(f"relu.forward.y{t}", f"relu.forward.input_after{t}", f"relu.backward.dx{t}", call=call):
        layer = ctx.get("NPReLU")()
        given = x.copy()
        y = layer.forward(given)
        ctx.record(f"relu.forward.y{t}", y, call=call, what="the output", dtype=float_kind(y))
        ctx.record(f"relu.forward.input_after{t}", given, call=call, what="your input array after forward")
        with ctx.attempt(f"relu.backward.dx{t}", call=call):
            dx = layer.backward(g.copy())
            ctx.record(f"relu.backward.dx{t}", dx, call="NPReLU().backward(grad_out of shape (4, 6))", what="the gradient", dtype=float_kind(dx))
    at_zero = np.array([[-1.0, 0.0, 2.0], [0.0, 3.0, -2.0]])
    call = "NPReLU().backward(ones) after forward(x) with x containing exact zeros"
    with ctx.attempt("relu.backward.at_zero[b2_c3]", call=call):
        layer = ctx.get("NPReLU")()
        layer.forward(at_zero.copy())
        dx = np.asarray(layer.backward(np.ones_like(at_zero)), dtype=np.float64)
        ctx.record("relu.backward.at_zero[b2_c3]", dx[at_zero == 0], call=call, what="the gradient where x = 0")


# ---------------------------------------------------------------- NPModel


def model_heldout(ctx: ProbeContext) -> None:
    """Predictions of every trained model the script left behind, on held-out inputs (labels stay outside),
    with what was seen of where those predictions come from (see `provenance`)."""
    x = ctx.inputs("heldout_x")
    if not ctx.harvested:
        ctx.record_failure("model.heldout.pred[none]", "No trained NPModel was found after running your script: "
                           "keep the trained model in a variable (at module level or in a function that returns).")
    for index, (where, model) in enumerate(ctx.harvested):
        key = f"model.heldout.pred[{index}]"
        with ctx.attempt(key, call=f"{where}.forward(x of shape {x.shape})", where=where):
            pred = model.forward(x.copy())
            ctx.record(key, pred, call=f"{where}.forward(x of shape {x.shape})", where=where, what="predictions")
        with ctx.attempt(f"model.provenance[{index}]", where=where):
            ctx.record(f"model.provenance[{index}]", provenance(model, where), where=where)
    with ctx.attempt("model.untrained.pred", call="a freshly constructed NPModel"):
        ctx.seed_global("untrained-model")
        fresh, how = construct_model(ctx.get("NPModel"))
        pred = fresh.forward(x.copy())
        ctx.record("model.untrained.pred", pred, call=f"{how}.forward(x of shape {x.shape}), before any training",
                   what="predictions of an untrained model")


#: evenly spaced inputs over the data's range; a ReLU network of 1 input is straight between its kinks
GRID = np.linspace(-np.pi, np.pi, 2001).reshape(-1, 1)
#: |second difference| on GRID, relative to the predictions' scale, above which a point counts as curved:
#: 50 float32 rounding units, so a float32 network's rounding never counts; sin(x) is curved at 3 of 4 points
CURVED = 3e-6
#: a kink bends at most two neighbouring points, so a ReLU network has no long run of curved points unless
#: a dozen kinks fall within 0.08 of each other; a smooth curved function has runs of hundreds
MAX_CURVED_RUN = 25


def _longest_run(flags: np.ndarray) -> int:
    best = run = 0
    for flag in flags:
        run = run + 1 if flag else 0
        best = max(best, run)
    return best


def provenance(model: Any, where: str) -> dict:
    """What was seen of where a model's predictions come from; `problems` is empty for a ReLU network."""
    problems = []
    pred = as_float64(model.forward(GRID.copy())).reshape(-1)
    if not np.all(np.isfinite(pred)):
        return {"problems": [], "curved_share": None, "longest_curved_run": None, "parameters": None}  # the loss says it
    flags = np.abs(np.diff(pred, 2)) > CURVED * (1 + np.max(np.abs(pred)))
    curved, run = float(np.mean(flags)), _longest_run(flags)
    if run > MAX_CURVED_RUN:
        problems.append(
            f"{where}.forward is curved at {curved:.0%} of {len(GRID)} evenly spaced x in [-pi, pi], over runs of up "
            f"to {run} neighbouring points; a network of linear layers and ReLUs gives predictions that are "
            "straight between isolated kinks")
    params = find_parameters(model)
    if not params:
        problems.append(f"no parameters (arrays like W with a W_grad beside them) were found inside {where}")
    else:
        moved = copy.deepcopy(model)
        for owner, name in find_parameters(moved):
            set_param(owner, name, 0.5 * as_float64(getattr(owner, name)))
        change = float(np.max(np.abs(as_float64(moved.forward(GRID.copy())).reshape(-1) - pred)))
        if not change > 1e-6:
            problems.append(f"{where}.forward gave the same predictions after every parameter of {where} was halved")
    return {"problems": problems, "curved_share": round(curved, 4), "longest_curved_run": run, "parameters": len(params)}


def model_build(ctx: ProbeContext) -> None:
    """A model to probe the API with: a copy of the trained one, else one built from the constructor."""
    with ctx.attempt("model.construction"):
        NPModel = ctx.get("NPModel")
        trained = [(where, m) for where, m in ctx.harvested if isinstance(m, NPModel) and _finite_parameters(m)]
        if trained:
            where, model = trained[0]
            ctx.state["model"], how = copy.deepcopy(model), f"a copy of your trained model ({where})"
        else:
            # No usable trained model (none, or training diverged to NaN): the API is judged on a fresh one,
            # so a training problem is not charged again here.
            ctx.state["model"], how = construct_model(NPModel)
        ctx.record("model.construction", how)


def construct_model(NPModel: type) -> tuple[Any, str]:
    """Call the constructor with arguments inferred from its signature; first that gives (n, 1) -> (n, 1)."""
    attempts = [((), "NPModel()")]
    try:
        params = [p for p in inspect.signature(NPModel).parameters.values() if p.default is p.empty
                  and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    except (TypeError, ValueError):
        params = []
    if params:
        guesses = [_guess_argument(p.name) for p in params]
        attempts.insert(0, (tuple(guesses), f"NPModel({', '.join(map(repr, guesses))})"))
        attempts.append((([1, 16, 16, 1],), "NPModel([1, 16, 16, 1])"))
    errors = []
    for args, text in attempts:
        try:
            model = NPModel(*args)
            out = np.asarray(model.forward(np.zeros((2, 1))))
            if out.shape == (2, 1):
                return model, text
        except Exception as exc:  # try the next guess
            errors.append(f"{text}: {type(exc).__name__}: {exc}")
    raise ProbeFailure("could not build an NPModel to test: " + "; ".join(errors)[:400])


def _guess_argument(name: str) -> Any:
    lowered = name.lower()
    if any(word in lowered for word in ("sizes", "layers", "dims", "shape", "arch", "widths", "units")):
        return [1, 16, 16, 1]
    if any(word in lowered for word in ("lr", "rate")):
        return 0.01
    if any(word in lowered for word in ("depth", "n_layer", "num_layer", "n_hidden_layers")):
        return 2
    if any(word in lowered for word in ("hidden", "width")):
        return 16
    return 1


def _finite_parameters(model: Any) -> bool:
    return all(np.all(np.isfinite(np.asarray(getattr(o, n), dtype=np.float64))) for o, n in find_parameters(model))


def model_forward(ctx: ProbeContext) -> None:
    for batch in MODEL_BATCHES:
        key = f"model.forward.y[b{batch}]"
        with ctx.attempt(key, call=f"NPModel.forward(x of shape ({batch}, 1))"):
            model = _model(ctx)
            x = ctx.rng(f"model-forward{batch}").uniform(-np.pi, np.pi, size=(batch, 1))
            y = model.forward(x)
            ctx.record(key, y, call=f"NPModel.forward(x of shape ({batch}, 1))", what="the output", dtype=float_kind(y))


def _model(ctx: ProbeContext) -> Any:
    if "model" not in ctx.state:
        raise ProbeFailure("no NPModel could be built (see the model construction check)")
    return ctx.state["model"]


def find_parameters(root: Any, depth: int = 4) -> list[tuple[Any, str]]:
    """(owner, name) for every array attribute `name` with a same-shaped `name_grad` beside it."""
    found, seen = [], set()

    def visit(obj: Any, level: int) -> None:
        if id(obj) in seen or level > depth:
            return
        seen.add(id(obj))
        if isinstance(obj, (list, tuple)):
            for item in obj:
                visit(item, level + 1)
            return
        if isinstance(obj, dict):
            for item in obj.values():
                visit(item, level + 1)
            return
        attributes = getattr(obj, "__dict__", None)
        if not isinstance(attributes, dict) or isinstance(obj, type):
            return
        for name in sorted(attributes):
            value, grad = attributes[name], attributes.get(name + "_grad")
            if isinstance(value, np.ndarray) and isinstance(grad, np.ndarray) and grad.shape == value.shape:
                found.append((obj, name))
        for name in sorted(attributes):
            if isinstance(attributes[name], (list, tuple, dict)) or hasattr(attributes[name], "__dict__"):
                visit(attributes[name], level + 1)

    visit(root, 0)
    return found


def _model_batch(ctx: ProbeContext, label: str) -> tuple[np.ndarray, np.ndarray]:
    rng = ctx.rng(label)
    x = rng.uniform(-np.pi, np.pi, size=(8, 1))
    return x, np.sin(x)


def _loss_and_backward(model: Any, x: np.ndarray, y: np.ndarray) -> float:
    pred = np.asarray(model.forward(x), dtype=np.float64)
    model.backward(2 * (pred - y) / pred.size)
    return float(np.mean((pred - y) ** 2))


def _loss_at(model: Any, owner: Any, name: str, value: np.ndarray, index: tuple, delta: float, x, y) -> float:
    moved = value.copy()
    moved[index] += delta
    set_param(owner, name, moved)
    pred = np.asarray(model.forward(x), dtype=np.float64)
    return float(np.mean((pred - y) ** 2))


def compute_kind(model: Any, params: list[tuple[Any, str]], x: np.ndarray) -> str:
    """The precision the model really computes in: float32 when any parameter, gradient or output is float32,
    or when the output ignores a change of its input far below float32 resolution (x is cast inside)."""
    arrays = [getattr(o, n) for o, n in params] + [getattr(o, n + "_grad") for o, n in params]
    out = model.forward(x.copy())
    if float_kind(out, *arrays) == "float32":
        return "float32"
    nudged = np.asarray(model.forward(x + 1e-9 * (1 + np.abs(x))), dtype=np.float64)
    return "float32" if np.array_equal(nudged, np.asarray(out, dtype=np.float64)) else "float64"


#: central-difference steps on the model loss: it is quadratic in one parameter between ReLU kinks, so a
#: wide step costs no truncation error; in float32 it keeps rounding noise small against the difference
MODEL_STEP = {"float64": 1e-4, "float32": 1e-2}


def _loss_noise(kind: str, pred: np.ndarray, y: np.ndarray) -> float:
    """Rounding noise of one loss evaluation: every prediction is off by a few units of its precision."""
    unit = float(np.finfo(np.float32 if kind == "float32" else np.float64).eps)
    return 8 * unit * float(np.mean(np.abs(pred - y) * (1 + np.abs(pred))))


def model_backward(ctx: ProbeContext) -> None:
    keys = ("model.backward.analytic", "model.backward.numerical")
    with ctx.attempt(*keys, call="NPModel.backward(2 * (pred - y) / pred.size)"):
        model = copy.deepcopy(_model(ctx))
        x, y = _model_batch(ctx, "model-backward")
        _loss_and_backward(model, x, y)
        params = find_parameters(model)
        if not params:
            raise ProbeFailure("found no parameters inside NPModel (arrays like W with a W_grad beside them)")
        rng = ctx.rng("model-backward-entries")
        analytic, numeric, skipped = [], [], 0
        gradients = [(owner, name, as_float64(getattr(owner, name + "_grad"))) for owner, name in params]
        dtype = compute_kind(model, params, x)
        eps = MODEL_STEP[dtype]
        noise = _loss_noise(dtype, np.asarray(model.forward(x.copy()), dtype=np.float64), y)
        for owner, name, grad in gradients:
            value = as_float64(getattr(owner, name))
            for position in rng.permutation(value.size)[:12]:
                index = np.unravel_index(position, value.shape)
                difference = smooth_central_difference(
                    lambda t: _loss_at(model, owner, name, value, index, t, x, y), eps, noise)
                set_param(owner, name, value)
                if difference is None:
                    skipped += 1
                    continue
                numeric.append(difference)
                analytic.append(grad[index])
        meta = {"call": "NPModel.backward", "parameters": len(params), "dtype": dtype, "kinks_skipped": skipped}
        ctx.record(keys[0], np.array(analytic), what="the layers' gradients", **meta)
        ctx.record(keys[1], np.array(numeric), what="finite differences of the loss", **meta)


def model_gd_update(ctx: ProbeContext) -> None:
    keys = ("model.gd_update.after", "model.gd_update.expected")
    lr = 0.01
    with ctx.attempt(*keys, call=f"NPModel.gd_update({lr})"):
        model = copy.deepcopy(_model(ctx))
        x, y = _model_batch(ctx, "model-gd")
        try:
            _loss_and_backward(model, x, y)
        except Exception:
            pass  # gradients are set below; a broken backward is judged by its own check
        params = find_parameters(model)
        if not params:
            raise ProbeFailure("found no parameters inside NPModel (arrays like W with a W_grad beside them)")
        # Our own gradients, so only gd_update itself is judged here.
        rng = ctx.rng("model-gd-grads")
        for owner, name in params:
            set_param(owner, name + "_grad", rng.normal(size=np.shape(getattr(owner, name))))
        before = [(as_float64(getattr(o, n)), as_float64(getattr(o, n + "_grad"))) for o, n in params]
        model.gd_update(lr)
        after = np.concatenate([np.ravel(as_float64(getattr(o, n))) for o, n in params])
        expected = np.concatenate([np.ravel(value - lr * grad) for value, grad in before])
        dtype = float_kind(getattr(params[0][0], params[0][1]))
        meta = {"call": f"NPModel.gd_update({lr})", "parameters": len(params), "dtype": dtype}
        ctx.record(keys[0], after, what="the parameters after the update", **meta)
        ctx.record(keys[1], expected, what="parameters - lr * gradients", **meta)


STEPS = [
    model_heldout,
    linear_layout,
    linear_forward,
    linear_backward,
    linear_gd_update,
    linear_init,
    mse,
    relu,
    model_build,
    model_forward,
    model_backward,
    model_gd_update,
]
