"""Probe for torch_hw7 (notebook): the homework's functions and modules, observed after the notebook has run.

- The training functions are called on a small network of the probe's own (`ProbeLinear` layers) with the
  probe's own correct MSE as `loss_func`, so a wrong `mse_loss` is charged only to Q1. Q14 redefines
  `gradient_descent`: Q2 is judged on the first definition, Q14 on the last.
- Early stopping is tested with a `loss_func` that returns a scripted sequence of validation losses when it is
  called with the validation labels (recognised by identity) and the real MSE otherwise, so the stopping
  iteration is known exactly.
- Initialisations are tested statistically on many fresh layers; Dropout by its zero fraction, its kept
  entries, two masks in a row and its evaluation output.
- The models each question built come from `hw7_support.test_build` (which the handout calls with them), else
  from the notebook's `model` variable over the cells, else from the notebook's namespace.
"""
from __future__ import annotations

import copy

import sys
from typing import Any, Callable

import numpy as np

from grader.probe.context import ProbeContext, ProbeFailure
from grader.probe.notebook import current_run
from grader.probe.numeric import as_float64

GD_STEPS = 3
GD_LR = 0.05
EARLY_FIRST_RISE = 7  # scripted validation losses rise for the first time at this iteration (from 0)
PATIENT_STOP = 90  # and the patient rule stops at this one
DROPOUT_SHAPE = (400, 500)
INIT_KAIMING = [(20, 20, 30), (100, 10, 10), (1, 50, 100), (400, 5, 5)]  # (in, out, layers)
INIT_NORMAL = [(20, 20, 30), (5, 60, 40)]
MAX_MODELS = 8


def _torch():
    import torch

    return torch


def version(ctx: ProbeContext, name: str, which: int) -> Any:
    run = current_run()
    if run is not None and run.versions.get(name):
        return run.version(name, which)
    return ctx.get(name)


def to_float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError, RuntimeError):
        raise ProbeFailure(f"a loss in the returned history is {type(value).__name__}, not a number") from None


def history(out: Any, call: str) -> tuple[list[float], list[float]]:
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise ProbeFailure(f"{call} returned {type(out).__name__}; expected (losses, valid_losses)")
    try:
        return [to_float(v) for v in out[0]], [to_float(v) for v in out[1]]
    except TypeError:
        raise ProbeFailure(f"{call} did not return two lists of losses") from None


# ---------------------------------------------------------------- the probe's own model and loss


def probe_modules():
    torch = _torch()
    nn = torch.nn

    class ProbeLinear(nn.Module):
        def __init__(self, weights, bias):
            super().__init__()
            self.weights = nn.Parameter(torch.tensor(weights, dtype=torch.float32))
            self.bias = nn.Parameter(torch.tensor(bias, dtype=torch.float32))

        def forward(self, x):
            return x @ self.weights + self.bias

    class ModeRecorder(nn.Module):
        """Identity that remembers whether the model was in training mode, per input it saw."""

        def __init__(self):
            super().__init__()
            self.seen: list[tuple[int, bool]] = []

        def forward(self, x):
            self.seen.append((id(x), self.training))
            return x

    return ProbeLinear, ModeRecorder


def probe_model(ctx: ProbeContext, label: str, sizes=(1, 8, 1), recorder: Any = None):
    torch = _torch()
    ProbeLinear, _ = probe_modules()
    rng = ctx.rng(label)
    modules = [] if recorder is None else [recorder]
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        modules.append(ProbeLinear(rng.normal(0, 1 / np.sqrt(a), size=(a, b)), rng.normal(0, 0.1, size=b)))
        if i < len(sizes) - 2:
            modules.append(torch.nn.ReLU())
    return torch.nn.Sequential(*modules)


def probe_data(ctx: ProbeContext, label: str, n: int = 24):
    torch = _torch()
    rng = ctx.rng(label)
    x = torch.tensor(rng.uniform(-2, 2, size=(n, 1)), dtype=torch.float32)
    xvalid = torch.tensor(rng.uniform(-2, 2, size=(n, 1)), dtype=torch.float32)
    return x, x ** 2 - 1, xvalid, xvalid ** 2 - 1


def good_mse(prediction, labels):
    return ((prediction.reshape(-1) - labels.reshape(-1)) ** 2).mean()


def tensor_values(value: Any) -> np.ndarray:
    """A float64 copy of a tensor the notebook's layers or models gave; anything else fails on its missing
    detach() (the network would not run on it either)."""
    return as_float64(value.detach())


