#!/usr/bin/env python
# coding: utf-8

# # Regression with PyTorch
# Exported from the notebook: everything runs at import time.

# In[1]:


import torch
import torch.nn as nn
import torch.optim as optim
import matplotlib.pyplot as plt


# In[2]:


def make_data():
    x = torch.linspace(0, 1, 10)
    return x, 3 * x + torch.sin(6 * x) + 1

x, y_true = make_data()
plt.plot(x, y_true, "o")


# In[3]:


def err(W, x, y_true):
    n = len(x)
    return ((W[0] * x + W[1] - y_true) ** 2).sum().sqrt() / n

def update_step(W, x, y_true, epsilon=0.01):
    W.grad = None
    e = err(W, x, y_true)
    e.backward()
    with torch.no_grad():
        W.add_(W.grad, alpha=-epsilon)
    return e.item()

W = torch.zeros(2, requires_grad=True)
print(err(W, x, y_true))


# In[4]:


def fit_manual(x, y_true, steps=2000, epsilon=0.01):
    W = torch.zeros(2, requires_grad=True)
    errs = [update_step(W, x, y_true, epsilon) for step in range(steps)]
    return W, torch.as_tensor(errs)

W, errs = fit_manual(x, y_true, steps=500)
plt.figure()
plt.plot(errs)


# In[5]:


class LineFitting(nn.Module):
    def __init__(self):
        super(LineFitting, self).__init__()
        self.W = nn.Parameter(torch.zeros(2))

    def forward(self, x):
        return self.W[0] * x + self.W[1]

class PolyFit(nn.Module):
    def __init__(self, degree):
        super(PolyFit, self).__init__()
        self.W = nn.Parameter(torch.zeros(degree))

    def forward(self, x):
        y = torch.zeros_like(x)
        for i, w in enumerate(self.W):
            y = y + w * torch.pow(x, i)
        return y

def train(x, y_true, model, LossFn, OptimizerFn, lr, epochs):
    loss = LossFn()
    opt = OptimizerFn(model.parameters(), lr=lr)
    out = []
    for epoch in range(epochs):
        opt.zero_grad()
        l = loss(model(x), y_true)
        l.backward()
        opt.step()
        out.append(l.item())
        if epochs >= 10 and epoch % (epochs // 10) == 0:
            print(f"{epoch}: {l.item():.5f}")
    return out


# In[6]:


poly = PolyFit(5)
train(x, y_true, poly, nn.MSELoss, optim.SGD, 0.05, 1000)
plt.plot(x, poly(x).detach())
