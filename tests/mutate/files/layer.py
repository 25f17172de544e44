"""A small layer to mutate: every operator has at least one site here."""
import numpy as np


def helper_at_import_time():
    return 1


class Layer:
    def __init__(self, n_in, n_out):
        bound = n_in ** -0.5
        self.W = np.random.uniform(-bound, bound, size=(n_out, n_in))
        self.W_grad = None

    def forward(self, x):
        """x @ W.T + 1: the docstring is never mutated."""
        self._x = x
        print("forward", x.shape, 2.0)
        return x @ self.W.T + 1.0

    def backward(self, g):
        self.W_grad = g.T @ self._x
        return g.sum(axis=0)[1:] if g.shape[0] > 1 else g

    def train(self, optimizer, loss):
        for _ in range(3):
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return loss.detach()
