"""Probe for dl_assignment1 (notebook): observe the handout's functions after the whole notebook has run.

Each function is called on inputs chosen here. Where a function of the handout calls another one of the
student's (model1 -> sigmoid, evaluate and train_epoch -> network, bce_loss, accuracy, the gradient helpers),
those names are replaced by correct versions for the duration of the call, so a mistake costs only the
checks of the function that contains it. Functions the notebook defines twice (`optimize_f`, `bce_loss`)
are probed in both versions: the first for the first item, the last for the item that redefines it.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

import numpy as np

from grader.probe.context import ProbeContext, ProbeFailure
from grader.probe.notebook import NameAtQuestion, current_run
from grader.probe.numeric import as_float64, is_tensor

GD_PLAIN = [(3.0, 2.0, 0.1, 10), (-1.0, 0.5, 0.05, 6)]
GD_DECAY = [(3.0, 2.0, 0.1, 8, 0.8), (0.123, 0.456, 0.01, 4, 0.1)]
INIT_CASES = [(20, 8, 40), (8, 50, 20), (100, 4, 20)]  # (d0, d1, layers): d0 != d1 both ways
MAX_TRAINED = 8


def _torch():
    import torch

    return torch


def version(ctx: ProbeContext, name: str, which: int, question: str = "") -> Any:
    """`name` as it was right after the cells of `question`; without such a heading in the notebook, the first (0)
    or last (-1) function the notebook bound to `name`."""
    run = current_run()
    if run is not None and question:
        try:
            return run.as_of_question(name, question)
        except NameAtQuestion as missing:
            raise ProbeFailure(str(missing)) from None
        except KeyError:
            pass  # headings renamed: fall back to the order of definitions
    if run is not None and run.versions.get(name):
        return run.version(name, which)
    return ctx.get(name)


def floats(value: Any, what: str) -> np.ndarray:
    """A number, tensor, array or sequence of them as a float64 array."""
    if is_tensor(value):
        return as_float64(value)
    if isinstance(value, (list, tuple)):
        try:
            return np.array([float(v) for v in value], dtype=np.float64)
        except (TypeError, ValueError, RuntimeError):
            raise ProbeFailure(f"{what} holds something that is not a number") from None
    try:
        return np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ProbeFailure(f"{what} is {type(value).__name__}, not a number or tensor") from None


def dtype_of(value: Any) -> str:
    torch = _torch()
    if isinstance(value, torch.Tensor) and value.dtype in (torch.float32, torch.float16, torch.bfloat16):
        return "float32"
    if isinstance(value, np.ndarray) and value.dtype in (np.float32, np.float16):
        return "float32"
    return "float64"


@contextmanager
def patched(ctx: ProbeContext, **names: Any) -> Iterator[None]:
    """Bind correct helpers in the notebook's namespace for one call, then restore the student's."""
    missing = object()
    saved = {name: ctx.namespace.get(name, missing) for name in names}
    ctx.namespace.update(names)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is missing:
                ctx.namespace.pop(name, None)
            else:
                ctx.namespace[name] = value


# ---------------------------------------------------------------- correct helpers (the handout's given code)


def good_sigmoid(x):
    return _torch().sigmoid(x)


def good_relu(x):
    return _torch().relu(x)


def good_network(x, params):
    z = x
    for w, b, h in params:
        z = h(z @ w + b)
    return z.squeeze(-1)


def good_bce(y, y_hat):
    torch = _torch()
    y_hat = torch.clamp(y_hat, 1e-7, 1 - 1e-7)
    return (-(y * torch.log(y_hat) + (1 - y) * torch.log(1 - y_hat))).mean()


def good_accuracy(y, y_hat):
    return ((y > 0.5) == (y_hat > 0.5)).double().mean()


def good_enable(params):
    for w, b, _ in params:
        w.requires_grad_(True)
        b.requires_grad_(True)


class AddGradients:
    """The handout's add_gradients (theta <- theta + step * grad), counting its calls."""

    def __init__(self):
        self.calls = 0

    def __call__(self, params, step):
        torch = _torch()
        self.calls += 1
        with torch.no_grad():
            for w, b, _ in params:
                if w.grad is None or b.grad is None:
                    raise ProbeFailure("add_gradients was called before backward(): a parameter has no gradient")
                w += step * w.grad
                b += step * b.grad


