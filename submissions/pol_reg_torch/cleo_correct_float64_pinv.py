# Everything in float64 after drawing the data in float32 as the handout says.
import torch
import matplotlib.pyplot as plt

DTYPE = torch.float64
SGD_LR = 7e-5
MOMENTUM_LR = 1.25e-4
MOMENTUM = 0.9
ADAM_LR = 0.05
LBFGS_KWARGS = {"lr": 1.0, "line_search_fn": "strong_wolfe"}


def make_data():
    torch.manual_seed(0xDEADBEEF)
    x = torch.rand(15) * 2 * torch.pi
    y = torch.sin(x) + torch.randn(15) * 0.1
    return x.to(DTYPE), y.to(DTYPE)


def features(x, order=3):
    powers = torch.arange(order + 1, dtype=x.dtype)
    return x.unsqueeze(-1) ** powers


def predict(w, x):
    return features(x, w.numel() - 1) @ w


def mse(w, x, y):
    residual = predict(w, x) - y
    return residual @ residual / len(y)


def closed_form(x, y, order=3):
    return torch.linalg.pinv(features(x, order)) @ y


def hessian(x, order=3):
    X = features(x, order)
    return (2.0 / len(x)) * X.T @ X


def init_ones():
    return torch.ones(4, dtype=DTYPE)


def init_tenth_powers():
    return torch.tensor([0.1 ** k for k in range(4)], dtype=DTYPE)


def fit(x, y, w0, opt_cls, steps=100, **opt_kwargs):
    w = w0.detach().clone()
    w.requires_grad = True
    optimizer = opt_cls([w], **opt_kwargs)

    def closure():
        optimizer.zero_grad()
        loss = mse(w, x, y)
        loss.backward()
        return loss

    losses = []
    step = 0
    while step < steps:
        losses.append(optimizer.step(closure).item())
        step += 1
    return w.detach(), losses


def best_sgd_lr(x, y, lrs, steps=100):
    table = []
    for lr in lrs:
        w, _ = fit(x, y, init_ones(), torch.optim.SGD, steps, lr=lr)
        table.append((lr, mse(w, x, y).item()))
    finite = [row for row in table if torch.isfinite(torch.tensor(row[1]))]
    return min(finite, key=lambda row: row[1])


def main():
    x, y = make_data()
    w_cf = closed_form(x, y)
    print("closed form:", w_cf, float(mse(w_cf, x, y)))
    eigenvalues = torch.linalg.eigvalsh(hessian(x))
    print("eigenvalues:", eigenvalues, "cond:", float(eigenvalues[-1] / eigenvalues[0]))
    print("best lr:", best_sgd_lr(x, y, [10 ** (-e / 4) for e in range(16, 25)]))
    curves = {}
    for label, w0, cls, kwargs in (
        ("SGD from ones", init_ones(), torch.optim.SGD, {"lr": SGD_LR}),
        ("momentum", init_tenth_powers(), torch.optim.SGD, {"lr": MOMENTUM_LR, "momentum": MOMENTUM}),
        ("Adam", init_tenth_powers(), torch.optim.Adam, {"lr": ADAM_LR}),
        ("LBFGS", init_tenth_powers(), torch.optim.LBFGS, LBFGS_KWARGS),
    ):
        w, losses = fit(x, y, w0, cls, **kwargs)
        curves[label] = (w, losses)
        print(label, float(mse(w, x, y)))
    plt.figure("losses")
    for label, (_, losses) in curves.items():
        plt.plot(losses, label=label)
    plt.yscale("log")
    plt.legend()
    plt.figure("fit")
    t = torch.linspace(0, 2 * torch.pi, 300, dtype=DTYPE)
    plt.plot(t, torch.sin(t), "k:", label="sin(x)")
    plt.scatter(x, y, label="training data")
    plt.plot(t, predict(w_cf, t), label="closed form")
    plt.plot(t, predict(curves["momentum"][0], t), label="momentum")
    plt.legend()


if __name__ == "__main__":
    main()
