from functools import reduce

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


class NPLinear:
    def __init__(self, in_channels, out_channels):
        bound = 1 / np.sqrt(in_channels)
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
        self.W -= lr * self.W_grad
        self.b -= lr * self.b_grad


class NPMSELoss:
    def forward(self, pred, target):
        self.pred, self.target = pred, target
        return np.mean((pred - target) ** 2)

    def backward(self):
        return 2 * (self.pred - self.target) / self.pred.size


class NPReLU:
    def forward(self, x):
        self.mask = x > 0
        return x * self.mask

    def backward(self, grad_out):
        return grad_out * self.mask


class NPModel:
    def __init__(self, widths=(32, 32)):
        dims = (1, *widths, 1)
        linears = [NPLinear(a, b) for a, b in zip(dims, dims[1:])]
        # interleave: lin, relu, lin, relu, ..., lin
        self.layers = reduce(lambda acc, lin: acc + [NPReLU(), lin], linears[1:], [linears[0]])

    def forward(self, x):
        return reduce(lambda h, layer: layer.forward(h), self.layers, x)

    def backward(self, grad_out):
        return reduce(lambda g, layer: layer.backward(g), reversed(self.layers), grad_out)

    def gd_update(self, lr):
        for layer in filter(lambda l: isinstance(l, NPLinear), self.layers):
            layer.gd_update(lr)


def fit(model, epochs=3500, lr=0.05):
    crit = NPMSELoss()
    curves = []
    for _ in range(epochs):
        tl = crit.forward(model.forward(x_train), y_train)
        model.backward(crit.backward())
        model.gd_update(lr)
        curves.append((tl, crit.forward(model.forward(x_test), y_test)))
    return np.array(curves)


if __name__ == "__main__":
    model = NPModel()
    curves = fit(model)
    print("validation loss: %.4f" % curves[-1, 1])
    plt.semilogy(curves[:, 0], label="train")
    plt.semilogy(curves[:, 1], label="validation")
    plt.legend()
    plt.savefig("reduce_loss.png")