def good_clear(params):
    for w, b, _ in params:
        for p in (w, b):
            if p.grad is not None:
                p.grad.zero_()


def helpers() -> dict[str, Any]:
    return {"network": good_network, "bce_loss": good_bce, "accuracy": good_accuracy,
            "enable_gradients": good_enable, "clear_gradients": good_clear}


# ---------------------------------------------------------------- 1.1 gradient descent


def _gd_record(ctx: ProbeContext, prefix: str, tag: str, out: Any, call: str, steps: int) -> None:
    if not isinstance(out, (tuple, list)) or len(out) != 5:
        raise ProbeFailure(f"{call} returned {type(out).__name__}"
                           f"{' of length ' + str(len(out)) if isinstance(out, (tuple, list)) else ''}; "
                           "expected 5 values (x, y, f(x, y), x_hist, y_hist)")
    x, y, fxy, x_hist, y_hist = out
    hist = np.vstack([floats(x_hist, "x_hist").reshape(-1), floats(y_hist, "y_hist").reshape(-1)]) \
        if np.size(floats(x_hist, "x_hist")) == np.size(floats(y_hist, "y_hist")) else None
    if hist is None or hist.shape[1] != steps + 1:
        raise ProbeFailure(f"{call}: x_hist and y_hist must both hold the initial point and every step "
                           f"({steps + 1} values); got {np.size(floats(x_hist, 'x_hist'))} and {np.size(floats(y_hist, 'y_hist'))}")
    ctx.record(f"{prefix}.hist{tag}", hist, call=call, what="[x_hist, y_hist]")
    final = np.array([float(floats(v, "the result").reshape(-1)[0]) for v in (x, y, fxy)])
    ctx.record(f"{prefix}.final{tag}", final, call=call, what="(x, y, f(x, y))")


def gd_plain(ctx: ProbeContext) -> None:
    for i, (x, y, step, steps) in enumerate(GD_PLAIN):
        call = f"optimize_f({x}, {y}, {step}, {steps}) (your first optimize_f, 1.1a)"
        with ctx.attempt(f"gd.plain.hist[{i}]", f"gd.plain.final[{i}]", call=call):
            _gd_record(ctx, "gd.plain", f"[{i}]", version(ctx, "optimize_f", 0, "1.1a")(x, y, step, steps), call, steps)


def gd_decay(ctx: ProbeContext) -> None:
    for i, (x, y, step, steps, decay) in enumerate(GD_DECAY):
        call = f"optimize_f({x}, {y}, {step}, {steps}, {decay}) (your optimize_f with decay, 1.1g)"
        with ctx.attempt(f"gd.decay.hist[{i}]", f"gd.decay.final[{i}]", call=call):
            _gd_record(ctx, "gd.decay", f"[{i}]", version(ctx, "optimize_f", -1, "1.1g")(x, y, step, steps, decay), call, steps)


def gd_tuned(ctx: ProbeContext) -> None:
    call = "results = optimize_f(3, 2, step_size, steps, decay) with your tuned values (1.1h)"
    with ctx.attempt("gd.tuned.f[results]", call=call):
        results = ctx.get("results")
        if not isinstance(results, (tuple, list)) or len(results) < 3:
            raise ProbeFailure("results is not the 5 values optimize_f returns")
        ctx.record("gd.tuned.f[results]", floats(results[2], "f(x, y)").reshape(-1)[:1], call=call, what="f(x, y)")


# ---------------------------------------------------------------- 1.3 activations and the loss


