import torch
import matplotlib.pyplot as plt

SGD_LR = 7.2e-5
MOMENTUM_LR = 1.3e-4
MOMENTUM = 0.9
ADAM_LR = 0.03
LBFGS_KWARGS = {"lr": 1.0, "max_iter": 40, "tolerance_grad": 1e-9, "tolerance_change": 1e-12}


def make_data():
    g = torch.manual_seed(0xDEADBEEF)
    x = torch.rand(15, generator=g) * 2 * torch.pi
    y = torch.sin(x) + torch.randn(15, generator=g) * 0.1
    return x, y


def features(x, order=3):
    return torch.column_stack([x ** k for k in range(order + 1)])


def predict(w, x):
    return features(x, w.shape[0] - 1) @ w


def mse(w, x, y):
    return ((predict(w, x) - y) ** 2).sum() / y.numel()


def closed_form(x, y, order=3):
    X = features(x, order)
    return torch.linalg.lstsq(X, y.unsqueeze(-1)).solution.squeeze(-1)


def hessian(x, order=3):
    X = features(x, order)
    return 2.0 * X.T @ X / len(x)


def init_ones():
    return torch.ones(4)


def init_tenth_powers():
    return torch.tensor([0.1 ** k for k in range(4)])


def fit(x, y, w0, opt_cls, steps=100, **opt_kwargs):
    w = w0.clone().detach()
    w.requires_grad_(True)
    opt = opt_cls([w], **opt_kwargs)
    losses = []

    def closure():
        if w.grad is not None:
            w.grad.zero_()
        loss = mse(w, x, y)
        loss.backward()
        return loss

    for _ in range(steps):
        losses.append(opt.step(closure).item())
    return w.detach(), losses


def best_sgd_lr(x, y, lrs, steps=100):
    best_lr, best_loss = lrs[0], float("nan")
    for lr in lrs:
        w, _ = fit(x, y, init_ones(), torch.optim.SGD, steps, lr=lr)
        loss = mse(w, x, y).item()
        if not (best_loss <= loss) and loss == loss and loss != float("inf"):
            best_lr, best_loss = lr, loss
    return best_lr, best_loss


if __name__ == "__main__":
    x, y = make_data()
    exact = closed_form(x, y)
    print("closed form loss", mse(exact, x, y).item())
    e = torch.linalg.eigvalsh(hessian(x).double())
    print("kappa =", (e[-1] / e[0]).item())
    print(best_sgd_lr(x, y, [1e-5, 3e-5, 5e-5, 7e-5, 7.2e-5]))
    logs = {}
    for name, w0, cls, kw in [
        ("SGD (ones)", init_ones(), torch.optim.SGD, {"lr": SGD_LR}),
        ("SGD+momentum", init_tenth_powers(), torch.optim.SGD, {"lr": MOMENTUM_LR, "momentum": MOMENTUM}),
        ("Adam", init_tenth_powers(), torch.optim.Adam, {"lr": ADAM_LR}),
        ("LBFGS", init_tenth_powers(), torch.optim.LBFGS, LBFGS_KWARGS),
    ]:
        logs[name] = fit(x, y, w0, cls, **kw)
        print(name, mse(logs[name][0], x, y).item())
    plt.figure()
    for name, (_, losses) in logs.items():
        plt.semilogy(losses, label=name)
    plt.legend()
    plt.figure()
    t = torch.linspace(0, 2 * torch.pi, 100)
    plt.plot(t, torch.sin(t))
    plt.plot(x, y, "o")
    plt.plot(t, predict(exact, t))
    plt.plot(t, predict(logs["Adam"][0], t))
    plt.show()
