import torch
from torch import nn, optim


def make_data():
    x = torch.arange(10, dtype=torch.float32) / 9
    return x, 3 * x + torch.sin(6 * x) + 1


def err(W, x, y_true):
    residual = W[0] * x + W[1] - y_true
    return torch.sqrt(torch.sum(residual * residual)) / residual.numel()


def update_step(W, x, y_true, epsilon=0.01):
    W.grad = None
    value = err(W, x, y_true)
    value.backward()
    W.data.sub_(epsilon * W.grad)
    return value.item()


def fit_manual(x, y_true, steps=2000, epsilon=0.01):
    W = torch.zeros(2).requires_grad_()
    errs = []
    for _ in range(steps):
        errs.append(update_step(W, x, y_true, epsilon=epsilon))
    return W, errs


class LineFitting(nn.Module):
    def __init__(self):
        super().__init__()
        self.W = nn.Parameter(torch.tensor([0.0, 0.0]))

    def forward(self, x):
        return torch.addcmul(self.W[1].expand_as(x), self.W[0].expand_as(x), x)


class PolyFit(nn.Module):
    """Horner's rule: W[0] + x (W[1] + x (W[2] + ...))."""

    def __init__(self, degree):
        super().__init__()
        self.W = nn.Parameter(torch.zeros(degree))

    def forward(self, x):
        out = torch.zeros_like(x)
        for coefficient in self.W.flip(0):
            out = out * x + coefficient
        return out


def train(x, y_true, model, LossFn, OptimizerFn, lr, epochs):
    criterion, opt = LossFn(), OptimizerFn(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        opt.zero_grad()
        loss = criterion(model(x), y_true)
        losses.append(loss.item())
        loss.backward()
        opt.step()
    return losses


def main():
    x, y = make_data()
    model = PolyFit(5)
    losses = train(x, y, model, nn.MSELoss, optim.SGD, 0.05, 2000)
    print("PolyFit loss", losses[-1])


if __name__ == "__main__":
    main()
