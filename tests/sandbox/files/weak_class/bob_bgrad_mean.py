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
        # the bias is shared by all samples, so take the average over the batch
        self.b_grad = grad_out.mean(axis=0)
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
        self.x = x
        return np.maximum(x, 0)

    def backward(self, grad_out):
        return grad_out * (self.x > 0)


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


if __name__ == "__main__":
    model = NPModel()
    loss_fn = NPMSELoss()
    train_losses, val_losses = [], []
    for epoch in range(3500):
        train_losses.append(loss_fn.forward(model.forward(x_train), y_train))
        model.backward(loss_fn.backward())
        model.gd_update(0.05)
        val_losses.append(loss_fn.forward(model.forward(x_test), y_test))
    print("validation loss:", val_losses[-1])
    plt.semilogy(train_losses, label="train")
    plt.semilogy(val_losses, label="val")
    plt.legend()
    plt.savefig("loss.png")
