# Assignment C, part 2: a small MLP trained with hand-written backprop (NumPy only)
import numpy as np
import matplotlib.pyplot as plt

N_TRAIN = 100
N_TEST = 1000
SIGMA_NOISE = 0.1

np.random.seed(0xDEADBEEF)
x_train = np.random.uniform(low=-np.pi, high=np.pi, size=N_TRAIN).reshape(-1, 1)
y_train = np.sin(x_train) + np.random.randn(N_TRAIN, 1) * SIGMA_NOISE
x_test = np.random.uniform(low=-np.pi, high=np.pi, size=N_TEST).reshape(-1, 1)
y_test = np.sin(x_test) + np.random.randn(N_TEST, 1) * SIGMA_NOISE


class NPLinear:
    def __init__(self, in_channels, out_channels):
        # same distribution as torch.nn.Linear, but I store W as (in, out)
        # so that the forward pass is simply x @ W
        limit = 1 / np.sqrt(in_channels)
        self.W = np.random.uniform(-limit, limit, (in_channels, out_channels))
        self.b = np.random.uniform(-limit, limit, out_channels)
        self.W_grad = np.zeros((in_channels, out_channels))
        self.b_grad = np.zeros(out_channels)
        self.input = None

    def forward(self, x):
        self.input = x
        return x @ self.W + self.b

    def backward(self, grad_out):
        # dL/dW[i, j] = sum_n x[n, i] * g[n, j]
        self.W_grad = self.input.T @ grad_out
        self.b_grad = np.sum(grad_out, axis=0)
        return grad_out @ self.W.T

    def gd_update(self, lr):
        self.W -= lr * self.W_grad
        self.b -= lr * self.b_grad


class NPMSELoss:
    def forward(self, pred, target):
        self.pred = pred
        self.target = target
        return np.mean((pred - target) ** 2)

    def backward(self):
        n = self.pred.size
        return 2 * (self.pred - self.target) / n


class NPReLU:
    def forward(self, x):
        self.positive = x > 0
        return np.where(self.positive, x, 0.0)

    def backward(self, grad_out):
        return np.where(self.positive, grad_out, 0.0)


class NPModel:
    def __init__(self, hidden=32):
        self.layers = [
            NPLinear(1, hidden),
            NPReLU(),
            NPLinear(hidden, hidden),
            NPReLU(),
            NPLinear(hidden, 1),
        ]

    def forward(self, x):
        out = x
        for layer in self.layers:
            out = layer.forward(out)
        return out

    def backward(self, grad_out):
        grad = grad_out
        for layer in self.layers[::-1]:
            grad = layer.backward(grad)

    def gd_update(self, lr):
        for layer in self.layers:
            if hasattr(layer, "gd_update"):
                layer.gd_update(lr)


if __name__ == "__main__":
    model = NPModel(hidden=32)
    criterion = NPMSELoss()
    lr = 0.05
    n_epochs = 4000
    train_hist, val_hist = [], []

    for epoch in range(n_epochs):
        pred = model.forward(x_train)
        loss = criterion.forward(pred, y_train)
        model.backward(criterion.backward())
        model.gd_update(lr)

        val_loss = criterion.forward(model.forward(x_test), y_test)
        train_hist.append(loss)
        val_hist.append(val_loss)
        if epoch % 500 == 0:
            print(f"epoch {epoch:5d}  train {loss:.4f}  val {val_loss:.4f}")

    print(f"final validation loss: {val_hist[-1]:.4f}")

    plt.figure()
    plt.semilogy(train_hist, label="train")
    plt.semilogy(val_hist, label="validation")
    plt.xlabel("epoch")
    plt.ylabel("MSE")
    plt.legend()
    plt.savefig("loss.png")
