# %%
%matplotlib inline
import random
import numpy as np
import torch
from torch import nn
from d2l import torch as d2l
# %% [hyperparameters]
class Point(d2l.HyperParameters):
    def __init__(self, x, y, label):
        self.save_hyperparameters(ignore=['label'])
        print('x =', self.x, 'y =', self.y, 'label kept:', hasattr(self, 'label'))

p = Point(x=3, y=4, label='far')
# %% [add-to-class]
class Counter:
    def __init__(self):
        self.n = 5

@d2l.add_to_class(Counter)
def twice(self):
    return 2 * self.n

Counter().twice()
# %% [board]
board = d2l.ProgressBoard('step')
for t in np.arange(0, 6, 0.25):
    board.draw(t, np.sin(t), 'sin', every_n=2)
    board.draw(t, np.cos(t), 'cos', every_n=4)
# %% [data]
data = d2l.SyntheticRegressionData(w=torch.tensor([2, -3.4]), b=4.2, num_train=512, num_val=64,
                                   batch_size=32)
X, y = next(iter(data.train_dataloader()))
print('X shape:', X.shape, '\ny shape:', y.shape)
len(data.train_dataloader()), len(data.val_dataloader())
# %% [scratch-model]
class LinearRegressionScratch(d2l.Module):
    def __init__(self, num_inputs, lr, sigma=0.01):
        super().__init__()
        self.save_hyperparameters()
        self.w = torch.normal(0, sigma, (num_inputs, 1), requires_grad=True)
        self.b = torch.zeros(1, requires_grad=True)

@d2l.add_to_class(LinearRegressionScratch)
def forward(self, X):
    return torch.matmul(X, self.w) + self.b

@d2l.add_to_class(LinearRegressionScratch)
def loss(self, y_hat, y):
    l = (y_hat - y) ** 2 / 2
    return l.mean()

class SGD(d2l.HyperParameters):
    def __init__(self, params, lr):
        self.save_hyperparameters()

    def step(self):
        for param in self.params:
            param -= self.lr * param.grad

    def zero_grad(self):
        for param in self.params:
            if param.grad is not None:
                param.grad.zero_()

@d2l.add_to_class(LinearRegressionScratch)
def configure_optimizers(self):
    return SGD([self.w, self.b], self.lr)
# %% [scratch-fit]
model = LinearRegressionScratch(2, lr=0.1)
trainer = d2l.Trainer(max_epochs=3)
trainer.fit(model, data)
with torch.no_grad():
    w_error = (data.w - model.w.reshape(data.w.shape)).abs().max().item()
    b_error = abs(data.b - model.b.item())
print(f'w error below 0.5: {w_error < 0.5}, b error below 0.5: {b_error < 0.5}')
# %% [concise]
model = d2l.LinearRegression(lr=0.03)
trainer = d2l.Trainer(max_epochs=3)
trainer.fit(model, data)
w, b = model.get_w_b()
w.shape, b.shape, type(model.net).__name__, model.loss(torch.ones(2, 1), torch.zeros(2, 1))
# %% [weight-decay]
class Data(d2l.DataModule):
    def __init__(self, num_train, num_val, num_inputs, batch_size):
        self.save_hyperparameters()
        n = num_train + num_val
        self.X = torch.randn(n, num_inputs)
        noise = torch.randn(n, 1) * 0.01
        w, b = torch.ones((num_inputs, 1)) * 0.01, 0.05
        self.y = torch.matmul(self.X, w) + b + noise

    def get_dataloader(self, train):
        i = slice(0, self.num_train) if train else slice(self.num_train, None)
        return self.get_tensorloader([self.X, self.y], train, i)

def l2_penalty(w):
    return (w ** 2).sum() / 2

class WeightDecay(d2l.LinearRegression):
    def __init__(self, wd, lr):
        super().__init__(lr)
        self.save_hyperparameters()
        self.wd = wd

    def configure_optimizers(self):
        return torch.optim.SGD([
            {'params': self.net.weight, 'weight_decay': self.wd},
            {'params': self.net.bias}], lr=self.lr)

data = Data(num_train=20, num_val=100, num_inputs=200, batch_size=5)
model = WeightDecay(wd=3, lr=0.01)
model.board.yscale = 'log'
trainer = d2l.Trainer(max_epochs=2)
trainer.fit(model, data)
print('L2 norm of w is finite:', bool(torch.isfinite(l2_penalty(model.get_w_b()[0]))))
