"""Reference solution for numpy_nn (Assignment C, part 2): an MLP with hand-written backprop in NumPy.

Run as a script it trains on the assignment's data recipe and prints the validation loss it reaches
(0.0107 on the handout's test set with the settings in `train`; the target is 0.035).
The grader also uses `make_data`/`make_heldout` for the held-out target-loss check.
"""
from __future__ import annotations

import numpy as np

N_TRAIN = 100
N_TEST = 1000
SIGMA_NOISE = 0.1
DATA_SEED = 0xDEADBEEF


class NPLinear:
    """Fully connected layer, initialised like torch.nn.Linear; W has shape (out, in)."""

    def __init__(self, in_channels: int, out_channels: int):
        bound = 1.0 / np.sqrt(in_channels)
        self.W = np.random.uniform(-bound, bound, size=(out_channels, in_channels))
        self.b = np.random.uniform(-bound, bound, size=out_channels)
        self.W_grad = np.zeros_like(self.W)
        self.b_grad = np.zeros_like(self.b)
        self._x = None

    def forward(self, x):
        self._x = x
        return x @ self.W.T + self.b

    def backward(self, grad_out):
        self.W_grad = grad_out.T @ self._x
        self.b_grad = grad_out.sum(axis=0)
        return grad_out @ self.W

    def gd_update(self, lr):
        self.W = self.W - lr * self.W_grad
        self.b = self.b - lr * self.b_grad


class NPMSELoss:
    """Mean squared error averaged over every element, like torch.nn.MSELoss()."""

    def forward(self, pred, target):
        self._diff = pred - target
        return np.mean(self._diff**2)

    def backward(self):
        return 2.0 * self._diff / self._diff.size


class NPReLU:
    def forward(self, x):
        self._mask = x > 0
        return x * self._mask

    def backward(self, grad_out):
        return grad_out * self._mask


class NPModel:
    """Linear -> ReLU -> ... -> Linear, for inputs and outputs of one channel."""

    def __init__(self, hidden=(32, 32)):
        sizes = [1, *hidden, 1]
        self.layers = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            self.layers.append(NPLinear(n_in, n_out))
            if i < len(sizes) - 2:
                self.layers.append(NPReLU())

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_out):
        for layer in reversed(self.layers):
            grad_out = layer.backward(grad_out)
        return grad_out

    def gd_update(self, lr):
        for layer in self.layers:
            if isinstance(layer, NPLinear):
                layer.gd_update(lr)


def make_data(seed: int = DATA_SEED, n_train: int = N_TRAIN, n_test: int = N_TEST):
    """The handout's recipe: the draws happen in exactly this order after seeding."""
    np.random.seed(seed)
    x_train = np.random.uniform(-np.pi, np.pi, n_train).reshape(-1, 1)
    y_train = np.sin(x_train) + np.random.randn(n_train, 1) * SIGMA_NOISE
    x_test = np.random.uniform(-np.pi, np.pi, n_test).reshape(-1, 1)
    y_test = np.sin(x_test) + np.random.randn(n_test, 1) * SIGMA_NOISE
    return x_train, y_train, x_test, y_test


def make_heldout(seed: int, size: int = N_TEST):
    """Fresh data from the assignment's distribution, drawn with a generator of its own."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-np.pi, np.pi, size=(size, 1))
    y = np.sin(x) + rng.standard_normal((size, 1)) * SIGMA_NOISE
    return x, y


def train(model, x_train, y_train, x_test, y_test, lr=0.05, epochs=5000):
    """Full-batch gradient descent; returns the per-epoch training and validation losses."""
    loss_fn = NPMSELoss()
    train_losses, val_losses = [], []
    for _ in range(epochs):
        loss = loss_fn.forward(model.forward(x_train), y_train)
        model.backward(loss_fn.backward())
        model.gd_update(lr)
        train_losses.append(loss)
        val_losses.append(loss_fn.forward(model.forward(x_test), y_test))
    return train_losses, val_losses


if __name__ == "__main__":
    x_train, y_train, x_test, y_test = make_data()
    model = NPModel()
    train_losses, val_losses = train(model, x_train, y_train, x_test, y_test)
    print(f"final training loss {train_losses[-1]:.4f}, validation loss {val_losses[-1]:.4f}")
