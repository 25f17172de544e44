"""Assignment C part 2 - manual backprop."""
import numpy as np
import matplotlib
import matplotlib.pyplot as plt

N_TRAIN = 100
N_TEST = 1000
SIGMA_NOISE = 0.1


def get_data():
    np.random.seed(0xDEADBEEF)
    x_train = np.random.uniform(-np.pi, np.pi, N_TRAIN).reshape(-1, 1)
    y_train = np.sin(x_train) + np.random.randn(N_TRAIN, 1) * SIGMA_NOISE
    x_test = np.random.uniform(-np.pi, np.pi, N_TEST).reshape(-1, 1)
    y_test = np.sin(x_test) + np.random.randn(N_TEST, 1) * SIGMA_NOISE
    return x_train, y_train, x_test, y_test


class NPLinear:
    def __init__(self, in_channels, out_channels):
        bound = np.sqrt(1 / in_channels)
        self.W = np.random.uniform(-bound, bound, size=(out_channels, in_channels))
        self.b = np.random.uniform(-bound, bound, size=(out_channels,))
        self.W_grad = None
        self.b_grad = None

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
        self.diff = pred - target
        return np.mean(np.square(self.diff))

    def backward(self):
        return 2 * self.diff / self.diff.size


class NPReLU:
    def forward(self, x):
        self.mask = x > 0
        return np.maximum(0, x)

    def backward(self, grad_out):
        return grad_out * self.mask


class NPModel:
    def __init__(self, hidden_sizes=(32, 32)):
        dims = (1,) + tuple(hidden_sizes) + (1,)
        self.layers = []
        for i in range(len(dims) - 1):
            self.layers.append(NPLinear(dims[i], dims[i + 1]))
            if i != len(dims) - 2:
                self.layers.append(NPReLU())

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_out):
        for layer in reversed(self.layers):
            grad_out = layer.backward(grad_out)

    def gd_update(self, lr):
        for layer in self.layers:
            if isinstance(layer, NPLinear):
                layer.gd_update(lr)


def train(model, data, lr, epochs):
    x_train, y_train, x_test, y_test = data
    loss_fn = NPMSELoss()
    train_loss, val_loss = [], []
    for _ in range(epochs):
        train_loss.append(loss_fn.forward(model.forward(x_train), y_train))
        model.backward(loss_fn.backward())
        model.gd_update(lr)
        val_loss.append(loss_fn.forward(model.forward(x_test), y_test))
    return train_loss, val_loss


def plot_losses(train_loss, val_loss, path):
    fig, ax = plt.subplots()
    ax.plot(train_loss, label="train")
    ax.plot(val_loss, label="validation")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("MSE")
    ax.legend()
    fig.savefig(path)
    plt.close(fig)


def main():
    data = get_data()
    model = NPModel()
    train_loss, val_loss = train(model, data, lr=0.05, epochs=3500)
    print(f"validation loss: {val_loss[-1]:.4f}")
    plot_losses(train_loss, val_loss, "loss_curve.png")


if __name__ == "__main__":
    main()
