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
        a = 1 / np.sqrt(in_channels)
        self.W = np.random.uniform(-a, a, size=(out_channels, in_channels))
        self.b = np.random.uniform(-a, a, size=out_channels)
        self.W_grad = np.zeros_like(self.W)
        self.b_grad = np.zeros_like(self.b)

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
        self.pred, self.target = pred, target
        return np.mean((pred - target) ** 2)

    def backward(self):
        return 2 * (self.pred - self.target) / self.pred.size


class NPReLU:
    def forward(self, x):
        # I use the subgradient 1 at x == 0 (the function is not differentiable
        # there, any value in [0, 1] is fine)
        self.grad_mask = (x >= 0).astype(x.dtype)
        return np.maximum(x, 0)

    def backward(self, grad_out):
        return grad_out * self.grad_mask


class NPModel:
    def __init__(self, n_hidden=32):
        self.linear1 = NPLinear(1, n_hidden)
        self.relu1 = NPReLU()
        self.linear2 = NPLinear(n_hidden, n_hidden)
        self.relu2 = NPReLU()
        self.linear3 = NPLinear(n_hidden, 1)
        self.sequence = [self.linear1, self.relu1, self.linear2, self.relu2, self.linear3]

    def forward(self, x):
        for m in self.sequence:
            x = m.forward(x)
        return x

    def backward(self, grad_out):
        for m in reversed(self.sequence):
            grad_out = m.backward(grad_out)
        return grad_out

    def gd_update(self, lr):
        self.linear1.gd_update(lr)
        self.linear2.gd_update(lr)
        self.linear3.gd_update(lr)


if __name__ == "__main__":
    model = NPModel()
    criterion = NPMSELoss()
    tr, va = [], []
    x_show = np.linspace(-np.pi, np.pi, 250).reshape(-1, 1)
    show_at = {25, 250, 3499}
    plt.figure(figsize=(7, 4))
    plt.plot(x_train, y_train, "k.", label="train")
    plt.plot(x_show, np.sin(x_show), "k-", lw=0.8, label="sin")
    for ep in range(3500):
        tr.append(criterion.forward(model.forward(x_train), y_train))
        model.backward(criterion.backward())
        model.gd_update(0.05)
        va.append(criterion.forward(model.forward(x_test), y_test))
        if ep in show_at:
            plt.plot(x_show, model.forward(x_show), label=f"epoch {ep}")
    plt.legend()
    plt.savefig("fits.png")

    plt.figure()
    plt.loglog(range(1, len(tr) + 1), tr, label="train")
    plt.loglog(range(1, len(va) + 1), va, label="val")
    plt.legend()
    plt.savefig("losses_loglog.png")
    print("val loss at the end:", round(va[-1], 5))
