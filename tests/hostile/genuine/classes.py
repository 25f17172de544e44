# Genuine part of the red-team cases: a correct numpy_nn solution's imports, data and classes.
# Staged submissions are built as classes.py + the case file (+ train.py), see tests/hostile/corpus.py.
import numpy as np

np.random.seed(0xDEADBEEF)
x_train = np.random.uniform(-np.pi, np.pi, 100).reshape(-1, 1)
y_train = np.sin(x_train) + np.random.randn(100, 1) * 0.1
x_test = np.random.uniform(-np.pi, np.pi, 1000).reshape(-1, 1)
y_test = np.sin(x_test) + np.random.randn(1000, 1) * 0.1


class NPLinear:
    def __init__(self, in_channels, out_channels):
        bound = 1.0 / np.sqrt(in_channels)
        self.W = np.random.uniform(-bound, bound, (out_channels, in_channels))
        self.b = np.random.uniform(-bound, bound, out_channels)
        self.W_grad = np.zeros_like(self.W)
        self.b_grad = np.zeros_like(self.b)

    def forward(self, x):
        self.x = x
        return x @ self.W.T + self.b

    def backward(self, grad_out):
        self.W_grad = grad_out.T @ self.x
        self.b_grad = grad_out.sum(axis=0)
        return grad_out @ self.W

    def gd_update(self, lr):
        self.W = self.W - lr * self.W_grad
        self.b = self.b - lr * self.b_grad


class NPMSELoss:
    def forward(self, pred, target):
        self.diff = pred - target
        return np.mean(self.diff ** 2)

    def backward(self):
        return 2 * self.diff / self.diff.size


class NPReLU:
    def forward(self, x):
        self.mask = x > 0
        return x * self.mask

    def backward(self, grad_out):
        return grad_out * self.mask


class NPModel:
    def __init__(self, hidden=32):
        self.layers = [NPLinear(1, hidden), NPReLU(), NPLinear(hidden, hidden), NPReLU(), NPLinear(hidden, 1)]

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