def sigmoid_values(ctx: ProbeContext) -> None:
    torch = _torch()
    grid = [-100.0, -30.0, -5.0, -1.0, -1e-3, 0.0, 1e-3, 1.0, 5.0, 30.0, 100.0]
    cases = {
        "f32": torch.tensor(grid, dtype=torch.float32),
        "f64": torch.tensor(grid, dtype=torch.float64),
        "2d": torch.tensor(ctx.rng("sigmoid2d").normal(0, 4, size=(3, 4))),
    }
    for tag, x in cases.items():
        call = f"sigmoid(x) with x a {x.dtype} tensor of shape {tuple(x.shape)} (values from -100 to 100)"
        key = f"sigmoid.out[{tag}]"
        with ctx.attempt(key, call=call):
            out = ctx.get("sigmoid")(x.clone())
            ctx.record(key, floats(out, "the output"), call=call, what="the output", dtype=dtype_of(out))
    call = "sigmoid(torch.tensor(v)) for the integer tensors v = 0, -100, 100"
    with ctx.attempt("sigmoid.out[int]", call=call):
        values = [floats(ctx.get("sigmoid")(torch.tensor(v)), "the output").reshape(-1) for v in (0, -100, 100)]
        ctx.record("sigmoid.out[int]", np.concatenate(values), call=call, what="the outputs", dtype="float32")


def relu_values(ctx: ProbeContext) -> None:
    torch = _torch()
    x2d = ctx.rng("relu2d").normal(size=(4, 5))
    x2d[0, :2] = 0.0
    cases = {
        "2d": torch.tensor(x2d, dtype=torch.float32),
        "f64": torch.tensor([-3.5, -0.0, 0.0, 0.25, 7.0], dtype=torch.float64),
        "int": torch.tensor([-5, 0, 5, 3]),
    }
    for tag, x in cases.items():
        call = f"relu(x) with x a {x.dtype} tensor of shape {tuple(x.shape)}"
        key = f"relu.out[{tag}]"
        with ctx.attempt(key, call=call):
            out = ctx.get("relu")(x.clone())
            ctx.record(key, floats(out, "the output"), call=call, what="the output")


def _bce_cases(ctx: ProbeContext):
    torch = _torch()
    rng = ctx.rng("bce")
    for n, dtype in ((10, torch.float64), (7, torch.float32), (1, torch.float64)):
        y = torch.tensor(rng.integers(0, 2, size=n).astype(float), dtype=dtype)
        y_hat = torch.tensor(rng.uniform(0.05, 0.95, size=n), dtype=dtype)
        yield f"n{n}", y, y_hat, f"bce_loss(y, y_hat) for {n} samples ({dtype}), y in {{0, 1}}, y_hat in (0.05, 0.95)"


def bce_mean(ctx: ProbeContext) -> None:
    for tag, y, y_hat, call in _bce_cases(ctx):
        call += " (your first bce_loss, 1.3e)"
        key = f"bce.first[{tag}]"
        with ctx.attempt(key, call=call):
            out = version(ctx, "bce_loss", 0, "1.3e")(y.clone(), y_hat.clone())
            ctx.record(key, floats(out, "the loss"), call=call, what="the loss", dtype=dtype_of(out))


def bce_fixed(ctx: ProbeContext) -> None:
    torch = _torch()
    for tag, y, y_hat, call in _bce_cases(ctx):
        call += " (your fixed bce_loss, 1.3g)"
        key = f"bce.fixed[{tag}]"
        with ctx.attempt(key, call=call):
            out = version(ctx, "bce_loss", -1, "1.3g")(y.clone(), y_hat.clone())
            ctx.record(key, floats(out, "the loss"), call=call, what="the loss", dtype=dtype_of(out))
    call = "bce_loss(torch.tensor(y), torch.tensor(y)) for the integer tensors y = 0 and y = 1 (perfect predictions)"
    with ctx.attempt("bce.fixed[perfect_int]", call=call):
        fixed = version(ctx, "bce_loss", -1, "1.3g")
        values = [floats(fixed(torch.tensor(v), torch.tensor(v)), "the loss").reshape(-1) for v in (0, 1)]
        ctx.record("bce.fixed[perfect_int]", np.concatenate(values), call=call, what="the losses", dtype="float32")
    perfect = torch.tensor([0.0, 1.0, 1.0, 0.0], dtype=torch.float64)
    call = "bce_loss(y, y_hat) with y = y_hat = [0., 1., 1., 0.] (float64, perfect predictions)"
    with ctx.attempt("bce.fixed[perfect_float]", call=call):
        out = version(ctx, "bce_loss", -1, "1.3g")(perfect.clone(), perfect.clone())
        ctx.record("bce.fixed[perfect_float]", floats(out, "the loss"), call=call, what="the loss")
    call = "bce_loss(y, y_hat) with y = y_hat = [0., 1., 1., 0.] and y_hat.requires_grad, then backward()"
    with ctx.attempt("bce.fixed.grad[perfect]", call=call):
        y_hat = perfect.clone().requires_grad_(True)
        out = version(ctx, "bce_loss", -1, "1.3g")(perfect.clone(), y_hat)
        if not isinstance(out, torch.Tensor) or not out.requires_grad:
            raise ProbeFailure("the loss is not a tensor that depends on y_hat, so it cannot be trained with")
        out.backward()
        if y_hat.grad is None:
            raise ProbeFailure("backward() gave no gradient for y_hat")
        ctx.record("bce.fixed.grad[perfect]", floats(y_hat.grad, "the gradient"), call=call,
                   what="the gradient with respect to y_hat")


