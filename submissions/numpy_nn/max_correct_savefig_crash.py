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
        self.W = np.random.uniform(-bound, bound, size=(out_channels, in_channels))
        self.b = np.random.uniform(-bound, bound, size=(out_channels,))
        self.W_grad = np.zeros_like(self.W)
        self.b_grad = np.zeros_like(self.b)

    def forward(self, x):
        self.x = x
        return x @ self.W.T + self.b

    def backward(self, grad_out):
        self.W_grad = grad_out.T @ self.x
        self.b_grad = np.sum(grad_out, axis=0)
        return grad_out @ self.W

    def gd_update(self, lr):
        self.W -= lr * self.W_grad
        self.b -= lr * self.b_grad


class NPMSELoss:
    def forward(self, pred, target):
        self.pred = pred
        self.target = target
        return np.mean((pred - target) ** 2)

    def backward(self):
        return 2 * (self.pred - self.target) / self.pred.size


class NPReLU:
    def forward(self, x):
        self.x = x
        return np.maximum(0, x)

    def backward(self, grad_out):
        return grad_out * (self.x > 0)


class NPModel:
    def __init__(self, in_channels=1, out_channels=1, hidden=32):
        self.layers = [NPLinear(in_channels, hidden), NPReLU(),
                       NPLinear(hidden, hidden), NPReLU(),
                       NPLinear(hidden, out_channels)]

    def forward(self, x):
        for l in self.layers:
            x = l.forward(x)
        return x

    def backward(self, grad_out):
        for l in reversed(self.layers):
            grad_out = l.backward(grad_out)
        return grad_out

    def gd_update(self, lr):
        for l in self.layers:
            if isinstance(l, NPLinear):
                l.gd_update(lr)


if __name__ == "__main__":
    model = NPModel(1, 1)
    loss_fn = NPMSELoss()
    train_losses, val_losses = [], []
    for epoch in range(3500):
        loss = loss_fn.forward(model.forward(x_train), y_train)
        model.backward(loss_fn.backward())
        model.gd_update(0.05)
        train_losses.append(loss)
        val_losses.append(loss_fn.forward(model.forward(x_test), y_test))
    print("validation loss:", val_losses[-1])

    plt.plot(train_losses, label="train")
    plt.plot(val_losses, label="validation")
    plt.yscale("log")
    plt.legend()
    plt.savefig("figs/loss.png")   # the report template expects the figures in figs/

    xs = np.linspace(-np.pi, np.pi, 200).reshape(-1, 1)
    plt.figure()
    plt.plot(x_train, y_train, "o", ms=3)
    plt.plot(xs, np.sin(xs))
    plt.plot(xs, model.forward(xs))
    plt.savefig("figs/prediction.png")
