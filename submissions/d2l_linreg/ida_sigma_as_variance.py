"""d2l.ai 3.4, linear regression from scratch, with the exercises. Plain torch, no d2l package."""
import math

import matplotlib.pyplot as plt
import torch
from torch import nn


def make_synthetic(w, b, noise=0.01, num_train=1000, num_val=1000, seed=0):
    generator = torch.Generator().manual_seed(seed)
    n = num_train + num_val
    X = torch.randn(n, len(w), generator=generator)
    noise_term = torch.randn(n, 1, generator=generator) * noise
    y = torch.matmul(X, w.reshape((-1, 1))) + b + noise_term
    return X, y


class LinearRegressionScratch(nn.Module):
    def __init__(self, num_inputs, lr, sigma=0.01):
        super().__init__()
        self.num_inputs, self.lr, self.sigma = num_inputs, lr, sigma
        self.w = torch.normal(0, math.sqrt(sigma), (num_inputs, 1), requires_grad=True)  # variance sigma
        self.b = torch.zeros(1, requires_grad=True)

    def forward(self, X):
        return torch.matmul(X, self.w) + self.b

    def loss(self, y_hat, y):
        l = (y_hat - y.reshape(y_hat.shape)) ** 2 / 2
        return l.mean()

    def parameters(self):
        return [self.w, self.b]


def fit(model, X, y, epochs=3, batch_size=32, shuffle=True, seed=0, loss_fn=None, num_train=None):
    if loss_fn is None:
        loss_fn = model.loss
    if num_train is None:
        num_train = len(X) // 2
    generator = torch.Generator().manual_seed(seed)
    val_losses = []
    for epoch in range(epochs):
        indices = list(range(num_train))
        if shuffle:
            indices = torch.randperm(num_train, generator=generator).tolist()
        for i in range(0, num_train, batch_size):
            batch = torch.tensor(indices[i:i + batch_size])
            l = loss_fn(model(X[batch]), y[batch])
            l.backward()
            with torch.no_grad():
                for param in model.parameters():
                    param -= model.lr * param.grad
                    param.grad.zero_()
        with torch.no_grad():
            val_losses.append(loss_fn(model(X[num_train:]), y[num_train:]).item())
    return val_losses


def fit_ohm(I, V, lr=0.1, epochs=300):
    R = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([R], lr=lr)
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = ((V - R * I) ** 2).mean()
        loss.backward()
        optimizer.step()
    return R.item()


h, c, k = 6.62607015e-34, 299792458, 1.380649e-23


def planck(lam, T):
    return 2 * h * c**2 / lam**5 / torch.expm1(h * c / (lam * k * T))


def make_planck_data(T=5000.0, noise=0.01, seed=2):
    generator = torch.Generator().manual_seed(seed)
    lam = torch.linspace(300e-9, 2000e-9, 200, dtype=torch.float64)
    eps = torch.randn(lam.shape, generator=generator, dtype=torch.float64)
    return lam, planck(lam, T) * (1 + noise * eps)


def fit_temperature(lam, B, T0=3000.0):
    # optimise T in units of 1000 K against the log of B: everything is of order 1
    t = torch.tensor(T0 / 1000, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.Adam([t], lr=0.05)
    for _ in range(500):
        optimizer.zero_grad()
        loss = ((torch.log(planck(lam, 1000 * t)) - torch.log(B)) ** 2).mean()
        loss.backward()
        optimizer.step()
    return 1000 * t.item()


def second_derivative(f, x):
    x = x.clone().requires_grad_(True)
    y = f(x)
    dy = torch.autograd.grad(y, x, torch.ones_like(y), create_graph=True)[0]
    d2y = torch.autograd.grad(dy, x, torch.ones_like(dy))[0]
    return d2y


def last_batch_size(n, batch_size, drop_last=False):
    if drop_last:
        return 0 if n < batch_size else batch_size
    return n - (math.ceil(n / batch_size) - 1) * batch_size


def abs_loss(y_hat, y):
    return torch.abs(y_hat - y.reshape(y_hat.shape)).sum()


def huber_loss(y_hat, y, delta=1.0):
    r = y_hat - y.reshape(y_hat.shape)
    quadratic = 0.5 * r**2
    linear = delta * (torch.abs(r) - 0.5 * delta)
    return torch.where(torch.abs(r) <= delta, quadratic, linear).mean()


if __name__ == "__main__":
    X, y = make_synthetic(torch.tensor([2, -3.4]), 4.2)
    for sigma in (0.01, 0, math.sqrt(1000)):
        model = LinearRegressionScratch(2, lr=0.03, sigma=sigma)
        losses = fit(model, X, y)
        print(f"sigma {sigma}: validation loss {losses[-1]:.4f}")
        plt.plot(losses, label=f"sigma = {sigma:.3g}")
    plt.yscale("log")
    plt.legend()
    I = 2 * torch.rand(200)
    print("R =", fit_ohm(I, 4.7 * I + 0.05 * torch.randn(200)))
    lam, B = make_planck_data()
    print("T =", fit_temperature(lam, B))
