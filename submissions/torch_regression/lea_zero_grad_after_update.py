"""PyTorch regression tutorial, as a module. Run it to see the fits."""
import matplotlib.pyplot as pl
import torch
import torch.nn as nn
import torch.optim as optim


def make_data():
    x = torch.linspace(0, 1, 10)
    y_true = 3 * x + torch.sin(6 * x) + 1
    return x, y_true


def err(W, x, y_true):
    y_pred = W[0] * x + W[1]
    return torch.norm(y_pred - y_true) / x.shape[0]


def update_step(W, x, y_true, epsilon=0.01):
    e = err(W, x, y_true)
    e.backward()
    with torch.no_grad():
        W -= epsilon * W.grad
    W.grad.zero_()
    return float(e)


def fit_manual(x, y_true, steps=2000, epsilon=0.01):
    W = torch.zeros(2, requires_grad=True)
    errs = torch.zeros(steps)
    for i in range(steps):
        errs[i] = update_step(W, x, y_true, epsilon)
    return W, errs


class LineFitting(nn.Module):
    def __init__(self):
        super().__init__()
        self.W = nn.Parameter(torch.zeros(2))

    def forward(self, x):
        return self.W[0] * x + self.W[1]


class PolyFit(nn.Module):
    def __init__(self, degree):
        super().__init__()
        self.degree = degree
        self.W = nn.Parameter(torch.zeros(degree))

    def forward(self, x):
        powers = torch.stack([x**i for i in range(self.degree)], dim=-1)
        return (powers * self.W).sum(dim=-1)


def train(x, y_true, model, LossFn, OptimizerFn, lr, epochs):
    loss_fn = LossFn()
    optimizer = OptimizerFn(model.parameters(), lr=lr)
    history = []
    every = max(1, epochs // 10)
    for epoch in range(epochs):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y_true)
        loss.backward()
        optimizer.step()
        history.append(loss.item())
        if epoch % every == 0:
            print(epoch, loss.item())
    return history


if __name__ == "__main__":
    x, y_true = make_data()
    W, errs = fit_manual(x, y_true)
    print("manual W", W.detach(), "err", errs[-1].item())
    line = LineFitting()
    train(x, y_true, line, nn.MSELoss, optim.SGD, 0.1, 10)
    poly = PolyFit(5)
    losses = train(x, y_true, poly, nn.MSELoss, optim.SGD, 0.05, 3000)
    pl.plot(x, y_true, "o")
    pl.plot(x, poly(x).detach())
    pl.figure()
    pl.semilogy(losses)
    pl.show()