def flat_parameters(model, only_matrices: bool = False) -> np.ndarray:
    return np.concatenate([p.detach().numpy().ravel() for p in model.parameters() if not only_matrices or p.dim() == 2])


class ScriptedLoss:
    """loss_func for early stopping: the real MSE for training, `script[i]` for the i-th validation call."""

    def __init__(self, yvalid, script: list[float]):
        self.yvalid, self.script, self.calls = yvalid, script, 0

    def __call__(self, prediction, labels):
        torch = _torch()
        if labels is self.yvalid:
            value = self.script[min(self.calls, len(self.script) - 1)]
            self.calls += 1
            return torch.tensor(value, dtype=torch.float32)
        return good_mse(prediction, labels)


# ---------------------------------------------------------------- Q1, Q2, Q14


def mse_values(ctx: ProbeContext) -> None:
    torch = _torch()
    rng = ctx.rng("mse")
    cases = {"n10_col_vs_flat": ((10, 1), (10,)), "n10_col": ((10, 1), (10, 1)), "n7_flat": ((7,), (7,)),
             "n5_flat_vs_col": ((5,), (5, 1))}
    for tag, (shape_p, shape_y) in cases.items():
        prediction = torch.tensor(rng.normal(size=shape_p), dtype=torch.float32)
        labels = torch.tensor(rng.normal(size=shape_y), dtype=torch.float32)
        call = f"mse_loss(prediction of shape {shape_p}, labels of shape {shape_y})"
        key = f"mse.value[{tag}]"
        with ctx.attempt(key, call=call):
            out = ctx.get("mse_loss")(prediction, labels)
            ctx.record(key, as_float64(out), call=call, what="the loss", dtype="float32")


def _gd_case(ctx: ProbeContext, which: int, prefix: str, label: str) -> None:
    model = probe_model(ctx, "gd-model")
    x, y, xvalid, yvalid = probe_data(ctx, "gd-data")
    call = f"gradient_descent(model, loss_func, x, y, xvalid, yvalid, lr={GD_LR}, steps={GD_STEPS}) ({label})"
    keys = [f"{prefix}.params[1-8-1]", f"{prefix}.losses[1-8-1]"]
    with ctx.attempt(*keys, call=call):
        out = version(ctx, "gradient_descent", which)(model, good_mse, x, y, xvalid, yvalid, lr=GD_LR, steps=GD_STEPS)
        losses, valid = history(out, call)
        ctx.record(keys[0], flat_parameters(model), call=call, what="the parameters after training", dtype="float32")
        if len(losses) != GD_STEPS or len(valid) != GD_STEPS:
            raise ProbeFailure(f"{call} returned {len(losses)} training and {len(valid)} validation losses; "
                               f"expected {GD_STEPS} of each")
        ctx.record(keys[1], np.array(losses + valid), call=call, what="[losses, valid_losses]", dtype="float32")


def gd_first(ctx: ProbeContext) -> None:
    _gd_case(ctx, 0, "gd.first", "your first gradient_descent, Q2")


def gd_last(ctx: ProbeContext) -> None:
    _gd_case(ctx, -1, "gd.last", "your last gradient_descent, Q14")


def gd_modes(ctx: ProbeContext) -> None:
    """Q14: model.train() for the training forward, model.eval() for the validation forward."""
    _, ModeRecorder = probe_modules()
    recorder = ModeRecorder()
    model = probe_model(ctx, "mode-model", recorder=recorder)
    x, y, xvalid, yvalid = probe_data(ctx, "mode-data")
    call = f"gradient_descent(model, loss_func, x, y, xvalid, yvalid, lr={GD_LR}, steps={GD_STEPS}) (your last one, Q14)"
    with ctx.attempt("gd.modes[q14]", call=call):
        model.eval()  # a function that never calls train() would otherwise look right
        version(ctx, "gradient_descent", -1)(model, good_mse, x, y, xvalid, yvalid, lr=GD_LR, steps=GD_STEPS)
        on_x = [training for seen, training in recorder.seen if seen == id(x)]
        on_valid = [training for seen, training in recorder.seen if seen == id(xvalid)]
        if not on_x or not on_valid:
            raise ProbeFailure("the model was not called on x and on xvalid")
        ctx.record("gd.modes[q14]", np.array([np.mean(on_x), 1 - np.mean(on_valid)]), call=call,
                   what="[share of training forwards in train mode, share of validation forwards in eval mode]")


# ---------------------------------------------------------------- Q8, Q10, Q11


