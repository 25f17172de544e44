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
        k = 1 / np.sqrt(in_channels)
        self.W = np.random.uniform(-k, k, (out_channels, in_channels))
        self.b = np.random.uniform(-k, k, out_channels)
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
        self.W = self.W - lr * self.W_grad
        self.b = self.b - lr * self.b_grad


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
    def __init__(self, sizes=(1, 32, 32, 1)):
        self.layers = []
        for i in range(len(sizes) - 1):
            self.layers.append(NPLinear(sizes[i], sizes[i + 1]))
            self.layers.append(NPReLU())
        self.layers = self.layers[:-1]

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_out):
        for layer in self.layers[::-1]:
            grad_out = layer.backward(grad_out)
        return grad_out

    def gd_update(self, lr):
        for layer in self.layers:
            if isinstance(layer, NPLinear):
                layer.gd_update(lr)


if __name__ == "__main__":
    model = NPModel()
    loss_fn = NPMSELoss()

    lr0 = 0.1          # start a bit higher ...
    gamma = 0.9995     # ... and decay exponentially: lr = lr0 * gamma^epoch
    epochs = 3000

    lrs, train_losses, val_losses = [], [], []
    for epoch in range(epochs):
        lr = lr0 * gamma ** epoch
        loss = loss_fn.forward(model.forward(x_train), y_train)
        model.backward(loss_fn.backward())
        model.gd_update(lr)
        lrs.append(lr)
        train_losses.append(loss)
        val_losses.append(loss_fn.forward(model.forward(x_test), y_test))

    print(f"final lr {lrs[-1]:.5f}, train loss {train_losses[-1]:.4f}, val loss {val_losses[-1]:.4f}")

    fig, (a, b) = plt.subplots(2, 1, sharex=True)
    a.semilogy(train_losses, label="train")
    a.semilogy(val_losses, label="val")
    a.legend()
    b.plot(lrs)
    b.set_ylabel("learning rate")
    b.set_xlabel("epoch")
    fig.savefig("lr_decay.png")
