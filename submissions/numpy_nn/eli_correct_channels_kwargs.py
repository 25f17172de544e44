import numpy as np
import matplotlib.pyplot as plt

N_TRAIN, N_TEST, SIGMA_NOISE = 100, 1000, 0.1

np.random.seed(0xDEADBEEF)
x_train = np.random.uniform(-np.pi, np.pi, N_TRAIN).reshape((N_TRAIN, 1))
y_train = np.sin(x_train) + np.random.randn(N_TRAIN, 1) * SIGMA_NOISE
x_test = np.random.uniform(-np.pi, np.pi, N_TEST).reshape((N_TEST, 1))
y_test = np.sin(x_test) + np.random.randn(N_TEST, 1) * SIGMA_NOISE


class NPLinear:
    def __init__(self, in_channels, out_channels):
        self.in_channels = in_channels
        self.out_channels = out_channels
        bound = 1 / in_channels ** 0.5
        self.W = (2 * np.random.rand(out_channels, in_channels) - 1) * bound
        self.b = (2 * np.random.rand(out_channels) - 1) * bound
        self.W_grad = np.zeros_like(self.W)
        self.b_grad = np.zeros_like(self.b)

    def forward(self, x):
        self.cache = x
        return np.matmul(x, self.W.transpose()) + self.b[np.newaxis, :]

    def backward(self, grad_out):
        x = self.cache
        self.W_grad = np.matmul(grad_out.transpose(), x)
        self.b_grad = grad_out.sum(axis=0)
        return np.matmul(grad_out, self.W)

    def gd_update(self, lr):
        self.W = self.W - lr * self.W_grad
        self.b = self.b - lr * self.b_grad


class NPMSELoss:
    def forward(self, pred, target):
        self.pred, self.target = pred, target
        return float(np.sum(np.square(pred - target)) / pred.size)

    def backward(self):
        return (2.0 / self.pred.size) * (self.pred - self.target)


class NPReLU:
    def forward(self, x):
        self.active = np.greater(x, 0)
        return np.maximum(x, 0)

    def backward(self, grad_out):
        return np.multiply(grad_out, self.active)


class NPModel:
    def __init__(self, in_channels=1, hidden=64, out_channels=1):
        self.hidden_layer = NPLinear(in_channels, hidden)
        self.activation = NPReLU()
        self.output_layer = NPLinear(hidden, out_channels)

    def forward(self, x):
        h = self.activation.forward(self.hidden_layer.forward(x))
        return self.output_layer.forward(h)

    def backward(self, grad_out):
        g = self.output_layer.backward(grad_out)
        g = self.activation.backward(g)
        return self.hidden_layer.backward(g)

    def gd_update(self, lr):
        self.hidden_layer.gd_update(lr)
        self.output_layer.gd_update(lr)


if __name__ == "__main__":
    model = NPModel(in_channels=1, hidden=64, out_channels=1)
    loss = NPMSELoss()
    history = []
    for epoch in range(3500):
        l_train = loss.forward(model.forward(x_train), y_train)
        model.backward(loss.backward())
        model.gd_update(0.05)
        l_val = loss.forward(model.forward(x_test), y_test)
        history.append((l_train, l_val))

    history = np.array(history)
    print(f"train {history[-1, 0]:.4f} / validation {history[-1, 1]:.4f}")

    plt.semilogy(history[:, 0], label="training")
    plt.semilogy(history[:, 1], label="validation")
    plt.xlabel("epoch")
    plt.ylabel("loss")
    plt.legend()
    plt.savefig("history.png")

    xs = np.linspace(-np.pi, np.pi, 400).reshape(-1, 1)
    plt.figure()
    plt.scatter(x_train[:, 0], y_train[:, 0], s=10, label="train data")
    plt.plot(xs, np.sin(xs), label="ground truth")
    plt.plot(xs, model.forward(xs), label="network")
    plt.legend()
    plt.savefig("fit.png")
