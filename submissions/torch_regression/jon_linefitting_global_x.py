import torch
from torch import nn, optim

x = torch.linspace(0, 1, 10)
y_true = 3 * x + torch.sin(6 * x) + 1


def make_data():
    return x, y_true


def err(W, x, y_true):
    return torch.norm(W[0] * x + W[1] - y_true) / len(x)


def update_step(W, x, y_true, epsilon=0.01):
    W.grad = None
    e = err(W, x, y_true)
    e.backward()
    with torch.no_grad():
        W -= epsilon * W.grad
    return e.item()


def fit_manual(x, y_true, steps=2000, epsilon=0.01):
    W = torch.zeros(2, requires_grad=True)
    errs = [update_step(W, x, y_true, epsilon) for _ in range(steps)]
    return W, torch.tensor(errs)


class LineFitting(nn.Module):
    def __init__(self):
        super().__init__()
        self.x = x  # as in the tutorial: the data is stored on the module
        self.W = nn.Parameter(torch.zeros(2))

    def forward(self, inputs):
        return self.W[0] * self.x + self.W[1]


class PolyFit(nn.Module):
    def __init__(self, degree):
        super().__init__()
        self.W = nn.Parameter(torch.zeros(degree))

    def forward(self, x):
        return sum(w * x**k for k, w in enumerate(self.W))


def train(x, y_true, model, LossFn, OptimizerFn, lr, epochs):
    loss_fn, opt = LossFn(), OptimizerFn(model.parameters(), lr=lr)
    losses = []
    for epoch in range(epochs):
        opt.zero_grad()
        loss = loss_fn(model(x), y_true)
        loss.backward()
        opt.step()
        losses.append(float(loss))
    return losses


if __name__ == "__main__":
    model = LineFitting()
    print(train(x, y_true, model, nn.MSELoss, optim.SGD, 0.1, 10)[-1])