# ---------------------------------------------------------------- 1.4 and 1.5


def handout_model1_parameters():
    torch = _torch()
    generator = torch.Generator().manual_seed(12345)
    return torch.randn(5, generator=generator), torch.randn([], generator=generator)


def model1_values(ctx: ProbeContext) -> None:
    torch = _torch()
    w, b = handout_model1_parameters()
    rng = ctx.rng("model1")
    for i in range(3):
        x = torch.tensor(rng.normal(size=5), dtype=torch.float32)
        call = f"model1(x) for x of shape (5,) (input {i + 1}), with the handout's w and b"
        key = f"model1.out[{i}]"
        with ctx.attempt(key, call=call):
            with patched(ctx, w=w.clone(), b=b.clone(), sigmoid=good_sigmoid):
                out = ctx.get("model1")(x)
            ctx.record(key, floats(out, "the output"), call=call, what="the output", dtype=dtype_of(out))


def network_values(ctx: ProbeContext) -> None:
    torch = _torch()
    rng = ctx.rng("network")
    cases = [
        ("n2", 2, [(5, 10, good_relu), (10, 1, good_sigmoid)], torch.float32),
        ("n7", 7, [(4, 6, torch.tanh), (6, 3, good_relu), (3, 1, good_sigmoid)], torch.float64),
        ("n3_out3", 3, [(4, 3, lambda z: z)], torch.float64),
    ]
    for tag, n, layers, dtype in cases:
        params = [(torch.tensor(rng.normal(size=(d0, d1)), dtype=dtype), torch.tensor(rng.normal(size=d1), dtype=dtype), h)
                  for d0, d1, h in layers]
        x = torch.tensor(rng.normal(size=(n, layers[0][0])), dtype=dtype)
        sizes = "-".join(str(d) for d in [layers[0][0], *[d1 for _, d1, _ in layers]])
        call = f"network(x, params) for x of shape {tuple(x.shape)} and a {sizes} network ({dtype})"
        key = f"network.out[{tag}]"
        with ctx.attempt(key, call=call):
            out = ctx.get("network")(x, params)
            ctx.record(key, floats(out, "the output"), call=call, what="the output", dtype=dtype_of(out))


def make_layer_observe(ctx: ProbeContext) -> None:
    torch = _torch()
    for d0, d1 in ((5, 10), (64, 32), (3, 1)):
        call = f"make_layer({d0}, {d1}, activation)"
        key = f"make_layer.structure[{d0}_{d1}]"
        with ctx.attempt(key, call=call):
            activation = good_relu
            out = ctx.get("make_layer")(d0, d1, activation)
            if not isinstance(out, (tuple, list)) or len(out) != 3:
                raise ProbeFailure(f"{call} returned {type(out).__name__}; expected a tuple (w, b, activation)")
            w, b, h = out
            facts = [
                f"w of shape {tuple(w.shape) if isinstance(w, torch.Tensor) else type(w).__name__}",
                f"b of shape {tuple(b.shape) if isinstance(b, torch.Tensor) else type(b).__name__}",
                "b all zero" if isinstance(b, torch.Tensor) and bool((b == 0).all()) else "b not all zero",
                "returns the activation it was given" if h is activation else "returns another activation",
            ]
            ctx.record(key, facts, call=call, what="the layer")
    for d0, d1, count in INIT_CASES:
        key = f"make_layer.init.w[{d0}_{d1}]"
        call = f"{count} fresh make_layer({d0}, {d1}, relu) layers"
        with ctx.attempt(key, call=call):
            weights = [floats(ctx.get("make_layer")(d0, d1, good_relu)[0], "w").ravel() for _ in range(count)]
            ctx.record(key, np.concatenate(weights), call=call, what="w entries", fan_in=d0, fan_out=d1)


