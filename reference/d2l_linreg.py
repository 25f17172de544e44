"""Reference solution for d2l_linreg: d2l.ai section 3.4, linear regression from scratch, and exercises 1-9.

It implements the autograding contract (see `grader handout d2l_linreg`) in plain torch, without the d2l
package. Run as a script it runs the exercises' experiments, prints the numbers below and draws the plots.

Measured by running this file (torch 2.13 CPU, one thread):
- base (w = [2, -3.4], b = 4.2, noise 0.01, 1000 + 1000 rows, batch 32, lr 0.03, 3 epochs): validation loss
  0.0493 with sigma = 0.01 and 0.0494 with sigma = 0; max |w error| 0.161, |b error| 0.247 (the sheet: 0.0495,
  0.161, 0.247). Over 20 shuffling seeds the validation loss stays within 0.047-0.052; the grader allows 4 times
  the reference's (0.042 on its own draw of the data).
- exercise 1: sigma = sqrt(1000) (variance 1000) ends at 2.652, sigma = 1000 at 2955
- exercise 2: R = 4.6989 (true 4.7); exercise 3: T = 4998.4 K from T0 = 3000 K (true 5000 K)
- exercise 4: second_derivative(torch.sin, x) equals -sin x exactly; exercise 7: 1000 by 32 gives 8, with
  drop_last 32
- exercise 8, y[5] = 10000, lr 0.03, 10 epochs from w = 0, b = 0 (max |w error|, |b error|): squared loss 2.658,
  6.924; abs loss (a sum, so large steps) 0.473, 0.060; Huber 0.019, 0.024. Squared loss does not go NaN with this recipe: each epoch
  the outlier's batch throws b about 10 away and the clean batches pull it back. At lr 0.01 for 3 epochs
  Huber's bounded gradient has not converged yet (b error 3.6), hence the grader's 10 epochs at lr 0.03.
"""
from __future__ import annotations

import torch

H, C, K = 6.62607015e-34, 299792458.0, 1.380649e-23
TRUE_W, TRUE_B = [2.0, -3.4], 4.2
OUTLIER_INDEX, OUTLIER_VALUE = 5, 10000.0
OUTLIER_LR, OUTLIER_EPOCHS = 0.03, 10  # the grader's outlier experiment: Huber converges, squared loss does not


# ---------------------------------------------------------------- base: data, model, training


def make_synthetic(w, b, noise=0.01, num_train=1000, num_val=1000, seed=0):
    """X ~ N(0, 1) of shape (n, len(w)) and y = X w + b + noise * N(0, 1) of shape (n, 1); training rows first."""
    gen = torch.Generator().manual_seed(seed)
    w = torch.as_tensor(w, dtype=torch.float32).reshape(-1, 1)
    n = num_train + num_val
    X = torch.randn(n, len(w), generator=gen)
    y = X @ w + b + noise * torch.randn(n, 1, generator=gen)
    return X, y


class LinearRegressionScratch:
    """w ~ N(0, sigma^2) of shape (num_inputs, 1) (sigma is a standard deviation), b = 0 of shape (1,)."""

    def __init__(self, num_inputs, lr, sigma=0.01):
        self.lr = lr
        self.w = (torch.randn(num_inputs, 1) * sigma).requires_grad_(True)
        self.b = torch.zeros(1, requires_grad=True)

    def forward(self, X):
        return X @ self.w + self.b

    def loss(self, y_hat, y):
        return ((y_hat - y.reshape(y_hat.shape)) ** 2 / 2).mean()

    def parameters(self):
        return [self.w, self.b]


def fit(model, X, y, epochs=3, batch_size=32, shuffle=True, seed=0, loss_fn=None, num_train=None):
    """Minibatch SGD on the first num_train rows (half by default); returns the validation loss after each epoch."""
    loss_fn = loss_fn or model.loss
    num_train = len(X) // 2 if num_train is None else num_train
    X_train, y_train, X_val, y_val = X[:num_train], y[:num_train], X[num_train:], y[num_train:]
    gen = torch.Generator().manual_seed(seed)
    val_losses = []
    for _ in range(epochs):
        order = torch.randperm(num_train, generator=gen) if shuffle else torch.arange(num_train)
        for start in range(0, num_train, batch_size):
            batch = order[start:start + batch_size]
            loss_fn(model.forward(X_train[batch]), y_train[batch]).backward()
            with torch.no_grad():
                for param in model.parameters():
                    param -= model.lr * param.grad
                    param.grad.zero_()
        with torch.no_grad():
            val_losses.append(float(loss_fn(model.forward(X_val), y_val)))
    return val_losses


# ---------------------------------------------------------------- exercise 2: Ohm's law


def make_ohm_data(R=4.7, n=200, seed=1):
    gen = torch.Generator().manual_seed(seed)
    I = 2 * torch.rand(n, generator=gen)
    return I, R * I + 0.05 * torch.randn(n, generator=gen)


