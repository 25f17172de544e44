# Assignment C 1a/1b -- my own structure (notebook export)
import torch
import matplotlib.pyplot as plt

torch.manual_seed(0xDEADBEEF)
N = 15
xs = torch.rand(N) * 2 * torch.pi
ys = torch.sin(xs) + torch.randn(N) * 0.1


def poly(x, coeffs):
    return sum(c * x ** i for i, c in enumerate(coeffs))


def loss_of(coeffs):
    return ((poly(xs, coeffs) - ys) ** 2).mean()


def train(optimizer_name, start, n_steps=100, **settings):
    coeffs = start.clone().requires_grad_()
    optimizer = getattr(torch.optim, optimizer_name)([coeffs], **settings)
    curve = []

    def closure():
        optimizer.zero_grad()
        value = loss_of(coeffs)
        value.backward()
        return value

    for _ in range(n_steps):
        curve.append(optimizer.step(closure).item())
    return coeffs.detach(), curve


A = torch.stack([xs ** i for i in range(4)], 1)
exact = torch.linalg.lstsq(A, ys[:, None]).solution[:, 0]
print("exact solution", exact.tolist(), "loss", loss_of(exact).item())

H = 2 * A.T @ A / N
ev = torch.linalg.eigvalsh(H.double())
print("Hessian eigenvalues", ev.tolist(), "condition", (ev[-1] / ev[0]).item())

for lr in [1e-6, 1e-5, 5e-5, 7e-5, 8e-5]:
    print("SGD lr", lr, train("SGD", torch.ones(4), lr=lr)[1][-1])

start = torch.tensor([1.0, 0.1, 0.01, 0.001])
curves = {
    "SGD": train("SGD", torch.ones(4), lr=7e-5),
    "momentum": train("SGD", start, lr=1.3e-4, momentum=0.9),
    "Adam": train("Adam", start, lr=0.03),
    "LBFGS": train("LBFGS", start, 10, line_search_fn="strong_wolfe"),
}
for name, (c, curve) in curves.items():
    print(name, "final loss", loss_of(c).item())

plt.figure()
for name, (_, curve) in curves.items():
    plt.semilogy(curve, label=name)
plt.legend()
plt.figure()
grid = torch.linspace(0, 2 * torch.pi, 100)
plt.plot(grid, torch.sin(grid), label="sin")
plt.scatter(xs, ys, label="data")
plt.plot(grid, poly(grid, exact), label="exact")
plt.plot(grid, poly(grid, curves["LBFGS"][0]), label="LBFGS")
plt.legend()
plt.show()
