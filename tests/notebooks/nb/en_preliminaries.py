# %%
%matplotlib inline
import random
import torch
from torch.distributions.multinomial import Multinomial
from d2l import torch as d2l
# %% [arange]
x = torch.arange(12, dtype=torch.float32)
x
# %% [numel]
x.numel(), x.shape
# %% [reshape]
X = x.reshape(3, 4)
X
# %% [zeros]
torch.zeros((2, 3, 4)).shape, torch.randn(3, 4).shape
# %% [cat]
Y = torch.tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])
torch.cat((X, Y), dim=0).shape, torch.cat((X, Y), dim=1).shape
# %% [compare]
X == Y
# %% [broadcast]
a = torch.arange(3).reshape((3, 1))
b = torch.arange(2).reshape((1, 2))
a + b
# %% [slicing]
X[-1], X[1:3]
# %% [inplace]
Z = torch.zeros_like(Y)
before = id(Z)
Z[:] = X + Y
id(Z) == before
# %% [numpy]
A = X.numpy()
B = torch.from_numpy(A)
type(A), type(B)
# %% [item]
a = torch.tensor([3.5])
a, a.item(), float(a), int(a)
# %% [keepdims]
A = torch.arange(6, dtype=torch.float32).reshape(2, 3)
sum_A = A.sum(axis=1, keepdims=True)
sum_A, sum_A.shape, A / sum_A
# %% [reductions]
A.sum(axis=[0, 1]), A.mean(), A.cumsum(axis=0), A.T
# %% [linalg]
x = torch.arange(3, dtype=torch.float32)
torch.dot(x, x), torch.mv(A, x), torch.mm(A, A.T), torch.norm(torch.tensor([3.0, -4.0]))
# %% [grad]
x = torch.arange(4.0)
x.requires_grad_(True)
y = 2 * torch.dot(x, x)
y.backward()
x.grad, x.grad == 4 * x
# %% [grad-sum]
x.grad.zero_()
y = x.sum()
y.backward()
x.grad
# %% [detach]
x.grad.zero_()
y = x * x
u = y.detach()
z = u * x
z.sum().backward()
x.grad == u
# %% [control-flow]
def f(a):
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    return b if b.sum() > 0 else 100 * b

a = torch.randn(size=(), requires_grad=True)
d = f(a)
d.backward()
bool(a.grad == d / a)
# %% [multinomial]
fair_probs = torch.ones(6) / 6
counts = Multinomial(10, fair_probs).sample((500,))
counts.shape, bool((counts.sum(dim=1) == 10).all())
# %% [probability-plot]
cum_counts = counts.cumsum(dim=0)
estimates = cum_counts / cum_counts.sum(dim=1, keepdims=True)
d2l.set_figsize((4.5, 3.5))
for i in range(6):
    d2l.plt.plot(estimates[:, i].numpy(), label=("P(die=" + str(i + 1) + ")"))
d2l.plt.axhline(y=0.167, color='black', linestyle='dashed')
d2l.plt.legend();
# %% [calculus-plot]
def f(x):
    return 3 * x ** 2 - 4 * x

x = torch.arange(0, 3, 0.1)
d2l.plot(x, [f(x), 2 * x - 3], 'x', 'f(x)', legend=['f(x)', 'Tangent line (x=1)'])