def _scripted_run(ctx: ProbeContext, name: str, script: list[float], steps: int, key: str, expected: int, call: str) -> None:
    model = probe_model(ctx, f"{name}-model")
    x, y, xvalid, yvalid = probe_data(ctx, f"{name}-data")
    with ctx.attempt(key, call=call):
        loss = ScriptedLoss(yvalid, script)
        out = ctx.get(name)(model, loss, x, y, xvalid, yvalid, lr=0.01, steps=steps)
        _, valid = history(out, call)
        ctx.record(key, np.array([len(valid) - expected], dtype=float), call=call,
                   what=f"the number of validation losses returned minus {expected}")


def early_stopping(ctx: ProbeContext) -> None:
    rising = [10.0 - i for i in range(EARLY_FIRST_RISE)]
    rising += [rising[-1] + 0.5] + [2.0 - 0.01 * i for i in range(40)]
    _scripted_run(ctx, "gradient_descent_early_stopping", rising, 30, "early.stop[rise]", EARLY_FIRST_RISE,
                  "gradient_descent_early_stopping(model, loss_func, ..., steps=30) with validation losses "
                  f"10, 9, ..., {rising[EARLY_FIRST_RISE - 1]:g}, {rising[EARLY_FIRST_RISE]:g}, ...: the first rise is at "
                  f"iteration {EARLY_FIRST_RISE} (from 0)")
    falling = [10.0 - 0.1 * i for i in range(40)]
    _scripted_run(ctx, "gradient_descent_early_stopping", falling, 12, "early.stop[falling]", 12,
                  "gradient_descent_early_stopping(model, loss_func, ..., steps=12) with validation losses that only go down")


def patient_script() -> list[float]:
    """100 - t, a spike at 20 (before 50: ignored), a bump at 60 (below the mean of the previous 50, above the
    mean of the previous 10 and the previous value), and at 90 a value above the mean of the previous 50."""
    script = [100.0 - t for t in range(200)]
    script[20] = 150.0
    script[60] = 55.0
    script[PATIENT_STOP] = 50.0
    return script


def patient_early_stopping(ctx: ProbeContext) -> None:
    _scripted_run(ctx, "gradient_descent_patient_early_stopping", patient_script(), 150, "patient.stop[bumps]",
                  PATIENT_STOP, "gradient_descent_patient_early_stopping(model, loss_func, ..., steps=150) with "
                  f"validation losses 100 - t, a spike at t = 20, a bump at t = 60 and a rise at t = {PATIENT_STOP}")
    _scripted_run(ctx, "gradient_descent_patient_early_stopping", [100.0 - t for t in range(100)], 60,
                  "patient.stop[falling]", 60,
                  "gradient_descent_patient_early_stopping(model, loss_func, ..., steps=60) with validation losses that only go down")


def l1(ctx: ProbeContext) -> None:
    model = probe_model(ctx, "l1-model", sizes=(1, 6, 1))
    x, y, xvalid, yvalid = probe_data(ctx, "l1-data")
    call = "gradient_descent_l1(model, loss_func, x, y, xvalid, yvalid, lr=0.05, l1_weight=2.0, steps=1)"
    with ctx.attempt("l1.weights[1-6-1]", "l1.valid.returned[1-6-1]", "l1.valid.recomputed[1-6-1]", call=call):
        out = ctx.get("gradient_descent_l1")(model, good_mse, x, y, xvalid, yvalid, lr=0.05, l1_weight=2.0, steps=1)
        _, valid = history(out, call)
        ctx.record("l1.weights[1-6-1]", flat_parameters(model, only_matrices=True), call=call,
                   what="the weight matrices after one step", dtype="float32")
        if len(valid) != 1:
            raise ProbeFailure(f"{call} returned {len(valid)} validation losses; expected 1")
        torch = _torch()
        with torch.no_grad():
            recomputed = float(good_mse(model(xvalid), yvalid))
        ctx.record("l1.valid.returned[1-6-1]", np.array(valid), call=call, what="the returned validation loss", dtype="float32")
        ctx.record("l1.valid.recomputed[1-6-1]", np.array([recomputed]), call=call,
                   what="the MSE of the updated model on the validation data (no penalty)", dtype="float32")


# ---------------------------------------------------------------- Q5, Q7: initialisation


def _parameter(layer, name: str, dims: int, what: str):
    value = getattr(layer, name, None)
    if value is None or getattr(value, "dim", lambda: -1)() != dims:
        candidates = [p for p in layer.parameters() if p.dim() == dims]
        if not candidates:
            raise ProbeFailure(f"{what} has no {name} parameter")
        value = candidates[0]
    return tensor_values(value).ravel()


