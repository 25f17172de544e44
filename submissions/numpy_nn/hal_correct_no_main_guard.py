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
        limit = 1 / np.sqrt(in_channels)
        self.W = np.random.uniform(-limit, limit, (out_channels, in_channels))
        self.b = np.random.uniform(-limit, limit, (out_channels,))
        self.W_grad = np.zeros((out_channels, in_channels))
        self.b_grad = np.zeros((out_channels,))

    def forward(self, x):
        self.x = x
        return x @ self.W.T + self.b

    def backward(self, grad_out):
        self.W_grad[:] = grad_out.T @ self.x
        self.b_grad[:] = grad_out.sum(axis=0)
        return grad_out @ self.W

    def gd_update(self, lr):
        self.W -= lr * self.W_grad
        self.b -= lr * self.b_grad


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
        return np.maximum(x, 0)

    def backward(self, grad_out):
        return grad_out * (self.x > 0)


class NPModel:
    def __init__(self):
        self.l1 = NPLinear(1, 32)
        self.r1 = NPReLU()
        self.l2 = NPLinear(32, 32)
        self.r2 = NPReLU()
        self.l3 = NPLinear(32, 1)

    def forward(self, x):
        x = self.r1.forward(self.l1.forward(x))
        x = self.r2.forward(self.l2.forward(x))
        return self.l3.forward(x)

    def backward(self, grad_out):
        g = self.l3.backward(grad_out)
        g = self.l2.backward(self.r2.backward(g))
        self.l1.backward(self.r1.backward(g))

    def gd_update(self, lr):
        for lin in (self.l1, self.l2, self.l3):
            lin.gd_update(lr)


# training
model = NPModel()
loss_fn = NPMSELoss()
train_losses = []
val_losses = []
for epoch in range(3500):
    loss = loss_fn.forward(model.forward(x_train), y_train)
    model.backward(loss_fn.backward())
    model.gd_update(0.05)
    train_losses.append(loss)
    val_losses.append(loss_fn.forward(model.forward(x_test), y_test))
    if epoch % 1000 == 0:
        print(epoch, loss, val_losses[-1])

print("final val loss", val_losses[-1])

plt.figure()
plt.plot(train_losses, label="train")
plt.plot(val_losses, label="val")
plt.yscale("log")
plt.legend()
plt.savefig("train_val_loss.png")
plt.show()
