import numpy as np
import matplotlib.pyplot as plt

N_TRAIN = 100
N_TEST = 1000
SIGMA_NOISE = 0.1

np.random.seed(0xDEADBEEF)
x_train = np.random.uniform(-np.pi, np.pi, N_TRAIN).reshape(N_TRAIN, 1)
y_train = np.sin(x_train) + np.random.randn(N_TRAIN, 1) * SIGMA_NOISE
x_test = np.random.uniform(-np.pi, np.pi, N_TEST).reshape(N_TEST, 1)
y_test = np.sin(x_test) + np.random.randn(N_TEST, 1) * SIGMA_NOISE


class NPLinear:
    # I wrote the layer with explicit loops over the neurons first, to be sure
    # which index goes where, and only vectorised the sum over the batch.
    def __init__(self, in_channels, out_channels):
        self.n_in = in_channels
        self.n_out = out_channels
        bound = 1.0 / np.sqrt(in_channels)
        self.W = np.random.uniform(-bound, bound, size=(out_channels, in_channels))
        self.b = np.random.uniform(-bound, bound, size=out_channels)
        self.W_grad = np.zeros((out_channels, in_channels))
        self.b_grad = np.zeros(out_channels)

    def forward(self, x):
        self.x = x
        y = np.empty((x.shape[0], self.n_out))
        for j in range(self.n_out):
            # output neuron j: w_j . x + b_j for every sample
            acc = np.full(x.shape[0], self.b[j])
            for i in range(self.n_in):
                acc = acc + self.W[j, i] * x[:, i]
            y[:, j] = acc
        return y

    def backward(self, grad_out):
        W_grad = np.zeros((self.n_out, self.n_in))
        b_grad = np.zeros(self.n_out)
        dx = np.zeros_like(self.x, dtype=float)
        for j in range(self.n_out):
            g_j = grad_out[:, j]
            b_grad[j] = g_j.sum()
            for i in range(self.n_in):
                W_grad[j, i] = np.dot(g_j, self.x[:, i])
                dx[:, i] += self.W[j, i] * g_j
        self.W_grad = W_grad
        self.b_grad = b_grad
        return dx

    def gd_update(self, lr):
        for j in range(self.n_out):
            self.b[j] -= lr * self.b_grad[j]
            for i in range(self.n_in):
                self.W[j, i] -= lr * self.W_grad[j, i]


class NPMSELoss:
    def forward(self, pred, target):
        self.pred = pred
        self.target = target
        total = 0.0
        for r in range(pred.shape[0]):
            for c in range(pred.shape[1]):
                total += (pred[r, c] - target[r, c]) ** 2
        return total / pred.size

    def backward(self):
        return 2 * (self.pred - self.target) / self.pred.size


class NPReLU:
    def forward(self, x):
        self.mask = (x > 0).astype(float)
        return x * self.mask

    def backward(self, grad_out):
        return grad_out * self.mask


class NPModel:
    """1 -> 48 -> 1, a single hidden layer is enough for a sine."""

    def __init__(self, hidden=48):
        self.fc1 = NPLinear(1, hidden)
        self.act = NPReLU()
        self.fc2 = NPLinear(hidden, 1)

    def forward(self, x):
        return self.fc2.forward(self.act.forward(self.fc1.forward(x)))

    def backward(self, grad_out):
        g = self.fc2.backward(grad_out)
        g = self.act.backward(g)
        return self.fc1.backward(g)

    def gd_update(self, lr):
        self.fc1.gd_update(lr)
        self.fc2.gd_update(lr)


if __name__ == "__main__":
    model = NPModel()
    mse = NPMSELoss()
    epochs = 3000
    lr = 0.05
    log_epochs, train_curve, val_curve = [], [], []
    for epoch in range(epochs):
        loss = mse.forward(model.forward(x_train), y_train)
        model.backward(mse.backward())
        model.gd_update(lr)
        if epoch % 20 == 0 or epoch == epochs - 1:
            log_epochs.append(epoch)
            train_curve.append(loss)
            val_curve.append(mse.forward(model.forward(x_test), y_test))

    print("val loss", val_curve[-1])

    plt.plot(log_epochs, train_curve, label="train")
    plt.plot(log_epochs, val_curve, label="val")
    plt.yscale("log")
    plt.legend()
    plt.title("loss")
    plt.savefig("loops_loss.png")
