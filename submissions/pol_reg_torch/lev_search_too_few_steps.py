import torch
import matplotlib.pyplot as plt

SEARCH_STEPS = 10   # the search is quicker this way

SGD_LR = 5e-5       # what the search below finds
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
    return torch.stack([x ** k for k in range(order + 1)], dim=1)


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
    results = {}
    for lr in lrs:
        w, _ = fit(x, y, init_ones(), torch.optim.SGD, SEARCH_STEPS, lr=lr)
        loss = mse(w, x, y).item()
        if loss == loss:
            results[lr] = loss
    best = min(results, key=results.get)
    return best, results[best]


if __name__ == "__main__":
    x, y = make_data()
    print("closed form", closed_form(x, y))
    print("best lr", best_sgd_lr(x, y, [1e-6, 1e-5, 2e-5, 3e-5, 4e-5, 5e-5, 6e-5, 7e-5, 8e-5]))
    plt.figure()
    for name, (w, losses) in {
        "SGD": fit(x, y, init_ones(), torch.optim.SGD, lr=SGD_LR),
        "momentum": fit(x, y, init_tenth_powers(), torch.optim.SGD, lr=MOMENTUM_LR, momentum=MOMENTUM),
        "Adam": fit(x, y, init_tenth_powers(), torch.optim.Adam, lr=ADAM_LR),
        "LBFGS": fit(x, y, init_tenth_powers(), torch.optim.LBFGS, 10, **LBFGS_KWARGS),
    }.items():
        print(name, mse(w, x, y).item())
        plt.semilogy(losses, label=name)
    plt.legend()
    plt.figure()
    t = torch.linspace(0, 2 * torch.pi, 100)
    plt.plot(t, torch.sin(t))
    plt.scatter(x, y)
    plt.plot(t, predict(closed_form(x, y), t))
