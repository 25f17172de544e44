# Linear regression from scratch: d2l 3.4 exercises
import torch
from torch.utils.data import DataLoader, TensorDataset

PLANCK_H = 6.62607015e-34
LIGHT_C = 299792458
BOLTZMANN_K = 1.380649e-23


def make_synthetic(w, b, noise=0.01, num_train=1000, num_val=1000, seed=0):
    gen = torch.Generator().manual_seed(seed)
    w = torch.as_tensor(w, dtype=torch.float32)
    X = torch.randn((num_train + num_val, w.shape[0]), generator=gen)
    y = X @ w + b
    y = y + noise * torch.randn(y.shape, generator=gen)
    return X, y.unsqueeze(1)


class LinearRegressionScratch:
    def __init__(self, num_inputs, lr, sigma=0.01):
        self.lr = lr
        self.w = torch.empty(num_inputs, 1).normal_(0, sigma) if sigma > 0 else torch.zeros(num_inputs, 1)
        self.w.requires_grad_(True)
        self.b = torch.zeros(1).requires_grad_(True)

    def __call__(self, X):
        return self.forward(X)

    def forward(self, X):
        return X.mm(self.w).add(self.b)

    def loss(self, y_hat, y):
        return 0.5 * torch.mean(torch.square(y_hat - y.view(y_hat.shape)))

    def parameters(self):
        return [self.w, self.b]


def fit(model, X, y, epochs=3, batch_size=32, shuffle=True, seed=0, loss_fn=None, num_train=None):
    loss_fn = loss_fn or model.loss
    num_train = num_train if num_train is not None else len(X) // 2
    loader = DataLoader(TensorDataset(X[:num_train], y[:num_train]), batch_size=batch_size, shuffle=shuffle,
                        generator=torch.Generator().manual_seed(seed))
    out = []
    for _ in range(epochs):
        for Xb, yb in loader:
            loss_fn(model.forward(Xb), yb).backward()
            with torch.no_grad():
                for p in model.parameters():
                    p.sub_(model.lr * p.grad)
                    p.grad.zero_()
        with torch.no_grad():
            out.append(loss_fn(model.forward(X[num_train:]), y[num_train:]).item())
    return out


def fit_ohm(I, V, lr=0.05, epochs=500):
    model = LinearRegressionScratch(1, lr, sigma=0)
    model.b.requires_grad_(False)  # Ohm's law has no offset
    for _ in range(epochs):
        loss = ((model.w[0, 0] * I - V) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            model.w -= lr * model.w.grad
            model.w.grad.zero_()
    return model.w.item()


def planck(lam, T):
    a = 2 * PLANCK_H * LIGHT_C**2 / lam**5
    return a / torch.expm1(PLANCK_H * LIGHT_C / (lam * BOLTZMANN_K * T))


def make_planck_data(T=5000.0, noise=0.01, seed=2):
    lam = torch.linspace(300e-9, 2000e-9, 200, dtype=torch.float64)
    eps = torch.randn(200, generator=torch.Generator().manual_seed(seed)).double()
    return lam, planck(lam, T) * (1 + noise * eps)


def fit_temperature(lam, B, T0=3000.0):
    """Normalised residuals: divide by the largest measured B, so the loss is of order 1."""
    scale = B.max()
    T = torch.tensor(float(T0), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([T], lr=20.0)
    for step in range(1500):
        opt.zero_grad()
        loss = ((planck(lam, T) - B) / scale).pow(2).mean()
        loss.backward()
        opt.step()
    return T.item()


def second_derivative(f, x):
    x = x.clone().detach().requires_grad_(True)
    first = torch.autograd.grad(f(x), x, grad_outputs=torch.ones_like(x), create_graph=True)[0]
    return torch.autograd.grad(first, x, grad_outputs=torch.ones_like(x))[0]


def last_batch_size(n, batch_size, drop_last=False):
    sizes = [min(batch_size, n - start) for start in range(0, n, batch_size)]
    if drop_last:
        sizes = [s for s in sizes if s == batch_size]
    return sizes[-1] if sizes else 0


def abs_loss(y_hat, y):
    return torch.sum(torch.abs(y_hat - torch.reshape(y, y_hat.shape)))


def huber_loss(y_hat, y, delta=1.0):
    return torch.nn.HuberLoss(delta=delta)(y_hat, y.reshape(y_hat.shape))