# ---------------------------------------------------------------- 1.6 evaluate, train_epoch, the trained network


def _params(ctx: ProbeContext, label: str, sizes: list[int]):
    torch = _torch()
    rng = ctx.rng(label)
    layers = []
    for i, (d0, d1) in enumerate(zip(sizes[:-1], sizes[1:])):
        h = good_sigmoid if i == len(sizes) - 2 else good_relu
        layers.append((torch.tensor(rng.normal(0, np.sqrt(1 / d0), size=(d0, d1))), torch.tensor(rng.normal(0, 0.1, size=d1)), h))
    return layers


def _flat(params) -> np.ndarray:
    return np.concatenate([np.concatenate([w.detach().numpy().ravel(), b.detach().numpy().ravel()]) for w, b, _ in params])


def evaluate_values(ctx: ProbeContext) -> None:
    torch = _torch()
    for tag, n in (("n30", 30), ("n9", 9)):
        rng = ctx.rng(f"evaluate{tag}")
        params = _params(ctx, f"evaluate-params{tag}", [64, 8, 1])
        x = torch.tensor(rng.normal(size=(n, 64)))
        y = torch.tensor(rng.integers(0, 2, size=n).astype(float))
        call = f"evaluate(params, x, y) for a 64-8-1 network and {n} samples"
        key = f"evaluate.out[{tag}]"
        with ctx.attempt(key, call=call):
            with patched(ctx, **helpers()):
                out = ctx.get("evaluate")(params, x, y)
            if not isinstance(out, (tuple, list)) or len(out) != 2:
                raise ProbeFailure(f"{call} returned {type(out).__name__}; expected (loss, accuracy)")
            ctx.record(key, np.array([float(floats(v, "the result").reshape(-1)[0]) for v in out]), call=call,
                       what="(loss, accuracy)")


def _train_case(ctx: ProbeContext, tag: str):
    torch = _torch()
    rng = ctx.rng(f"train{tag}")
    if tag == "same_rows":  # every row identical: the shuffle cannot change the minibatches
        x = torch.tensor(np.repeat(rng.normal(size=(1, 6)), 12, axis=0))
        y = torch.ones(12, dtype=torch.float64)
        return x, y, 0.3, 4
    x = torch.tensor(rng.normal(size=(16, 6)))
    y = torch.tensor(rng.integers(0, 2, size=16).astype(float))
    return (x, y, 0.3, 16) if tag == "full_batch" else (x, y, 0.0, 4)


def _run_train_epoch(ctx: ProbeContext, params, x, y, lr: float, batch_size: int):
    torch = _torch()
    adder = AddGradients()
    torch.manual_seed(ctx.seed)
    with patched(ctx, add_gradients=adder, **helpers()):
        out = ctx.get("train_epoch")(params, x, y, lr, batch_size)
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise ProbeFailure(f"train_epoch returned {type(out).__name__}; expected (mean loss, mean accuracy)")
    return np.array([float(floats(v, "the result").reshape(-1)[0]) for v in out])


