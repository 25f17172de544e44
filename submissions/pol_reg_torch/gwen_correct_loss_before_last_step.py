import torch
import matplotlib.pyplot as plt

# reported "final loss" = the loss recorded at step 100, i.e. before the last update
SGD_LR = 4e-5
MOMENTUM_LR = 1e-4
MOMENTUM = 0.92
ADAM_LR = 0.06
LBFGS_KWARGS = {"lr": 0.8, "line_search_fn": "strong_wolfe"}


def make_data():
    torch.manual_seed(0xDEADBEEF)
    x = 2 * torch.pi * torch.rand(15)
    y = torch.sin(x) + 0.1 * torch.randn(15)
    return x, y


def features(x, order=3):
    return torch.stack([x ** 0, x, x ** 2, x ** 3], dim=1)[:, : order + 1]


def predict(w, x):
    return w[0] + w[1] * x + w[2] * x ** 2 + w[3] * x ** 3


def mse(w, x, y):
    return torch.mean((predict(w, x) - y) ** 2)


def closed_form(x, y, order=3):
    X = features(x, order)
    return torch.linalg.lstsq(X, y).solution


def hessian(x, order=3):
    return torch.autograd.functional.hessian(lambda w: mse(w, x, torch.zeros_like(x)), torch.ones(order + 1))


def init_ones():
    return torch.ones(4)


def init_tenth_powers():
    return torch.tensor([1, 1e-1, 1e-2, 1e-3])


def fit(x, y, w0, opt_cls, steps=100, **opt_kwargs):
    w = w0.detach().clone().requires_grad_(True)
    opt = opt_cls([w], **opt_kwargs)
    losses = []
    for _ in range(steps):
        def closure():
            opt.zero_grad()
            loss = mse(w, x, y)
            loss.backward()
            return loss
        losses.append(opt.step(closure).item())
    return w.detach(), losses


def best_sgd_lr(x, y, lrs, steps=100):
    results = []
    for lr in lrs:
        _, losses = fit(x, y, init_ones(), torch.optim.SGD, steps, lr=lr)
        last = losses[-1]
        results.append((last if last == last else float("inf"), lr))
    loss, lr = min(results)
    return lr, loss


if __name__ == "__main__":
    x, y = make_data()
    w_star = closed_form(x, y)
    print("closed form", w_star.tolist(), mse(w_star, x, y).item())
    print("Hessian eigenvalues", torch.linalg.eigvalsh(hessian(x).double()).tolist())
    print("lr search", best_sgd_lr(x, y, [1e-6, 1e-5, 2e-5, 4e-5, 6e-5, 8e-5]))
    runs = [
        ("SGD", fit(x, y, init_ones(), torch.optim.SGD, lr=SGD_LR)),
        ("momentum", fit(x, y, init_tenth_powers(), torch.optim.SGD, lr=MOMENTUM_LR, momentum=MOMENTUM)),
        ("Adam", fit(x, y, init_tenth_powers(), torch.optim.Adam, lr=ADAM_LR)),
        ("LBFGS", fit(x, y, init_tenth_powers(), torch.optim.LBFGS, 10, **LBFGS_KWARGS)),
    ]
    plt.figure(figsize=(6, 4))
    for name, (w, losses) in runs:
        print(name, "final loss", losses[-1])
        plt.plot(losses, label=name)
    plt.yscale("log")
    plt.legend()
    plt.figure(figsize=(6, 4))
    t = torch.linspace(0, 2 * torch.pi, 200)
    plt.plot(t, torch.sin(t), label="sin")
    plt.scatter(x, y, label="data")
    plt.plot(t, predict(w_star, t), label="exact")
    plt.plot(t, predict(runs[1][1][0], t), label="momentum")
    plt.legend()
    plt.show()
