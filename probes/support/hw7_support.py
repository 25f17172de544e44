"""Support code for Homework 7 (PyTorch), as the grader ships it: the notebook does `from hw7_support import *`.

Written for the grader (the handout's own file is downloaded by a Colab cell that cannot run offline). It
provides what the notebook calls: `plotRegression` and the handout's embedded checks `test_gradient_descent`,
`test_build`, `test_normal`, `test_kaiming` and `test_dropout` (each raises AssertionError with a message when
the check fails, like the original), and re-exports `np` and `tqdm`, which the notebook uses without importing.

`tqdm` here is a quiet stand-in: `tqdm.trange(n)` is `range(n)` and `tqdm.tqdm(it)` is `it`, so thousands of
training steps print no progress bars into the graded output. The models passed to `test_build` are kept in
`_BUILT` (not exported): the grader's probe reads it to find the model each question built.
"""
from __future__ import annotations

import types

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn as nn

__all__ = ["np", "tqdm", "plotRegression", "test_gradient_descent", "test_build", "test_normal", "test_kaiming",
           "test_dropout"]

#: (layer class name, dropout class name or None, model) for every call of test_build, in order
_BUILT: list[tuple[str, str | None, nn.Module]] = []


def _quiet_range(*args, **kwargs):  # noqa: ARG001 - tqdm's keyword arguments (desc, leave, ...) are ignored
    return range(*args)


def _quiet_iter(iterable=None, *args, **kwargs):  # noqa: ARG001
    return iterable if iterable is not None else []


tqdm = types.SimpleNamespace(trange=_quiet_range, tqdm=_quiet_iter)
tqdm.notebook = tqdm
tqdm.auto = tqdm


def plotRegression(x, y, xvalid, yvalid, loss_history=None, valid_loss_history=None, model=None):
    """Training and validation data, the model's curve if given, and the loss histories if given."""
    with_losses = loss_history is not None or valid_loss_history is not None
    fig, axes = plt.subplots(1, 2 if with_losses else 1, figsize=(10 if with_losses else 5, 3.5))
    ax = axes[0] if with_losses else axes
    ax.scatter(x.detach().numpy().ravel(), y.detach().numpy().ravel(), s=6, label="training data")
    ax.scatter(xvalid.detach().numpy().ravel(), yvalid.detach().numpy().ravel(), s=6, label="validation data")
    if model is not None:
        grid = torch.linspace(float(x.min()), float(x.max()), 300).reshape(-1, 1)
        was_training = model.training
        model.eval()
        with torch.no_grad():
            ax.plot(grid.numpy().ravel(), model(grid).detach().numpy().ravel(), "k", label="model")
        model.train(was_training)
    ax.legend()
    if with_losses:
        for history, label in ((loss_history, "training loss"), (valid_loss_history, "validation loss")):
            if history is not None:
                axes[1].plot([float(v) for v in history], label=label)
        axes[1].set_yscale("log")
        axes[1].set_xlabel("step")
        axes[1].legend()
    plt.show()


def _small_model(seed: int = 0) -> nn.Module:
    generator = torch.Generator().manual_seed(seed)
    model = nn.Sequential(nn.Linear(1, 4), nn.ReLU(), nn.Linear(4, 1))
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=generator) * 0.5)
    return model


def test_gradient_descent(fn, loss_func, x, y, xvalid, yvalid, l1=False):
    """Two steps of `fn` on a small model: two histories of length 2, parameters moved by SGD, and the last
    validation loss that of the updated model (without any penalty)."""
    model = _small_model()
    before = [p.detach().clone() for p in model.parameters()]
    steps = 2
    if l1:
        out = fn(model, loss_func, x, y, xvalid, yvalid, lr=0.01, l1_weight=0.5, steps=steps)
    else:
        out = fn(model, loss_func, x, y, xvalid, yvalid, lr=0.01, steps=steps)
    assert isinstance(out, (tuple, list)) and len(out) == 2, "return (losses, valid_losses)"
    losses, valid_losses = out
    assert len(losses) == steps and len(valid_losses) == steps, f"expected {steps} losses of each kind"
    assert any(not torch.equal(a, b.detach()) for a, b in zip(before, model.parameters())), "the parameters did not change"
    with torch.no_grad():
        expected = float(loss_func(model(xvalid), yvalid))
    assert abs(float(valid_losses[-1]) - expected) <= 1e-4 * max(1.0, abs(expected)), \
        "the validation loss should be the loss of the updated model on the validation data, without any penalty"
    print("test_gradient_descent passed")


