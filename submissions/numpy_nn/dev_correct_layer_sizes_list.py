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
        s = in_channels ** -0.5
        self.W = np.random.uniform(-s, s, (out_channels, in_channels))
        self.b = np.random.uniform(-s, s, out_channels)
        self.W_grad = np.zeros(self.W.shape)
        self.b_grad = np.zeros(self.b.shape)

    def forward(self, x):
        self.last_input = x
        return np.dot(x, self.W.T) + self.b

    def backward(self, grad_out):
        self.W_grad = np.dot(grad_out.T, self.last_input)
        self.b_grad = grad_out.sum(0)
        return np.dot(grad_out, self.W)

    def gd_update(self, lr):
        self.W -= lr * self.W_grad
        self.b -= lr * self.b_grad


class NPMSELoss:
    def forward(self, pred, target):
        self.residual = pred - target
        return (self.residual ** 2).mean()

    def backward(self):
        return 2 * self.residual / np.prod(self.residual.shape)


class NPReLU:
    def forward(self, x):
        self.x = x
        return np.clip(x, 0, None)

    def backward(self, grad_out):
        grad = grad_out.copy()
        grad[self.x <= 0] = 0
        return grad


class NPModel:
    def __init__(self, layer_sizes):
        # layer_sizes like [1, 40, 40, 1]: a linear layer between each pair,
        # ReLU after every linear layer except the last one
        self.linears = [NPLinear(a, b) for a, b in zip(layer_sizes[:-1], layer_sizes[1:])]
        self.relus = [NPReLU() for _ in range(len(self.linears) - 1)]

    def forward(self, x):
        h = x
        for k, lin in enumerate(self.linears):
            h = lin.forward(h)
            if k < len(self.relus):
                h = self.relus[k].forward(h)
        return h

    def backward(self, grad_out):
        g = grad_out
        for k in range(len(self.linears) - 1, -1, -1):
            if k < len(self.relus):
                g = self.relus[k].backward(g)
            g = self.linears[k].backward(g)
        return g

    def gd_update(self, lr):
        for lin in self.linears:
            lin.gd_update(lr)


if __name__ == "__main__":
    net = NPModel([1, 40, 40, 1])
    loss_function = NPMSELoss()
    learning_rate = 0.05
    train_losses = []
    val_losses = []
    plot_epochs = [0, 50, 500, 2999]
    x_grid = np.linspace(-np.pi, np.pi, 300).reshape(-1, 1)
    fig, axes = plt.subplots(1, len(plot_epochs), figsize=(16, 3.5), sharey=True)

    for epoch in range(3000):
        out = net.forward(x_train)
        train_losses.append(loss_function.forward(out, y_train))
        net.backward(loss_function.backward())
        net.gd_update(learning_rate)
        val_losses.append(loss_function.forward(net.forward(x_test), y_test))
        if epoch in plot_epochs:
            ax = axes[plot_epochs.index(epoch)]
            ax.plot(x_train, y_train, ".", ms=3)
            ax.plot(x_grid, np.sin(x_grid), "g")
            ax.plot(x_grid, net.forward(x_grid), "r")
            ax.set_title("epoch %d" % epoch)
    fig.savefig("predictions.png")

    plt.figure()
    plt.plot(train_losses, label="train loss")
    plt.plot(val_losses, label="validation loss")
    plt.yscale("log")
    plt.legend()
    plt.savefig("losses.png")
    print("final val loss:", val_losses[-1])