def _init(ctx: ProbeContext, cls_name: str, cases, tag: str) -> None:
    for n_in, n_out, count in cases:
        keys = [f"init.{tag}.w[{n_in}_{n_out}]", f"init.{tag}.b[{n_in}_{n_out}]"]
        call = f"{count} fresh {cls_name}({n_in}, {n_out}) layers"
        with ctx.attempt(*keys, call=call):
            cls = ctx.get(cls_name)
            layers = [cls(n_in, n_out) for _ in range(count)]
            meta = {"call": call, "fan_in": n_in, "fan_out": n_out}
            ctx.record(keys[0], np.concatenate([_parameter(m, "weights", 2, cls_name) for m in layers]), what="weights", **meta)
            ctx.record(keys[1], np.concatenate([_parameter(m, "bias", 1, cls_name) for m in layers]), what="bias", **meta)


def init_normal(ctx: ProbeContext) -> None:
    _init(ctx, "LinearNormal", INIT_NORMAL, "normal")


def init_kaiming(ctx: ProbeContext) -> None:
    _init(ctx, "LinearKaiming", INIT_KAIMING, "kaiming")


# ---------------------------------------------------------------- Q3, Q7, Q14: the models the notebook built


def _flat_modules(model) -> list:
    torch = _torch()
    out = []
    for module in model.children():
        out.extend(_flat_modules(module) if isinstance(module, torch.nn.Sequential) else [module])
    return out


def describe(model) -> list[str]:
    """["LinearZeros(1, 20)", "ReLU", ...]: class names, and (in, out) of every layer with a weight matrix."""
    parts = []
    for module in _flat_modules(model):
        name = type(module).__name__
        matrices = [p for p in module.parameters(recurse=False) if p.dim() == 2]
        if matrices:
            weight = getattr(module, "weights", None)
            shape = tuple(weight.shape) if weight is not None and weight.dim() == 2 else tuple(reversed(matrices[0].shape))
            parts.append(f"{name}({shape[0]}, {shape[1]})")
        else:
            parts.append(name)
    return parts


def built_models(ctx: ProbeContext) -> list[tuple[str, str | None, Any, str]]:
    """(layer class name, dropout class name, model, where) for every model the notebook built, handout's first."""
    torch = _torch()
    found, seen = [], set()
    support = sys.modules.get("hw7_support")
    for layer, dropout, model in list(getattr(support, "_BUILT", []) or []):
        if isinstance(model, torch.nn.Module) and id(model) not in seen:
            seen.add(id(model))
            found.append((layer, dropout, model, f"the model you passed to test_build(..., {layer}, ...)"))
    run = current_run()
    candidates = [(f"model (as of cell {cell})", obj) for cell, obj in (run.versions.get("model", []) if run else [])]
    candidates += [(name, obj) for name, obj in list(ctx.namespace.items()) if not name.startswith("_")]
    for where, model in candidates:
        if isinstance(model, torch.nn.Sequential) and id(model) not in seen:
            seen.add(id(model))
            names = [type(m).__name__ for m in _flat_modules(model)]
            layer = next((n for n in names if n.startswith("Linear")), None)
            dropout = "Dropout" if any("Dropout" in n for n in names) else None
            found.append((layer, dropout, model, where))
    return found


def _architecture(ctx: ProbeContext, key: str, layer: str, dropout: bool, call: str) -> None:
    with ctx.attempt(key, call=call):
        matches = [(m, where) for l, d, m, where in built_models(ctx) if l == layer and (d is not None) == dropout]
        if not matches:
            raise ProbeFailure(f"no nn.Sequential of {layer} layers{' with dropout' if dropout else ''} was found: "
                               f"call test_build(model, {layer}{', dropout_type=Dropout' if dropout else ''}, ...) with it")
        model, where = matches[0]
        parts = [("Dropout" if "Dropout" in part else part) for part in describe(model)]
        ctx.record(key, parts, call=f"{call}: {where}", what="the layers")


def architectures(ctx: ProbeContext) -> None:
    _architecture(ctx, "arch.zeros[q3]", "LinearZeros", False, "the Q3 network")
    _architecture(ctx, "arch.dropout[q14]", "LinearKaiming", True, "the Q14 network")


