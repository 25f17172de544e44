%matplotlib inline
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
    return torch.stack([x ** k for k in range(order + 1)], dim=1)


def predict(w, x):
    return features(x, len(w) - 1) @ w


def mse(w, x, y):
    return torch.mean((predict(w, x) - y) ** 2)


def closed_form(x, y, order=3):
    return torch.linalg.lstsq(features(x, order), y.unsqueeze(1)).solution.squeeze(1)


if __name__ == "__main__":
    x, y = make_data()
    w = closed_form(x, y)
    plt.plot(x, y, "o")
    plt.plot(x, predict(w, x), ".")