def train_epoch_values(ctx: ProbeContext) -> None:
    """Descent in either sign convention: the handout's add_gradients adds step * grad, so students either pass
    -learning_rate or expect a negative learning rate; the run that lowers the loss is the one recorded."""
    torch = _torch()
    for tag in ("same_rows", "full_batch", "lr0"):
        x, y, lr, batch_size = _train_case(ctx, tag)
        call = f"train_epoch(params, x, y, {lr}, {batch_size}) for a 6-4-1 network and {len(y)} samples"
        if tag == "same_rows":
            call += " (all rows identical, so the order of the minibatches does not matter)"
        if tag == "lr0":
            call += " (learning rate 0)"
        keys = [f"train_epoch.returned[{tag}]"] + ([f"train_epoch.params[{tag}]"] if lr else [])
        with ctx.attempt(*keys, call=call):
            runs = []
            for sign in ((1, -1) if lr else (1,)):
                params = [(w.clone().requires_grad_(True), b.clone().requires_grad_(True), h)
                          for w, b, h in _params(ctx, f"train-params{tag}", [6, 4, 1])]
                returned = _run_train_epoch(ctx, params, x, y, sign * lr, batch_size)
                with torch.no_grad():
                    loss = float(good_bce(y, good_network(x, params)))
                runs.append((loss if np.isfinite(loss) else np.inf, sign, returned, _flat(params)))
            loss, sign, returned, after = min(runs, key=lambda run: run[0])
            ctx.record(keys[0], returned, call=call, what="the returned (mean loss, mean accuracy)")
            if lr:
                ctx.record(keys[1], after, call=call, what="the parameters after the epoch",
                           convention="learning_rate > 0 descends" if sign > 0 else "learning_rate < 0 descends")


def _trained_candidates(ctx: ProbeContext) -> list[tuple[str, Any]]:
    """Lists of (w, b, h) layers in the notebook's namespace that map 64 inputs to 1 output: trained networks."""
    torch = _torch()
    found = []
    for name, value in list(ctx.namespace.items()):
        if name.startswith("_") or not isinstance(value, (list, tuple)) or not value:
            continue
        layers = list(value)
        if not all(isinstance(layer, (list, tuple)) and len(layer) == 3 and isinstance(layer[0], torch.Tensor)
                   and layer[0].dim() == 2 for layer in layers):
            continue
        if layers[0][0].shape[0] == 64 and layers[-1][0].shape[1] == 1:
            found.append((name, layers))
    return found[:MAX_TRAINED]


def trained_accuracy(ctx: ProbeContext) -> None:
    torch = _torch()
    x = torch.tensor(ctx.inputs("digits_val_x"))
    found = _trained_candidates(ctx)
    if not found:
        ctx.record_failure("train.val_pred[none]", "No trained network was found after running the notebook: keep the "
                           "list of layers you trained (params = [make_layer(64, 32, relu), ...]) in a variable.")
    for index, (name, params) in enumerate(found):
        key = f"train.val_pred[{index}]"
        call = f"network(x_val, {name})"
        with ctx.attempt(key, call=call, where=name):
            with torch.no_grad():
                try:
                    pred = ctx.get("network")(x.clone(), params)
                except Exception:  # the student's network is judged elsewhere; their trained weights here
                    pred = good_network(x.clone().to(params[0][0].dtype), params)
            ctx.record(key, floats(pred, "the predictions").reshape(-1), call=call, where=name, what="predictions")
        with ctx.attempt(f"train.provenance[{index}]", where=name):
            ctx.record(f"train.provenance[{index}]", _provenance(ctx, x, name, params), where=name)


def _provenance(ctx: ProbeContext, x: Any, name: str, params: list) -> dict:
    """Do the predictions come from the trained weights? They must move when every weight is halved."""
    torch = _torch()
    network = ctx.get("network")
    with torch.no_grad():
        pred = floats(network(x.clone(), params), "the predictions")
        halved = [(w * 0.5, b * 0.5, h) for w, b, h in params]
        moved = floats(network(x.clone(), halved), "the predictions")
    if moved.shape == pred.shape and float(np.max(np.abs(moved - pred), initial=0.0)) <= 1e-9:
        return {"problems": [f"network(x_val, {name}) gave the same predictions after every weight and bias in {name} was halved"]}
    return {"problems": []}


STEPS = [gd_plain, gd_decay, gd_tuned, sigmoid_values, relu_values, bce_mean, bce_fixed, model1_values,
         network_values, make_layer_observe, evaluate_values, train_epoch_values, trained_accuracy]
