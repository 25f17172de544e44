import numpy as np

# ---------------------------------------------------------------- data
N_TRAIN = 100
N_TEST = 1000
SIGMA_NOISE = 0.1
np.random.seed(0xDEADBEEF)
x_train = np.random.uniform(-np.pi, np.pi, size=N_TRAIN)[:, None]
y_train = np.sin(x_train) + np.random.randn(N_TRAIN, 1) * SIGMA_NOISE
x_test = np.random.uniform(-np.pi, np.pi, size=N_TEST)[:, None]
y_test = np.sin(x_test) + np.random.randn(N_TEST, 1) * SIGMA_NOISE


# ---------------------------------------------------------------- layers
class NPLinear:
    """y_bo = sum_i W_oi x_bi + b_o, W has the torch layout (out, in)."""

    def __init__(self, in_channels, out_channels):
        k = np.sqrt(1.0 / in_channels)
        self.W = np.random.uniform(-k, k, size=(out_channels, in_channels))
        self.b = np.random.uniform(-k, k, size=(out_channels,))
        self.W_grad = np.zeros_like(self.W)
        self.b_grad = np.zeros_like(self.b)

    def forward(self, x):
        self.x = x
        return np.einsum("oi,bi->bo", self.W, x) + self.b

    def backward(self, grad_out):
        self.W_grad = np.einsum("bo,bi->oi", grad_out, self.x)
        self.b_grad = np.einsum("bo->o", grad_out)
        return np.einsum("bo,oi->bi", grad_out, self.W)

    def gd_update(self, lr):
        self.W = self.W - lr * self.W_grad
        self.b = self.b - lr * self.b_grad


class NPMSELoss:
    def forward(self, pred, target):
        self.d = pred - target
        return np.einsum("bc,bc->", self.d, self.d) / self.d.size

    def backward(self):
        return 2.0 / self.d.size * self.d


class NPReLU:
    def forward(self, x):
        self.x = x
        return np.maximum(x, 0.0)

    def backward(self, grad_out):
        return grad_out * (self.x > 0)


class NPModel:
    def __init__(self, width=32, depth=2):
        sizes = [1] + [width] * depth + [1]
        self.layers = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            self.layers += [NPLinear(n_in, n_out), NPReLU()]
        self.layers.pop()  # no activation after the output layer

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


# ---------------------------------------------------------------- training
if __name__ == "__main__":
    import matplotlib.pyplot as plt

    model = NPModel()
    loss_fn = NPMSELoss()
    losses = {"train": [], "val": []}
    snapshots = {}
    x_plot = np.linspace(-np.pi, np.pi, 200)[:, None]

    for epoch in range(1, 3001):
        train_loss = loss_fn.forward(model.forward(x_train), y_train)
        model.backward(loss_fn.backward())
        model.gd_update(0.05)
        losses["train"].append(train_loss)
        losses["val"].append(loss_fn.forward(model.forward(x_test), y_test))
        if epoch in (10, 100, 1000, 3000):
            snapshots[epoch] = model.forward(x_plot)

    print("validation loss after training: %.4f" % losses["val"][-1])

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.plot(losses["train"], label="train")
    ax1.plot(losses["val"], label="val")
    ax1.set_yscale("log")
    ax1.set_xlabel("epoch")
    ax1.legend()
    ax2.scatter(x_train, y_train, s=8, c="k", label="training data")
    ax2.plot(x_plot, np.sin(x_plot), "k--", label="sin(x)")
    for epoch, pred in snapshots.items():
        ax2.plot(x_plot, pred, label=f"epoch {epoch}")
    ax2.legend()
    fig.savefig("einsum_mlp.png", dpi=100)