def _modules(model: nn.Module) -> list[nn.Module]:
    flat = []
    for module in model.children():
        flat.extend(_modules(module) if isinstance(module, nn.Sequential) else [module])
    return flat


def test_build(model, layer_cls, dropout_type=None, type="zeros"):  # noqa: A002 - the handout's argument name
    """5 `layer_cls` layers (1, 20), (20, 20) x 3, (20, 1); a ReLU after each hidden one; a `dropout_type`
    before every linear layer if given; all parameters 0 ('zeros') or not all 0 ('normal')."""
    _BUILT.append((layer_cls.__name__, dropout_type.__name__ if dropout_type is not None else None, model))
    assert isinstance(model, nn.Sequential), "the model should be an nn.Sequential"
    modules = _modules(model)
    linear = [m for m in modules if isinstance(m, layer_cls)]
    shapes = [tuple(m.weights.shape) for m in linear]
    assert shapes == [(1, 20), (20, 20), (20, 20), (20, 20), (20, 1)], f"linear layers of shapes {shapes}"
    expected = []
    for i in range(5):
        if dropout_type is not None:
            expected.append(dropout_type)
        expected.append(layer_cls)
        if i < 4:
            expected.append(nn.ReLU)
    actual = [type_ for type_ in (m.__class__ for m in modules)]
    assert len(actual) == len(expected) and all(issubclass(a, e) for a, e in zip(actual, expected)), \
        f"expected {[e.__name__ for e in expected]}, got {[a.__name__ for a in actual]}"
    zero = all(bool((p == 0).all()) for p in model.parameters())
    assert zero if type == "zeros" else not zero, f"parameters should {'all' if type == 'zeros' else 'not all'} be 0"
    print("test_build passed")


def test_normal(LinearNormal):  # noqa: N803 - the handout's argument name
    layer = LinearNormal(200, 300)
    assert tuple(layer.weights.shape) == (200, 300) and tuple(layer.bias.shape) == (300,), "weights (in, out), bias (out,)"
    w = layer.weights.detach()
    assert abs(float(w.mean())) < 0.02 and abs(float(w.std()) - 1) < 0.02, "weights ~ N(0, 1)"
    b = torch.cat([LinearNormal(2, 300).bias.detach() for _ in range(20)])
    assert abs(float(b.mean())) < 0.05 and abs(float(b.std()) - 1) < 0.05, "bias ~ N(0, 1)"
    print("test_normal passed")


def test_kaiming(LinearKaiming):  # noqa: N803
    for d in (10, 100, 400):
        layer = LinearKaiming(d, 500)
        assert tuple(layer.weights.shape) == (d, 500) and tuple(layer.bias.shape) == (500,), "weights (in, out), bias (out,)"
        w = layer.weights.detach()
        expected = 1 / np.sqrt(d)
        assert abs(float(w.mean())) < 5 * expected / np.sqrt(w.numel()) + 1e-3, "weights should have mean 0"
        assert abs(float(w.std()) / expected - 1) < 0.05, f"weights should have std 1/sqrt({d}) = {expected:.4f}"
        assert bool((layer.bias == 0).all()), "the bias should be 0"
    print("test_kaiming passed")


def test_dropout(Dropout):  # noqa: N803
    layer = Dropout()
    assert abs(layer.rate - 0.01) < 1e-12, "the default rate is 0.01"
    for rate in (0.01, 0.5):
        layer = Dropout(rate)
        layer.train()
        x = torch.rand(200, 500) + 0.5
        out = layer(x)
        assert out.shape == x.shape, "same shape in and out"
        zero = float((out == 0).float().mean())
        assert abs(zero - rate) < 5 * np.sqrt(rate * (1 - rate) / x.numel()), f"about {rate:.0%} zeros, got {zero:.2%}"
        kept = out != 0
        assert torch.allclose(out[kept], x[kept]), "kept entries must be unchanged (no rescaling while training)"
        assert not torch.equal(layer(x) == 0, out == 0), "every call draws a new mask"
        layer.eval()
        assert torch.allclose(layer(x), (1 - rate) * x, rtol=1e-6), "in eval mode the output is (1 - rate) * x"
    print("test_dropout passed")