def kaiming_trained(ctx: ProbeContext) -> None:
    """Predictions of every trained LinearKaiming network without dropout on fresh inputs (the best counts)."""
    torch = _torch()
    x = torch.tensor(ctx.inputs("train_dist_x"), dtype=torch.float32)
    models = [(m, where) for layer, dropout, m, where in built_models(ctx) if layer == "LinearKaiming" and dropout is None]
    if not models:
        ctx.record_failure("trained.pred[none]", "No trained network of LinearKaiming layers (without dropout) was found "
                           "after running the notebook.")
    for index, (model, where) in enumerate(models[:MAX_MODELS]):
        key = f"trained.pred[{index}]"
        with ctx.attempt(key, call=f"{where}(x of shape {tuple(x.shape)})", where=where):
            model.eval()
            with torch.no_grad():
                pred = model(x.clone())
            ctx.record(key, tensor_values(pred).reshape(-1), where=where, what="predictions")
        with ctx.attempt(f"trained.provenance[{index}]", where=where):
            ctx.record(f"trained.provenance[{index}]", _provenance(model, x, where), where=where)


def _provenance(model: Any, x: Any, where: str) -> dict:
    """Do the predictions come from the trained weights? They must move when every weight tensor is halved."""
    torch = _torch()
    moved = copy.deepcopy(model)
    tensors = {id(t): t for t in moved.parameters()}
    for module in moved.modules():  # weights kept as plain tensor attributes count too
        tensors.update({id(v): v for v in vars(module).values() if isinstance(v, torch.Tensor) and v.is_floating_point()})
    if not tensors:
        return {"problems": []}  # nothing to move: no evidence either way
    with torch.no_grad():
        before = model(x.clone())
        for tensor in tensors.values():
            tensor.mul_(0.5)
        after = moved(x.clone())
    if float((after - before).abs().max()) <= 1e-9:
        return {"problems": [f"{where} gave the same predictions after every weight and bias in it was halved"]}
    return {"problems": []}


# ---------------------------------------------------------------- Q13: Dropout


def _dropout(ctx: ProbeContext, rate: float | None):
    cls = ctx.get("Dropout")
    return cls() if rate is None else cls(rate)


def dropout_train(ctx: ProbeContext) -> None:
    torch = _torch()
    rng = ctx.rng("dropout")
    x = torch.tensor(rng.uniform(0.5, 1.5, size=DROPOUT_SHAPE), dtype=torch.float32)
    for rate, tag in ((None, "default"), (0.5, "r0.5"), (0.2, "r0.2")):
        r = 0.01 if rate is None else rate
        text = "Dropout()" if rate is None else f"Dropout({rate})"
        call = f"{text} in training mode on x of shape {DROPOUT_SHAPE} (entries in [0.5, 1.5])"
        keys = [f"dropout.zero_z[{tag}]", f"dropout.kept_change[{tag}]", f"dropout.mask_change[{tag}]"]
        with ctx.attempt(*keys, call=call):
            layer = _dropout(ctx, rate)
            layer.train()
            first, second = layer(x.clone()), layer(x.clone())
            if tuple(first.shape) != DROPOUT_SHAPE:
                raise ProbeFailure(f"{call} returned shape {tuple(first.shape)}")
            zeros = (first == 0).numpy()
            n = zeros.size
            ctx.record(keys[0], np.array([(zeros.mean() - r) / np.sqrt(r * (1 - r) / n)]), call=call,
                       what=f"(share of zeros - {r}) / its standard error")
            kept = ~zeros
            change = float(np.max(np.abs(first.numpy()[kept] / x.numpy()[kept] - 1))) if kept.any() else 0.0
            ctx.record(keys[1], np.array([change]), call=call, what="the largest relative change of a kept entry")
            differ = float(np.mean(zeros != (second == 0).numpy()))
            ctx.record(keys[2], np.array([differ / (2 * r * (1 - r))]), call=call + ", called twice",
                       what="the share of entries whose mask differs between the two calls, over its expected value 2r(1 - r)")


def dropout_eval(ctx: ProbeContext) -> None:
    torch = _torch()
    x = torch.tensor(ctx.rng("dropout-eval").normal(size=(6, 7)), dtype=torch.float32)
    for rate, tag in ((None, "default"), (0.5, "r0.5")):
        call = f"{'Dropout()' if rate is None else f'Dropout({rate})'} in eval mode on x of shape (6, 7)"
        key = f"dropout.eval[{tag}]"
        with ctx.attempt(key, call=call):
            layer = _dropout(ctx, rate)
            layer.eval()
            out = layer(x.clone())
            ctx.record(key, tensor_values(out), call=call, what="the output", dtype="float32")


STEPS: list[Callable[[ProbeContext], None]] = [
    mse_values, gd_first, gd_last, gd_modes, early_stopping, patient_early_stopping, l1, init_normal, init_kaiming,
    architectures, kaiming_trained, dropout_train, dropout_eval,
]
