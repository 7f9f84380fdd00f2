# %%
%matplotlib inline
import torch
from torch import nn
from d2l import torch as d2l
# %% [relu-plot]
x = torch.arange(-8.0, 8.0, 0.1, requires_grad=True)
y = torch.relu(x)
d2l.plot(x.detach(), y.detach(), 'x', 'relu(x)', figsize=(5, 2.5))
# %% [activation-grads]
y.backward(torch.ones_like(x), retain_graph=True)
s = torch.sigmoid(torch.tensor([0.0]))
t = torch.tanh(torch.tensor([0.0]))
x.grad[:3], s, t
# %% [small-data]
class SmallFashionMNIST(d2l.DataModule):
    def __init__(self, num_train=768, num_val=256, batch_size=256):
        super().__init__()
        self.save_hyperparameters()
        full = d2l.FashionMNIST(batch_size=batch_size)
        X, y = next(iter(torch.utils.data.DataLoader(full.train, batch_size=num_train)))
        Xv, yv = next(iter(torch.utils.data.DataLoader(full.val, batch_size=num_val)))
        self.tensors = {True: (X, y), False: (Xv, yv)}

    def get_dataloader(self, train):
        return self.get_tensorloader(self.tensors[train], train)

data = SmallFashionMNIST()
# %% [scratch]
class MLPScratch(d2l.Classifier):
    def __init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma=0.01):
        super().__init__()
        self.save_hyperparameters()
        self.W1 = nn.Parameter(torch.randn(num_inputs, num_hiddens) * sigma)
        self.b1 = nn.Parameter(torch.zeros(num_hiddens))
        self.W2 = nn.Parameter(torch.randn(num_hiddens, num_outputs) * sigma)
        self.b2 = nn.Parameter(torch.zeros(num_outputs))

def relu(X):
    a = torch.zeros_like(X)
    return torch.max(X, a)

@d2l.add_to_class(MLPScratch)
def forward(self, X):
    X = X.reshape((-1, self.num_inputs))
    H = relu(torch.matmul(X, self.W1) + self.b1)
    return torch.matmul(H, self.W2) + self.b2

model = MLPScratch(num_inputs=784, num_outputs=10, num_hiddens=64, lr=0.1)
trainer = d2l.Trainer(max_epochs=2)
trainer.fit(model, data)
# %% [scratch-params]
[(name, p.shape) for name, p in model.named_parameters()]
# %% [concise]
class MLP(d2l.Classifier):
    def __init__(self, num_outputs, num_hiddens, lr):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Flatten(), nn.LazyLinear(num_hiddens),
                                 nn.ReLU(), nn.LazyLinear(num_outputs))

model = MLP(num_outputs=10, num_hiddens=64, lr=0.1)
trainer = d2l.Trainer(max_epochs=2)
trainer.fit(model, data)
# %% [concise-net]
model.net
# %% [dropout-layer]
def dropout_layer(X, dropout):
    assert 0 <= dropout <= 1
    if dropout == 1: return torch.zeros_like(X)
    mask = (torch.rand(X.shape) > dropout).float()
    return mask * X / (1.0 - dropout)

X = torch.arange(16, dtype=torch.float32).reshape((2, 8))
print('dropout_p = 0:', dropout_layer(X, 0))
print('dropout_p = 1:', dropout_layer(X, 1))
kept = dropout_layer(X, 0.5)
bool(((kept == 0) | (kept == 2 * X)).all())
# %% [dropout-scratch]
class DropoutMLPScratch(d2l.Classifier):
    def __init__(self, num_outputs, num_hiddens_1, num_hiddens_2,
                 dropout_1, dropout_2, lr):
        super().__init__()
        self.save_hyperparameters()
        self.lin1 = nn.LazyLinear(num_hiddens_1)
        self.lin2 = nn.LazyLinear(num_hiddens_2)
        self.lin3 = nn.LazyLinear(num_outputs)
        self.relu = nn.ReLU()

    def forward(self, X):
        H1 = self.relu(self.lin1(X.reshape((X.shape[0], -1))))
        if self.training:
            H1 = dropout_layer(H1, self.dropout_1)
        H2 = self.relu(self.lin2(H1))
        if self.training:
            H2 = dropout_layer(H2, self.dropout_2)
        return self.lin3(H2)

hparams = {'num_outputs': 10, 'num_hiddens_1': 64, 'num_hiddens_2': 32,
           'dropout_1': 0.5, 'dropout_2': 0.5, 'lr': 0.1}
model = DropoutMLPScratch(**hparams)
trainer = d2l.Trainer(max_epochs=1)
trainer.fit(model, data)
# %% [dropout-concise]
class DropoutMLP(d2l.Classifier):
    def __init__(self, num_outputs, num_hiddens_1, num_hiddens_2,
                 dropout_1, dropout_2, lr):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Flatten(), nn.LazyLinear(num_hiddens_1), nn.ReLU(),
            nn.Dropout(dropout_1), nn.LazyLinear(num_hiddens_2), nn.ReLU(),
            nn.Dropout(dropout_2), nn.LazyLinear(num_outputs))

model = DropoutMLP(**hparams)
trainer = d2l.Trainer(max_epochs=1)
trainer.fit(model, data)
model.net
# %% [stability-plot]
x = torch.arange(-8.0, 8.0, 0.1, requires_grad=True)
y = torch.sigmoid(x)
y.backward(torch.ones_like(x))
d2l.plot(x.detach().numpy(), [y.detach().numpy(), x.grad.numpy()],
         legend=['sigmoid', 'gradient'], figsize=(4.5, 2.5))
# %% [matrix-product]
M = torch.normal(0, 1, size=(4, 4))
for i in range(100):
    M = M @ torch.normal(0, 1, size=(4, 4))
M.shape, M.dtype
