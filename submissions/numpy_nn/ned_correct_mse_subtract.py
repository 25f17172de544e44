import numpy as np
from matplotlib import pyplot as plt

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
        lim = 1.0 / np.sqrt(in_channels)
        self.W = np.random.uniform(-lim, lim, size=(out_channels, in_channels))
        self.b = np.random.uniform(-lim, lim, size=(out_channels,))
        self.W_grad = np.zeros_like(self.W)
        self.b_grad = np.zeros_like(self.b)

    def forward(self, x):
        self.inputs = x
        return np.add(np.matmul(x, self.W.T), self.b)

    def backward(self, grad_out):
        self.W_grad = np.matmul(grad_out.T, self.inputs)
        self.b_grad = np.add.reduce(grad_out, axis=0)
        return np.matmul(grad_out, self.W)

    def gd_update(self, lr):
        np.subtract(self.W, lr * self.W_grad, out=self.W)
        np.subtract(self.b, lr * self.b_grad, out=self.b)


class NPMSELoss:
    def forward(self, pred, target):
        self.pred = pred
        self.target = target
        return np.square(np.subtract(pred, target)).sum() / np.size(pred)

    def backward(self):
        # d/dpred of mean((pred - target)^2) = 2 (pred - target) / number of elements
        return np.multiply(2.0, np.subtract(self.pred, self.target)) / np.size(self.pred)


class NPReLU:
    def forward(self, x):
        self.x = x
        return np.maximum(x, 0.0)

    def backward(self, grad_out):
        return np.multiply(grad_out, np.heaviside(self.x, 0.0))


class NPModel:
    def __init__(self, hidden_layers=2, width=32):
        dims = [1] + [width] * hidden_layers + [1]
        self.blocks = []
        for d_in, d_out in zip(dims[:-1], dims[1:]):
            self.blocks.append(NPLinear(d_in, d_out))
        self.acts = [NPReLU() for _ in range(hidden_layers)]

    def forward(self, x):
        for lin, act in zip(self.blocks[:-1], self.acts):
            x = act.forward(lin.forward(x))
        return self.blocks[-1].forward(x)

    def backward(self, grad_out):
        g = self.blocks[-1].backward(grad_out)
        for lin, act in zip(reversed(self.blocks[:-1]), reversed(self.acts)):
            g = lin.backward(act.backward(g))
        return g

    def gd_update(self, lr):
        for lin in self.blocks:
            lin.gd_update(lr)


if __name__ == "__main__":
    model = NPModel()
    loss = NPMSELoss()
    n_epochs = 3500
    train_hist = np.empty(n_epochs)
    val_hist = np.empty(n_epochs)
    for i in range(n_epochs):
        train_hist[i] = loss.forward(model.forward(x_train), y_train)
        model.backward(loss.backward())
        model.gd_update(0.05)
        val_hist[i] = loss.forward(model.forward(x_test), y_test)
    print("val:", val_hist[-1])
    plt.semilogy(np.arange(n_epochs), train_hist, np.arange(n_epochs), val_hist)
    plt.legend(["train", "val"])
    plt.savefig("ned_loss.png")
