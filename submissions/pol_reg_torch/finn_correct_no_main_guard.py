# polynomial regression, everything runs at import (no main guard)
import torch
import matplotlib.pyplot as plt

torch.manual_seed(0xDEADBEEF)
x_train = torch.rand(15) * 2 * torch.pi
y_train = torch.sin(x_train) + torch.randn(15) * 0.1

SGD_LR = 7.1e-5
MOMENTUM_LR = 1.35e-4
MOMENTUM = 0.9
ADAM_LR = 0.03
LBFGS_KWARGS = {"line_search_fn": "strong_wolfe"}


def make_data():
    torch.manual_seed(0xDEADBEEF)
    x = torch.rand(15) * 2 * torch.pi
    return x, torch.sin(x) + torch.randn(15) * 0.1


def features(x, order=3):
    X = torch.empty(len(x), order + 1, dtype=x.dtype)
    for k in range(order + 1):
        X[:, k] = x ** k
    return X


def predict(w, x):
    return features(x, len(w) - 1) @ w


def mse(w, x, y):
    return torch.nn.MSELoss()(predict(w, x), y)


def closed_form(x, y, order=3):
    X = features(x, order)
    Q, R = torch.linalg.qr(X)
    return torch.linalg.solve_triangular(R, (Q.T @ y).unsqueeze(1), upper=True).squeeze(1)


def hessian(x, order=3):
    y0 = torch.zeros_like(x)
    w = torch.zeros(order + 1, dtype=x.dtype, requires_grad=True)
    grad = torch.autograd.grad(mse(w, x, y0), w, create_graph=True)[0]
    rows = [torch.autograd.grad(grad[i], w, retain_graph=True)[0] for i in range(order + 1)]
    return torch.stack(rows).detach()


def init_ones():
    return torch.ones(4)


def init_tenth_powers():
    return 0.1 ** torch.arange(4).float()


def fit(x, y, w0, opt_cls, steps=100, **opt_kwargs):
    w = w0.detach().clone().requires_grad_(True)
    opt = opt_cls([w], **opt_kwargs)
    losses = []
    for i in range(steps):
        def closure():
            opt.zero_grad()
            loss = mse(w, x, y)
            loss.backward()
            return loss
        losses.append(opt.step(closure).detach().item())
    return w.detach(), losses


def best_sgd_lr(x, y, lrs, steps=100):
    finals = []
    for lr in lrs:
        w, _ = fit(x, y, init_ones(), torch.optim.SGD, steps, lr=lr)
        finals.append(mse(w, x, y).item())
    finals = torch.tensor(finals)
    finals[~torch.isfinite(finals)] = float("inf")
    i = int(torch.argmin(finals))
    return lrs[i], finals[i].item()


w_closed = closed_form(x_train, y_train)
print("closed form", w_closed, mse(w_closed, x_train, y_train).item())
H = hessian(x_train)
print("cond", torch.linalg.cond(H).item())
print("best", best_sgd_lr(x_train, y_train, [1e-6, 1e-5, 5e-5, 7e-5, 7.1e-5, 9e-5]))
w_sgd, loss_sgd = fit(x_train, y_train, init_ones(), torch.optim.SGD, lr=SGD_LR)
w_mom, loss_mom = fit(x_train, y_train, init_tenth_powers(), torch.optim.SGD, lr=MOMENTUM_LR, momentum=MOMENTUM)
w_adam, loss_adam = fit(x_train, y_train, init_tenth_powers(), torch.optim.Adam, lr=ADAM_LR)
w_lbfgs, loss_lbfgs = fit(x_train, y_train, init_tenth_powers(), torch.optim.LBFGS, 5, **LBFGS_KWARGS)
print(loss_sgd[-1], loss_mom[-1], loss_adam[-1], loss_lbfgs[-1])

plt.figure()
plt.plot(loss_sgd, label="sgd")
plt.plot(loss_mom, label="momentum")
plt.plot(loss_adam, label="adam")
plt.yscale("log")
plt.legend()
plt.figure()
xs = torch.linspace(0, 6.28, 200)
plt.plot(xs, torch.sin(xs), label="true")
plt.scatter(x_train, y_train)
plt.plot(xs, predict(w_closed, xs), label="closed")
plt.plot(xs, predict(w_lbfgs, xs), label="lbfgs")
plt.legend()
