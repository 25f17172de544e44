# Assignment C, part 1: polynomial regression with PyTorch
import matplotlib.pyplot as plt
import torch

N_TRAIN = 15
SIGMA_NOISE = 0.1

SGD_LR = 7e-5
MOMENTUM_LR = 1.2e-4
MOMENTUM = 0.9
ADAM_LR = 0.05
LBFGS_KWARGS = {"lr": 1}


def make_data():
    torch.manual_seed(0xDEADBEEF)
    x_train = torch.rand(N_TRAIN) * 2 * torch.pi
    y_train = torch.sin(x_train) + torch.randn(N_TRAIN) * SIGMA_NOISE
    return x_train, y_train


def features(x, order=3):
    return torch.vander(x, N=order + 1, increasing=True)


def predict(w, x):
    return features(x, len(w) - 1) @ w


def mse(w, x, y):
    return ((predict(w, x) - y) ** 2).mean()


def closed_form(x, y, order=3):
    return torch.linalg.lstsq(features(x, order), y[:, None]).solution[:, 0]


def hessian(x, order=3):
    X = features(x, order)
    return 2 * X.T @ X / X.shape[0]


def init_ones():
    return torch.ones(4)


def init_tenth_powers():
    return torch.tensor([1.0, 0.1, 0.01, 0.001])


def fit(x, y, w0, opt_cls, steps=100, **opt_kwargs):
    w = w0.clone().detach().requires_grad_(True)
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
        if loss < best[1]:  # nan and inf never win
            best = (lr, loss)
    return best


if __name__ == "__main__":
    x, y = make_data()
    w_star = closed_form(x, y)
    print("closed form", w_star, mse(w_star, x, y).item())
    H = hessian(x)
    eig = torch.linalg.eigvalsh(H.double())
    print("eigenvalues", eig, "condition number", (eig[-1] / eig[0]).item())
    lrs = torch.logspace(-6, -4, 21).tolist()
    lr, loss = best_sgd_lr(x, y, lrs)
    print("best lr", lr, "final loss", loss)

    runs = {
        "SGD, ones": fit(x, y, init_ones(), torch.optim.SGD, lr=SGD_LR),
        "SGD, 0.1^k": fit(x, y, init_tenth_powers(), torch.optim.SGD, lr=SGD_LR),
        "momentum": fit(x, y, init_tenth_powers(), torch.optim.SGD, lr=MOMENTUM_LR, momentum=MOMENTUM),
        "Adam": fit(x, y, init_tenth_powers(), torch.optim.Adam, lr=ADAM_LR),
        "LBFGS": fit(x, y, init_tenth_powers(), torch.optim.LBFGS, 10, **LBFGS_KWARGS),
    }
    plt.figure()
    for name, (w, losses) in runs.items():
        print(name, mse(w, x, y).item())
        plt.semilogy(losses, label=name)
    plt.xlabel("step")
    plt.ylabel("MSE")
    plt.legend()
    plt.savefig("losses.png")
    plt.close()

    plt.figure()
    xs = torch.linspace(0, 2 * torch.pi, 100)
    plt.plot(xs, torch.sin(xs), label="sin")
    plt.plot(x, y, "o", label="data")
    plt.plot(xs, predict(w_star, xs), label="exact")
    plt.plot(xs, predict(runs["Adam"][0], xs), label="Adam")
    plt.ylim(-2, 2)
    plt.legend()
    plt.savefig("fit.png")
    plt.close()
