import torch

print("threads", torch.get_num_threads())
x = torch.randn(64, 8, dtype=torch.float64)
w = torch.zeros(8, dtype=torch.float64, requires_grad=True)
y = x @ torch.arange(8, dtype=torch.float64)
optimizer = torch.optim.SGD([w], lr=0.05)
for _ in range(200):
    optimizer.zero_grad()
    loss = ((x @ w - y) ** 2).mean()
    loss.backward()
    optimizer.step()
print("loss", float(loss))
big = torch.randn(400, 400) @ torch.randn(400, 400)
print("matmul", tuple(big.shape))