def fit_ohm(I, V, lr=0.1, epochs=200):
    """V = R I without bias, by full-batch gradient descent on the mean squared error."""
    R = torch.zeros(1, requires_grad=True)
    for _ in range(epochs):
        loss = ((R * I - V) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            R -= lr * R.grad
            R.grad.zero_()
    return R.item()


# ---------------------------------------------------------------- exercise 3: Planck's law


def planck(lam, T):
    """Spectral radiance B(lambda, T) in SI units; lam in metres."""
    return 2 * H * C**2 / lam**5 / torch.expm1(H * C / (lam * K * T))


def make_planck_data(T=5000.0, noise=0.01, seed=2):
    """200 wavelengths from 300 nm to 2000 nm (float64), B with per-point multiplicative noise."""
    gen = torch.Generator().manual_seed(seed)
    lam = torch.linspace(300e-9, 2000e-9, 200, dtype=torch.float64)
    return lam, planck(lam, T) * (1 + noise * torch.randn(len(lam), generator=gen, dtype=torch.float64))


def fit_temperature(lam, B, T0=3000.0, steps=300, lr=0.05):
    """Adam on log T against the squared error of log B: both are of order 1, whatever the SI magnitudes."""
    log_T = torch.tensor(float(T0), dtype=torch.float64).log().requires_grad_(True)
    target = torch.log(B)
    opt = torch.optim.Adam([log_T], lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        loss = ((torch.log(planck(lam, log_T.exp())) - target) ** 2).mean()
        loss.backward()
        opt.step()
    return float(log_T.exp())


# ---------------------------------------------------------------- exercise 4: second derivatives


def second_derivative(f, x):
    """Elementwise f''(x) for an elementwise f: the first derivative must keep its graph (create_graph)."""
    x = x.detach().clone().requires_grad_(True)
    (first,) = torch.autograd.grad(f(x).sum(), x, create_graph=True)
    (second,) = torch.autograd.grad(first.sum(), x)
    return second


# ---------------------------------------------------------------- exercises 7 and 8


def last_batch_size(n, batch_size, drop_last=False):
    """Size of the final minibatch; with drop_last an incomplete batch is dropped (0 when n < batch_size)."""
    if drop_last:
        return batch_size if n >= batch_size else 0
    return n % batch_size or batch_size


def abs_loss(y_hat, y):
    """The sum of |y_hat - y| (the book's hint), with y reshaped like y_hat."""
    return (y_hat - y.reshape(y_hat.shape)).abs().sum()


def huber_loss(y_hat, y, delta=1.0):
    """Mean of r^2 / 2 where |r| <= delta and delta (|r| - delta / 2) elsewhere: torch.nn.HuberLoss(delta=delta)."""
    r = (y_hat - y.reshape(y_hat.shape)).abs()
    return torch.where(r <= delta, r**2 / 2, delta * (r - delta / 2)).mean()


# ---------------------------------------------------------------- experiments


def parameter_errors(model):
    w = model.w.detach().reshape(-1)
    return float((w - torch.tensor(TRUE_W)).abs().max()), abs(float(model.b.detach()) - TRUE_B)


def run_experiments():
    X, y = make_synthetic(TRUE_W, TRUE_B)
    results = {}
    for name, sigma in (("sigma 0.01", 0.01), ("sigma 0", 0.0), ("sigma sqrt(1000)", 1000**0.5), ("sigma 1000", 1000.0)):
        torch.manual_seed(0)
        model = LinearRegressionScratch(2, lr=0.03, sigma=sigma)
        results[name] = fit(model, X, y)
        w_err, b_err = parameter_errors(model)
        print(f"{name}: val loss {results[name][-1]:.4g}, max |w error| {w_err:.3f}, |b error| {b_err:.3f}")
    I, V = make_ohm_data()
    print(f"Ohm: R = {fit_ohm(I, V):.4f} (true 4.7)")
    lam, B = make_planck_data()
    print(f"Planck: T = {fit_temperature(lam, B):.1f} K (true 5000)")
    x = torch.linspace(-3, 3, 7, dtype=torch.float64)
    print(f"max |sin'' + sin| = {float((second_derivative(torch.sin, x) + torch.sin(x)).abs().max()):.2e}")
    print(f"last batch of 1000 by 32: {last_batch_size(1000, 32)}, with drop_last {last_batch_size(1000, 32, True)}")
    y_out = y.clone()
    y_out[OUTLIER_INDEX] = OUTLIER_VALUE
    for name, loss_fn in (("squared", None), ("abs", abs_loss), ("Huber", huber_loss)):
        torch.manual_seed(0)
        model = LinearRegressionScratch(2, lr=OUTLIER_LR, sigma=0.0)
        fit(model, X, y_out, epochs=OUTLIER_EPOCHS, loss_fn=loss_fn)
        w_err, b_err = parameter_errors(model)
        print(f"outlier y[{OUTLIER_INDEX}] = {OUTLIER_VALUE:g}, {name} loss: max |w error| {w_err:.4g}, |b error| {b_err:.4g}")
    return results


def plot(results):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for name, losses in results.items():
        ax.semilogy(range(1, len(losses) + 1), losses, marker="o", label=name)
    ax.set(xlabel="epoch", ylabel="validation loss", title="Initial weight scale (exercise 1)")
    ax.legend()


if __name__ == "__main__":
    plot(run_experiments())
