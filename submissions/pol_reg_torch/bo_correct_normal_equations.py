"""Polynomial regression: closed form via the normal equations, Hessian with autograd."""
import torch
import matplotlib.pyplot as plt
from torch.autograd.functional import hessian as autograd_hessian

SGD_LR = 7.2e-5
MOMENTUM = 0.9
MOMENTUM_LR = 1.3e-4
ADAM_LR = 0.03
LBFGS_KWARGS = dict(lr=1.0, line_search_fn="strong_wolfe", max_iter=50)


def make_data():
    torch.manual_seed(0xDEADBEEF)
    x = torch.rand(15) * 2 * torch.pi
    noise = torch.randn(15) * 0.1
    return x, torch.sin(x) + noise


def features(x, order=3):
    return torch.cat([(x ** k).unsqueeze(1) for k in range(order + 1)], dim=1)


def predict(w, x):
    out = torch.zeros_like(x)
    for k in range(len(w)):
        out = out + w[k] * x ** k
    return out


def mse(w, x, y):
    return torch.nn.functional.mse_loss(predict(w, x), y)


def closed_form(x, y, order=3):
    X = features(x, order)
    return torch.linalg.solve(X.T @ X, X.T @ y)


def hessian(x, order=3):
    y = torch.zeros_like(x)  # the Hessian of a quadratic loss does not depend on y
    return autograd_hessian(lambda w: mse(w, x, y), torch.zeros(order + 1, dtype=x.dtype))


def init_ones():
    return torch.ones(4)


def init_tenth_powers():
    return torch.pow(0.1, torch.arange(4.0))


def fit(x, y, w0, opt_cls, steps=100, **opt_kwargs):
    w = torch.nn.Parameter(w0.detach().clone())
    opt = opt_cls([w], **opt_kwargs)
    losses = []
    for step in range(steps):
        if isinstance(opt, torch.optim.LBFGS):
            def closure():
                opt.zero_grad()
                l = mse(w, x, y)
                l.backward()
                return l
            losses.append(float(opt.step(closure)))
        else:
            opt.zero_grad()
            loss = mse(w, x, y)
            loss.backward()
            opt.step()
            losses.append(loss.item())
    return w.detach(), losses


def best_sgd_lr(x, y, lrs, steps=100):
    finals = {}
    for lr in lrs:
        w, _ = fit(x, y, init_ones(), torch.optim.SGD, steps=steps, lr=lr)
        final = mse(w, x, y).item()
        if final == final and final != float("inf"):
            finals[lr] = final
    lr = min(finals, key=finals.get)
    return lr, finals[lr]


if __name__ == "__main__":
    x_train, y_train = make_data()
    w_exact = closed_form(x_train, y_train)
    print("exact weights:", w_exact.tolist(), "loss:", mse(w_exact, x_train, y_train).item())
    ev = torch.linalg.eigvalsh(hessian(x_train).double())
    print("condition number", (ev.max() / ev.min()).item(), "2/lambda_max", 2 / ev.max().item())
    lr, final = best_sgd_lr(x_train, y_train, [1e-6, 1e-5, 3e-5, 5e-5, 6e-5, 7e-5, 7.2e-5, 7.5e-5, 1e-4])
    print("best SGD lr", lr, final)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    results = {}
    for name, w0, cls, kw in [
        ("sgd", init_ones(), torch.optim.SGD, {"lr": SGD_LR}),
        ("momentum", init_tenth_powers(), torch.optim.SGD, {"lr": MOMENTUM_LR, "momentum": MOMENTUM}),
        ("adam", init_tenth_powers(), torch.optim.Adam, {"lr": ADAM_LR}),
        ("lbfgs", init_tenth_powers(), torch.optim.LBFGS, LBFGS_KWARGS),
    ]:
        w, losses = fit(x_train, y_train, w0, cls, **kw)
        results[name] = w
        print(name, "final loss", mse(w, x_train, y_train).item())
        ax1.plot(losses, label=name)
    ax1.set_yscale("log")
    ax1.legend()
    grid = torch.linspace(0, 6.3, 200)
    ax2.plot(grid, torch.sin(grid), label="ground truth")
    ax2.scatter(x_train, y_train, label="train")
    ax2.plot(grid, predict(w_exact, grid), label="closed form")
    ax2.plot(grid, predict(results["lbfgs"], grid), "--", label="LBFGS")
    ax2.legend()
    plt.show()
