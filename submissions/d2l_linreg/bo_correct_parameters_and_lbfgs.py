import torch
import torch.nn as nn
import torch.nn.functional as F

H = 6.62607015e-34
C = 299792458.0
KB = 1.380649e-23


def make_synthetic(w, b, noise=0.01, num_train=1000, num_val=1000, seed=0):
    g = torch.Generator()
    g.manual_seed(seed)
    X = torch.normal(0.0, 1.0, (num_train + num_val, w.numel()), generator=g)
    y = (X * w).sum(dim=1, keepdim=True) + b
    y += noise * torch.normal(0.0, 1.0, y.shape, generator=g)
    return X, y


class LinearRegressionScratch(nn.Module):
    """w and b are registered parameters; parameters() is nn.Module's own (w first, then b)."""

    def __init__(self, num_inputs, lr, sigma=0.01):
        super().__init__()
        self.lr = lr
        self.w = nn.Parameter(sigma * torch.randn(num_inputs, 1))
        self.b = nn.Parameter(torch.zeros(1))

    def forward(self, X):
        return X @ self.w + self.b

    def loss(self, y_hat, y):
        return F.mse_loss(y_hat, y.view_as(y_hat)) / 2


def fit(model, X, y, epochs=3, batch_size=32, shuffle=True, seed=0, loss_fn=None, num_train=None):
    loss_fn = model.loss if loss_fn is None else loss_fn
    n = X.shape[0] // 2 if num_train is None else num_train
    train_X, train_y, val_X, val_y = X[:n], y[:n], X[n:], y[n:]
    g = torch.Generator().manual_seed(seed)
    history = []
    for _ in range(epochs):
        order = torch.randperm(n, generator=g) if shuffle else torch.arange(n)
        for batch in torch.split(order, batch_size):
            for p in model.parameters():
                p.grad = None
            loss_fn(model(train_X[batch]), train_y[batch]).backward()
            with torch.no_grad():
                for p in model.parameters():
                    p.add_(p.grad, alpha=-model.lr)
        with torch.no_grad():
            history.append(float(loss_fn(model(val_X), val_y)))
    return history


def fit_ohm(I, V, lr=0.2, epochs=100):
    R = torch.tensor(1.0, requires_grad=True)
    for _ in range(epochs):
        loss = F.mse_loss(R * I, V)
        (grad,) = torch.autograd.grad(loss, R)
        with torch.no_grad():
            R -= lr * grad
    return float(R.detach())


def planck(lam, T):
    x = H * C / (lam * KB * T)
    return 2.0 * H * C * C / lam.pow(5) / (torch.exp(x) - 1.0)


def make_planck_data(T=5000.0, noise=0.01, seed=2):
    g = torch.Generator().manual_seed(seed)
    lam = torch.linspace(3e-7, 2e-6, 200, dtype=torch.float64)
    factor = 1.0 + noise * torch.randn(200, dtype=torch.float64, generator=g)
    return lam, planck(lam, T) * factor


def fit_temperature(lam, B, T0=3000.0):
    log_T = torch.tensor(float(T0), dtype=torch.float64).log().requires_grad_()
    opt = torch.optim.LBFGS([log_T], lr=1.0, max_iter=50, line_search_fn="strong_wolfe")
    log_B = B.log()

    def closure():
        opt.zero_grad()
        loss = (planck(lam, log_T.exp()).log() - log_B).pow(2).mean()
        loss.backward()
        return loss

    for _ in range(3):
        opt.step(closure)
    return log_T.exp().item()


def second_derivative(f, x):
    x = x.detach().requires_grad_()
    (g,) = torch.autograd.grad(f(x).sum(), x, create_graph=True)
    (gg,) = torch.autograd.grad(g.sum(), x)
    return gg.detach()


def last_batch_size(n, batch_size, drop_last=False):
    full, rest = divmod(n, batch_size)
    if drop_last:
        return batch_size if full else 0
    return rest if rest else batch_size


def abs_loss(y_hat, y):
    return (y_hat.flatten() - y.flatten()).abs().sum()


def huber_loss(y_hat, y, delta=1.0):
    r = (y_hat.flatten() - y.flatten()).abs()
    small = torch.clamp(r, max=delta)
    return (0.5 * small**2 + delta * (r - small)).mean()


if __name__ == "__main__":
    X, y = make_synthetic(torch.tensor([2.0, -3.4]), 4.2)
    model = LinearRegressionScratch(2, 0.03)
    print(fit(model, X, y))
