import torch
import matplotlib.pyplot as plt

SGD_LR = 7e-5
MOMENTUM_LR = 1.3e-4
MOMENTUM = 0.9
ADAM_LR = 0.03
LBFGS_KWARGS = {"lr": 1}


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
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = mse(w, x, y)
        loss.backward()
        opt.step()                 # LBFGS needs opt.step(closure)
        losses.append(loss.item())
    return w.detach(), losses


def best_sgd_lr(x, y, lrs, steps=100):
    best_lr, best = None, float("inf")
    for lr in lrs:
        w, _ = fit(x, y, init_ones(), torch.optim.SGD, steps, lr=lr)
        loss = mse(w, x, y).item()
        if loss < best:
            best_lr, best = lr, loss
    return best_lr, best


if __name__ == "__main__":
    x, y = make_data()
    w_cf = closed_form(x, y)
    print("best lr", best_sgd_lr(x, y, [1e-6, 1e-5, 3e-5, 5e-5, 7e-5]))
    runs = {
        "SGD": fit(x, y, init_ones(), torch.optim.SGD, lr=SGD_LR),
        "momentum": fit(x, y, init_tenth_powers(), torch.optim.SGD, lr=MOMENTUM_LR, momentum=MOMENTUM),
        "Adam": fit(x, y, init_tenth_powers(), torch.optim.Adam, lr=ADAM_LR),
    }
    plt.figure()
    for name, (w, losses) in runs.items():
        print(name, mse(w, x, y).item())
        plt.semilogy(losses, label=name)
    plt.legend()
    plt.figure()
    t = torch.linspace(0, 2 * torch.pi, 100)
    plt.plot(t, torch.sin(t))
    plt.scatter(x, y)
    plt.plot(t, predict(w_cf, t))
    w_lbfgs, _ = fit(x, y, init_tenth_powers(), torch.optim.LBFGS, 10, **LBFGS_KWARGS)  # raises
    print("LBFGS", mse(w_lbfgs, x, y).item())
