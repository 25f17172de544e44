import numpy as np
import matplotlib.pyplot as plt

N_TRAIN = 100
N_TEST = 1000
SIGMA_NOISE = 0.1

np.random.seed(0xDEADBEEF)
x_train = np.random.uniform(-np.pi, np.pi, N_TRAIN).reshape(-1, 1)
y_train = np.sin(x_train) + np.random.randn(N_TRAIN, 1) * SIGMA_NOISE
x_test = np.random.uniform(-np.pi, np.pi, N_TEST).reshape(-1, 1)
y_test = np.sin(x_test) + np.random.randn(N_TEST, 1) * SIGMA_NOISE


class Layer:
    """Common interface: layers without parameters simply do nothing in gd_update."""

    def forward(self, x):
        raise NotImplementedError

    def backward(self, grad_out):
        raise NotImplementedError

    def gd_update(self, lr):
        pass

    def __call__(self, x):
        return self.forward(x)


class NPLinear(Layer):
    def __init__(self, in_channels, out_channels):
        super().__init__()
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
        self.W -= lr * self.W_grad
        self.b -= lr * self.b_grad


class NPReLU(Layer):
    def forward(self, x):
        self._mask = x > 0
        return np.where(self._mask, x, 0)

    def backward(self, grad_out):
        return grad_out * self._mask


class NPMSELoss:
    def forward(self, pred, target):
        self._delta = pred - target
        return float(np.mean(self._delta ** 2))

    def backward(self):
        return 2 * self._delta / self._delta.size


class Sequential(Layer):
    def __init__(self, *layers):
        super().__init__()
        self.layers = list(layers)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def backward(self, grad_out):
        for layer in reversed(self.layers):
            grad_out = layer.backward(grad_out)
        return grad_out

    def gd_update(self, lr):
        for layer in self.layers:
            layer.gd_update(lr)


class NPModel(Sequential):
    def __init__(self, hidden=32):
        super().__init__(
            NPLinear(1, hidden), NPReLU(),
            NPLinear(hidden, hidden), NPReLU(),
            NPLinear(hidden, 1),
        )


if __name__ == "__main__":
    model = NPModel()
    mse = NPMSELoss()
    n_epochs, lr = 3500, 0.05
    train_losses, val_losses = [], []
    for epoch in range(n_epochs):
        train_losses.append(mse.forward(model(x_train), y_train))
        model.backward(mse.backward())
        model.gd_update(lr)
        val_losses.append(mse.forward(model(x_test), y_test))
    print(f"validation loss {val_losses[-1]:.4f}")

    fig, ax = plt.subplots()
    ax.semilogy(train_losses, label="train")
    ax.semilogy(val_losses, label="validation")
    ax.legend()
    fig.savefig("kim_losses.png")
