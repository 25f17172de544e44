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
    """Parameters start as float32; every input is cast to float32 before it is used."""

    def __init__(self, in_channels, out_channels):
        bound = 1 / np.sqrt(in_channels)
        self.W = np.random.uniform(-bound, bound, (out_channels, in_channels)).astype(np.float32)
        self.b = np.random.uniform(-bound, bound, out_channels).astype(np.float32)
        self.W_grad = np.zeros_like(self.W)
        self.b_grad = np.zeros_like(self.b)

    def forward(self, x):
        self.x = x.astype(np.float32)
        return self.x @ self.W.T + self.b

    def backward(self, grad_out):
        self.W_grad = grad_out.T @ self.x
        self.b_grad = grad_out.sum(axis=0)
        return grad_out @ self.W

    def gd_update(self, lr):
        self.W = self.W - lr * self.W_grad
        self.b = self.b - lr * self.b_grad


class NPMSELoss:
    def forward(self, pred, target):
        self.pred, self.target = pred, target
        return ((pred - target) ** 2).mean()

    def backward(self):
        return 2 * (self.pred - self.target) / self.pred.size


class NPReLU:
    def forward(self, x):
        self.x = x
        return np.maximum(x, 0)

    def backward(self, grad_out):
        return grad_out * (self.x > 0)


class NPModel:
    def __init__(self, hidden=48):
        self.layers = [NPLinear(1, hidden), NPReLU(), NPLinear(hidden, hidden), NPReLU(), NPLinear(hidden, 1)]

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_out):
        for layer in self.layers[::-1]:
            grad_out = layer.backward(grad_out)

    def gd_update(self, lr):
        for layer in self.layers:
            if isinstance(layer, NPLinear):
                layer.gd_update(lr)


if __name__ == "__main__":
    model = NPModel()
    loss_fn = NPMSELoss()
    history = []
    for epoch in range(4000):
        loss = loss_fn.forward(model.forward(x_train), y_train)
        model.backward(loss_fn.backward())
        model.gd_update(0.05)
        history.append((loss, loss_fn.forward(model.forward(x_test), y_test)))
    print("validation loss", history[-1][1])
    plt.semilogy(history)
    plt.savefig("loss.png")
    plt.close()
