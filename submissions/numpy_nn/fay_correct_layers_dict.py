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
        r = 1.0 / np.sqrt(in_channels)
        self.W = np.random.uniform(-r, r, size=(out_channels, in_channels))
        self.b = np.random.uniform(-r, r, size=out_channels)
        self.W_grad = np.zeros_like(self.W)
        self.b_grad = np.zeros_like(self.b)

    def forward(self, x):
        self._inp = x
        return x.dot(self.W.T) + self.b

    def backward(self, grad_out):
        self.W_grad = grad_out.T.dot(self._inp)
        self.b_grad = grad_out.sum(axis=0)
        return grad_out.dot(self.W)

    def gd_update(self, lr):
        self.W -= lr * self.W_grad
        self.b -= lr * self.b_grad


class NPMSELoss:
    def forward(self, pred, target):
        self._pred = pred.copy()
        self._target = target.copy()
        return ((pred - target) ** 2).sum() / pred.size

    def backward(self):
        return 2 * (self._pred - self._target) / self._pred.size


class NPReLU:
    def forward(self, x):
        self._x = x.copy()
        return x * (x > 0)

    def backward(self, grad_out):
        return grad_out * (self._x > 0)


class NPModel:
    def __init__(self, hidden=32):
        # named layers, dicts keep insertion order so this is also the forward order
        self.layers = {
            "fc1": NPLinear(1, hidden),
            "relu1": NPReLU(),
            "fc2": NPLinear(hidden, hidden),
            "relu2": NPReLU(),
            "out": NPLinear(hidden, 1),
        }

    def forward(self, x):
        for name in self.layers:
            x = self.layers[name].forward(x)
        return x

    def backward(self, grad_out):
        for name in reversed(list(self.layers)):
            grad_out = self.layers[name].backward(grad_out)
        return grad_out

    def gd_update(self, lr):
        for name, layer in self.layers.items():
            if name.startswith("fc") or name == "out":
                layer.gd_update(lr)


if __name__ == "__main__":
    model = NPModel()
    crit = NPMSELoss()
    logs = {"epoch": [], "train": [], "val": []}
    for epoch in range(3500):
        train_loss = crit.forward(model.forward(x_train), y_train)
        model.backward(crit.backward())
        model.gd_update(0.06)
        if epoch % 5 == 0:
            logs["epoch"].append(epoch)
            logs["train"].append(train_loss)
            logs["val"].append(crit.forward(model.forward(x_test), y_test))
    val = crit.forward(model.forward(x_test), y_test)
    print("validation MSE = %.4f" % val)

    plt.plot(logs["epoch"], logs["train"], label="train")
    plt.plot(logs["epoch"], logs["val"], label="val")
    plt.yscale("log")
    plt.legend()
    plt.savefig("dict_model_loss.png")
