"""Cubic fit of a noisy sine. Both plots share one figure (two panels)."""
import torch
import matplotlib
import matplotlib.pyplot as plt

SGD_LR = 7e-5
MOMENTUM_LR = 1.3e-4
MOMENTUM = 0.85
ADAM_LR = 0.04
LBFGS_KWARGS = {"lr": 1.0, "max_iter": 20, "history_size": 10}


def make_data():
    torch.manual_seed(0xDEADBEEF)
    x_train = torch.rand(15) * 2 * torch.pi
    y_train = torch.sin(x_train) + torch.randn(15) * 0.1
    return x_train, y_train


def features(x, order=3):
    return torch.stack([torch.pow(x, k) for k in range(order + 1)]).T


def predict(w, x):
    return torch.mv(features(x, w.shape[0] - 1), w)


def mse(w, x, y):
    return torch.mean(torch.square(predict(w, x) - y))


def closed_form(x, y, order=3):
    X = features(x, order)
    return torch.linalg.inv(X.T @ X) @ (X.T @ y)


def hessian(x, order=3):
    X = features(x, order)
    n = X.shape[0]
    return torch.einsum("ni,nj->ij", X, X) * (2 / n)


def init_ones():
    return torch.full((4,), 1.0)


def init_tenth_powers():
    return torch.logspace(0, -3, 4)


def fit(x, y, w0, opt_cls, steps=100, **opt_kwargs):
    weights = w0.detach().clone().requires_grad_(True)
    optimizer = opt_cls([weights], **opt_kwargs)
    history = []

    def evaluate():
        optimizer.zero_grad()
        value = mse(weights, x, y)
        value.backward()
        return value

    for _ in range(steps):
        history.append(float(optimizer.step(evaluate)))
    return weights.detach(), history


def best_sgd_lr(x, y, lrs, steps=100):
    best_lr, best_loss = None, float("inf")
    for lr in sorted(lrs):
        w, _ = fit(x, y, init_ones(), torch.optim.SGD, steps, lr=lr)
        final = float(mse(w, x, y))
        if final < best_loss:
            best_lr, best_loss = lr, final
    return best_lr, best_loss


def main():
    x, y = make_data()
    exact = closed_form(x, y)
    print("exact", exact, float(mse(exact, x, y)))
    print("Hessian condition number", float(torch.linalg.cond(hessian(x).double())))
    print("best lr", best_sgd_lr(x, y, [1e-5 * k for k in range(1, 9)]))
    fig, axes = plt.subplots(2, 1, figsize=(6, 8))
    fitted = {}
    for name, w0, cls, kw in [
        ("SGD", init_ones(), torch.optim.SGD, dict(lr=SGD_LR)),
        ("momentum", init_tenth_powers(), torch.optim.SGD, dict(lr=MOMENTUM_LR, momentum=MOMENTUM)),
        ("Adam", init_tenth_powers(), torch.optim.Adam, dict(lr=ADAM_LR)),
        ("LBFGS", init_tenth_powers(), torch.optim.LBFGS, LBFGS_KWARGS),
    ]:
        w, hist = fit(x, y, w0, cls, **kw)
        fitted[name] = w
        print(f"{name}: {float(mse(w, x, y)):.4f}")
        axes[0].semilogy(hist, label=name)
    axes[0].legend()
    grid = torch.linspace(0, 2 * torch.pi, 128)
    axes[1].plot(grid, torch.sin(grid), label="sin")
    axes[1].plot(x, y, "k.", label="data")
    axes[1].plot(grid, predict(exact, grid), label="closed form")
    axes[1].plot(grid, predict(fitted["LBFGS"], grid), label="LBFGS")
    axes[1].legend()
    plt.show()


if __name__ == "__main__":
    main()
