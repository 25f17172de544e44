# Everything at the top level, functions at the end.
import torch
import matplotlib.pyplot as plt

torch.manual_seed(0xDEADBEEF)
x_train = torch.rand(15) * 2 * torch.pi
y_train = torch.sin(x_train) + torch.randn(15) * 0.1

X = torch.stack([x_train ** k for k in range(4)], dim=1)
w_exact = torch.linalg.solve(X, y_train)   # X is 15 x 4, not square: raises here
print("exact", w_exact)

SGD_LR = 7e-5
MOMENTUM_LR = 1.3e-4
MOMENTUM = 0.9
ADAM_LR = 0.03
LBFGS_KWARGS = {"lr": 1}


def make_data():
    return x_train, y_train


def features(x, order=3):
    return torch.stack([x ** k for k in range(order + 1)], dim=1)


def predict(w, x):
    return features(x) @ w


def mse(w, x, y):
    return torch.mean((predict(w, x) - y) ** 2)


def fit(x, y, w0, opt_cls, steps=100, **opt_kwargs):
    w = w0.detach().clone().requires_grad_(True)
    opt = opt_cls([w], **opt_kwargs)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = mse(w, x, y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return w.detach(), losses
