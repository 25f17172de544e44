import numpy as np
import matplotlib.pyplot as plt

# float32 everywhere, like torch's default dtype
DTYPE = np.float32

N_TRAIN = 100
N_TEST = 1000
SIGMA_NOISE = 0.1

np.random.seed(0xDEADBEEF)
x_train = np.random.uniform(-np.pi, np.pi, N_TRAIN).reshape(-1, 1)
y_train = np.sin(x_train) + np.random.randn(N_TRAIN, 1) * SIGMA_NOISE
x_test = np.random.uniform(-np.pi, np.pi, N_TEST).reshape(-1, 1)
y_test = np.sin(x_test) + np.random.randn(N_TEST, 1) * SIGMA_NOISE
x_train, y_train, x_test, y_test = (a.astype(DTYPE) for a in (x_train, y_train, x_test, y_test))


class NPLinear:
    def __init__(self, in_channels, out_channels):
        bound = 1.0 / np.sqrt(in_channels)
        self.W = np.random.uniform(-bound, bound, (out_channels, in_channels)).astype(DTYPE)
        self.b = np.random.uniform(-bound, bound, out_channels).astype(DTYPE)
        self.W_grad = np.zeros_like(self.W)
        self.b_grad = np.zeros_like(self.b)

    def forward(self, x):
        self.x = np.asarray(x, dtype=DTYPE)
        return self.x @ self.W.T + self.b

    def backward(self, grad_out):
        grad_out = np.asarray(grad_out, dtype=DTYPE)
        self.W_grad = grad_out.T @ self.x
        self.b_grad = grad_out.sum(axis=0)
        return grad_out @ self.W

    def gd_update(self, lr):
        self.W -= DTYPE(lr) * self.W_grad
        self.b -= DTYPE(lr) * self.b_grad


class NPMSELoss:
    def forward(self, pred, target):
        self.err = np.asarray(pred, dtype=DTYPE) - np.asarray(target, dtype=DTYPE)
        return np.mean(self.err ** 2)

    def backward(self):
        return DTYPE(2.0 / self.err.size) * self.err


class NPReLU:
    def forward(self, x):
        x = np.asarray(x, dtype=DTYPE)
        self.mask = (x > 0).astype(DTYPE)
        return x * self.mask

    def backward(self, grad_out):
        return np.asarray(grad_out, dtype=DTYPE) * self.mask


class NPModel:
    def __init__(self, hidden=(32, 32)):
        sizes = [1, *hidden, 1]
        self.layers = []
        for n_in, n_out in zip(sizes, sizes[1:]):
            self.layers.append(NPLinear(n_in, n_out))
            self.layers.append(NPReLU())
        del self.layers[-1]

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
    train_curve = np.zeros(4000, dtype=DTYPE)
    val_curve = np.zeros(4000, dtype=DTYPE)
    for epoch in range(4000):
        train_curve[epoch] = loss_fn.forward(model.forward(x_train), y_train)
        model.backward(loss_fn.backward())
        model.gd_update(0.05)
        val_curve[epoch] = loss_fn.forward(model.forward(x_test), y_test)
    print("dtype of the predictions:", model.forward(x_test).dtype)
    print("validation loss: %.4f" % val_curve[-1])

    plt.semilogy(train_curve, label="train")
    plt.semilogy(val_curve, label="val")
    plt.legend()
    plt.savefig("loss_float32.png")
