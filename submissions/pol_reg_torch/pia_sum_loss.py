import torch
import matplotlib.pyplot as plt

# learning rates tuned for a summed loss (15 times the mean)
SGD_LR = 4.8e-6
MOMENTUM_LR = 8.7e-6
MOMENTUM = 0.9
ADAM_LR = 0.03
LBFGS_KWARGS = {"lr": 1, "line_search_fn": "strong_wolfe"}


def make_data():
    torch.manual_seed(0xDEADBEEF)
    x = torch.rand(15) * 2 * torch.pi
    y = torch.sin(x) + torch.randn(15) * 0.1
    return x, y


def features(x, order=3):
    return torch.stack([x ** k for k in range(order + 1)], dim=1)


def predict(w, x):
    return features(x, len(w) - 1) @ w


def mse(w, x, y):
    return torch.nn.functional.mse_loss(predict(w, x), y, reduction="sum")


def closed_form(x, y, order=3):
    return torch.linalg.lstsq(features(x, order), y.unsqueeze(1)).solution.squeeze(1)


def hessian(x, order=3):
    return torch.autograd.functional.hessian(lambda w: mse(w, x, torch.zeros_like(x)), torch.zeros(order + 1))


def init_ones():
    return torch.ones(4)


def init_tenth_powers():
    return 0.1 ** torch.arange(4.0)


def fit(x, y, w0, opt_cls, steps=100, **opt_kwargs):
    w = w0.detach().clone().requires_grad_(True)
    opt = opt_cls([w], **opt_kwargs)

    def closure():
        opt.zero_grad()
        loss = mse(w, x, y)
        loss.backward()
        return loss

    losses = [opt.step(closure).item() for _ in range(steps)]
    return w.detach(), losses


def best_sgd_lr(x, y, lrs, steps=100):
    best = (None, float("inf"))
    for lr in lrs:
        w, _ = fit(x, y, init_ones(), torch.optim.SGD, steps, lr=lr)
        loss = mse(w, x, y).item()
        if loss < best[1]:
            best = (lr, loss)
    return best


if __name__ == "__main__":
    x, y = make_data()
    print("best lr", best_sgd_lr(x, y, [1e-7, 1e-6, 3e-6, 4.8e-6, 6e-6]))
    plt.figure()
    for name, w0, cls, kw in [("SGD", init_ones(), torch.optim.SGD, {"lr": SGD_LR}),
                              ("momentum", init_tenth_powers(), torch.optim.SGD, {"lr": MOMENTUM_LR, "momentum": MOMENTUM}),
                              ("Adam", init_tenth_powers(), torch.optim.Adam, {"lr": ADAM_LR}),
                              ("LBFGS", init_tenth_powers(), torch.optim.LBFGS, LBFGS_KWARGS)]:
        w, losses = fit(x, y, w0, cls, **kw)
        print(name, mse(w, x, y).item() / len(x))
        plt.semilogy(losses, label=name)
    plt.legend()
    plt.figure()
    t = torch.linspace(0, 2 * torch.pi, 100)
    plt.plot(t, torch.sin(t))
    plt.scatter(x, y)
    plt.plot(t, predict(closed_form(x, y), t))
