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
        # W is (out, in) like torch.nn.Linear.weight
        bound = 1 / np.sqrt(in_channels)
        self.W = np.random.uniform(-bound, bound, size=(out_channels, in_channels))
        self.b = np.random.uniform(-bound, bound, size=out_channels)
        self.W_grad = np.zeros_like(self.W)
        self.b_grad = np.zeros_like(self.b)

    def forward(self, x):
        self.x = x
        return x @ self.W.T + self.b

    def backward(self, grad_out):
        # dL/dW = x^T dL/dy
        self.W_grad = self.x.T @ grad_out
        self.b_grad = grad_out.sum(axis=0)
        return grad_out @ self.W

    def gd_update(self, lr):
        self.W -= lr * self.W_grad
        self.b -= lr * self.b_grad


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
    def __init__(self, hidden=(32, 32)):
        sizes = [1, *hidden, 1]
        self.layers = []
        for i in range(len(sizes) - 1):
            self.layers.append(NPLinear(sizes[i], sizes[i + 1]))
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


if __name__ == "__main__":
    model = NPModel()
    loss_fn = NPMSELoss()
    train_losses, val_losses = [], []
    for epoch in range(3500):
        train_losses.append(loss_fn.forward(model.forward(x_train), y_train))
        model.backward(loss_fn.backward())
        model.gd_update(0.05)
        val_losses.append(loss_fn.forward(model.forward(x_test), y_test))
    print("val loss", val_losses[-1])
    plt.plot(train_losses)
    plt.plot(val_losses)
    plt.yscale("log")
    plt.savefig("curves.png")
