import torch
import torch.nn as nn


def make_data():
    x = torch.linspace(0.0, 1.0, steps=10)
    y_true = 3.0 * x + torch.sin(6.0 * x) + 1.0
    return x, y_true


def err(W, x, y_true):
    return torch.linalg.vector_norm(torch.stack([x, torch.ones_like(x)], 1) @ W - y_true) / len(y_true)


def update_step(W, x, y_true, epsilon=0.01):
    # torch.autograd.grad returns the gradient without touching W.grad at all
    loss = err(W, x, y_true)
    (grad,) = torch.autograd.grad(loss, W)
    with torch.no_grad():
        W.sub_(epsilon * grad)
    return loss.item()


def fit_manual(x, y_true, steps=2000, epsilon=0.01):
    W = torch.zeros(2, requires_grad=True)
    return W, torch.tensor([update_step(W, x, y_true, epsilon) for _ in range(steps)])


class LineFitting(nn.Module):
    def __init__(self):
        super().__init__()
        self.W = nn.Parameter(torch.zeros(2))

    def forward(self, x):
        return x * self.W[0] + self.W[1]


class PolyFit(nn.Module):
    def __init__(self, degree):
        super().__init__()
        self.register_parameter("W", nn.Parameter(torch.zeros(degree)))

    def forward(self, x):
        exponents = torch.arange(self.W.shape[0], dtype=x.dtype)
        return (x.unsqueeze(-1) ** exponents) @ self.W


def train(x, y_true, model, LossFn, OptimizerFn, lr, epochs):
    loss_fn = LossFn()
    optimizer = OptimizerFn(model.parameters(), lr=lr)

    def one_epoch():
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y_true)
        loss.backward()
        optimizer.step()
        return loss.item()

    return [one_epoch() for _ in range(epochs)]
