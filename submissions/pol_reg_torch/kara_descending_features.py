# np.polyfit convention: highest power first
import numpy as np
import torch
import matplotlib.pyplot as plt

SGD_LR = 7e-5
MOMENTUM_LR = 1.3e-4
MOMENTUM = 0.9
ADAM_LR = 0.03
LBFGS_KWARGS = {"lr": 1, "line_search_fn": "strong_wolfe"}


def make_data():
    torch.manual_seed(0xDEADBEEF)
    x = torch.rand(15) * 2 * torch.pi
    y = torch.sin(x) + torch.randn(15) * 0.1
    return x, y


def features(x, order=3):
    return torch.vander(x, N=order + 1)  # columns x^3, x^2, x, 1


def predict(w, x):
    return features(x, len(w) - 1) @ w


def mse(w, x, y):
    return torch.mean((predict(w, x) - y) ** 2)


def closed_form(x, y, order=3):
    return torch.linalg.lstsq(features(x, order), y.unsqueeze(1)).solution.squeeze(1)


def hessian(x, order=3):
    X = features(x, order)
    return 2 / len(x) * X.T @ X


def init_ones():
    return torch.ones(4)


def init_tenth_powers():
    return torch.tensor([0.001, 0.01, 0.1, 1.0])  # x^3 gets 0.1^3 in this ordering


def fit(x, y, w0, opt_cls, steps=100, **opt_kwargs):
    w = w0.detach().clone().requires_grad_(True)
    opt = opt_cls([w], **opt_kwargs)

    def closure():
        opt.zero_grad()
        loss = mse(w, x, y)
        loss.backward()
        return loss

    losses = []
    for _ in range(steps):
        losses.append(opt.step(closure).item())
    return w.detach(), losses


def best_sgd_lr(x, y, lrs, steps=100):
    finals = np.array([mse(fit(x, y, init_ones(), torch.optim.SGD, steps, lr=lr)[0], x, y).item() for lr in lrs])
    finals[~np.isfinite(finals)] = np.inf
    i = int(np.argmin(finals))
    return lrs[i], float(finals[i])


if __name__ == "__main__":
    x, y = make_data()
    w_cf = closed_form(x, y)
    print("closed form", w_cf, "numpy says", np.polyfit(x.numpy(), y.numpy(), 3))
    print("best lr", best_sgd_lr(x, y, [1e-6, 1e-5, 3e-5, 5e-5, 7e-5, 1e-4]))
    plt.figure()
    for name, w0, cls, kw in [("SGD", init_ones(), torch.optim.SGD, {"lr": SGD_LR}),
                              ("momentum", init_tenth_powers(), torch.optim.SGD, {"lr": MOMENTUM_LR, "momentum": MOMENTUM}),
                              ("Adam", init_tenth_powers(), torch.optim.Adam, {"lr": ADAM_LR}),
                              ("LBFGS", init_tenth_powers(), torch.optim.LBFGS, LBFGS_KWARGS)]:
        w, losses = fit(x, y, w0, cls, **kw)
        print(name, mse(w, x, y).item())
        plt.semilogy(losses, label=name)
    plt.legend()
    plt.figure()
    t = torch.linspace(0, 2 * torch.pi, 100)
    plt.plot(t, torch.sin(t))
    plt.scatter(x, y)
    plt.plot(t, predict(w_cf, t))
