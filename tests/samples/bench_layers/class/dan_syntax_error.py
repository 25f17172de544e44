import numpy as np


class NPLinear:
    def __init__(self, in_features, out_features):
        bound = 1 / np.sqrt(in_features)
        self.W = np.random.uniform(-bound, bound, (out_features, in_features))
        self.b = np.random.uniform(-bound, bound, out_features)

    def forward(self, x):
        self.x = x
        return x @ self.W.T + self.b

    def backward(self, grad_out):
        self.W_grad = grad_out.T @ self.x
        self.b_grad = grad_out.sum(axis=0)
        return grad_out @ self.W


class NPMSELoss:
    def forward(self, pred, target):
        self.diff = pred - target
        return (self.diff ** 2).mean()

    def backward(self)
        return 2 * self.diff / self.diff.size


class NPReLU:
    def forward(self, x):
        self.x = x
        return np.maximum(x, 0)

    def backward(self, grad_out):
        return grad_out * (self.x > 0)
