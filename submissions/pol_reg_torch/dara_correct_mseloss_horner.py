import math

import matplotlib.pyplot as plt
import torch
from torch import nn

N_TRAIN = 15
SIGMA_NOISE = 0.1
ORDER = 3

SGD_LR = 6e-5          # a little below the best one, safer
MOMENTUM_LR = 1e-4
MOMENTUM = 0.9
ADAM_LR = 0.02
LBFGS_KWARGS = {"lr": 1, "line_search_fn": "strong_wolfe", "history_size": 20}

loss_fn = nn.MSELoss()


def make_data():
    torch.manual_seed(0xDEADBEEF)
    x_train = torch.rand(N_TRAIN) * 2 * torch.pi
    y_train = torch.sin(x_train) + torch.randn(N_TRAIN) * SIGMA_NOISE
    return x_train, y_train


def features(x, order=ORDER):
    cols = [torch.ones_like(x)]
    for _ in range(order):
        cols.append(cols[-1] * x)
    return torch.stack(cols, 1)


def predict(w, x):
    # Horner: ((w3 x + w2) x + w1) x + w0
    out = w[-1] * torch.ones_like(x)
    for coef in reversed(w[:-1]):
        out = out * x + coef
    return out


def mse(w, x, y):
    return loss_fn(predict(w, x), y)


def closed_form(x, y, order=ORDER):
    X = features(x, order)
    return torch.linalg.lstsq(X, y.reshape(-1, 1), driver="gelsd").solution.flatten()


def hessian(x, order=ORDER):
    X = features(x, order)
    return X.T.matmul(X).mul(2).div(len(x))


def init_ones():
    return torch.ones(ORDER + 1)


def init_tenth_powers():
    return torch.tensor([10.0 ** -k for k in range(ORDER + 1)])


def fit(x, y, w0, opt_cls, steps=100, **opt_kwargs):
    w = w0.detach().clone().requires_grad_()
    opt = opt_cls([w], **opt_kwargs)
    losses = []

    def closure():
        opt.zero_grad()
        loss = mse(w, x, y)
        loss.backward()
        return loss

    for _ in range(steps):
        if isinstance(opt, torch.optim.LBFGS):
            losses.append(opt.step(closure).item())
            continue
        loss = closure()
        losses.append(loss.item())
        opt.step()
    return w.detach(), losses


def best_sgd_lr(x, y, lrs, steps=100):
    scores = {}
    for lr in lrs:
        w, _ = fit(x, y, init_ones(), torch.optim.SGD, steps, lr=lr)
        scores[lr] = mse(w, x, y).item()
    usable = {lr: s for lr, s in scores.items() if math.isfinite(s)}
    lr = min(usable, key=usable.get)
    return lr, usable[lr]


if __name__ == "__main__":
    x, y = make_data()
    w_exact = closed_form(x, y)
    print(f"exact: {w_exact.tolist()} mse={mse(w_exact, x, y).item():.5f}")
    lam = torch.linalg.eigvalsh(hessian(x).double())
    print(f"condition number {lam[-1] / lam[0]:.3e}")
    lr, loss = best_sgd_lr(x, y, [2e-5, 4e-5, 6e-5, 7e-5, 8e-5])
    print(f"best lr {lr:g}: {loss:.3f}")
    w_m, l_m = fit(x, y, init_tenth_powers(), torch.optim.SGD, lr=MOMENTUM_LR, momentum=MOMENTUM)
    w_a, l_a = fit(x, y, init_tenth_powers(), torch.optim.Adam, lr=ADAM_LR)
    w_l, l_l = fit(x, y, init_tenth_powers(), torch.optim.LBFGS, 20, **LBFGS_KWARGS)
    for name, w in (("momentum", w_m), ("adam", w_a), ("lbfgs", w_l)):
        print(name, mse(w, x, y).item())
    plt.figure()
    plt.semilogy(l_m, label="momentum")
    plt.semilogy(l_a, label="adam")
    plt.semilogy(l_l, label="lbfgs")
    plt.legend()
    plt.figure()
    xx = torch.linspace(0, 2 * math.pi, 100)
    plt.plot(xx, torch.sin(xx))
    plt.scatter(x, y)
    plt.plot(xx, predict(w_exact, xx))
    plt.plot(xx, predict(w_a, xx))
    plt.show()
