# %%
import torch
from torch import nn
from torch.nn import functional as F
from d2l import torch as d2l
# %% [sequential]
net = nn.Sequential(nn.LazyLinear(256), nn.ReLU(), nn.LazyLinear(10))
X = torch.rand(2, 20)
net(X).shape
# %% [lazy-repr]
net
# %% [custom-block]
class TwoLayers(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.LazyLinear(32)
        self.out = nn.LazyLinear(4)

    def forward(self, X):
        return self.out(F.relu(self.hidden(X)))

block = TwoLayers()
block(X).shape, block
# %% [my-sequential]
class Chain(nn.Module):
    def __init__(self, *args):
        super().__init__()
        for idx, module in enumerate(args):
            self.add_module(str(idx), module)

    def forward(self, X):
        for module in self.children():
            X = module(X)
        return X

Chain(nn.LazyLinear(8), nn.ReLU(), nn.LazyLinear(3))(X).shape
# %% [fixed-hidden]
class Fixed(nn.Module):
    def __init__(self):
        super().__init__()
        self.rand_weight = torch.rand((20, 20))
        self.linear = nn.LazyLinear(20)

    def forward(self, X):
        X = self.linear(X)
        X = F.relu(X @ self.rand_weight + 1)
        X = self.linear(X)
        while X.abs().sum() > 1:
            X /= 2
        return X.sum()

out = Fixed()(X)
out.shape, out.grad_fn is not None
# %% [parameters]
net = nn.Sequential(nn.LazyLinear(8), nn.ReLU(), nn.LazyLinear(1))
X = torch.rand(size=(2, 4))
net(X)
list(net[2].state_dict()), type(net[2].bias), net[2].weight.grad == None
# %% [named-parameters]
[(name, param.shape) for name, param in net.named_parameters()]
# %% [tied]
shared = nn.LazyLinear(8)
net = nn.Sequential(nn.LazyLinear(8), nn.ReLU(), shared, nn.ReLU(), shared, nn.ReLU(),
                    nn.LazyLinear(1))
net(X)
net[2].weight.data[0, 0] = 100
print(net[2].weight.data[0] == net[4].weight.data[0])
net[2].weight is net[4].weight
# %% [init-normal]
net = nn.Sequential(nn.LazyLinear(8), nn.ReLU(), nn.LazyLinear(1))
net(X)
def init_normal(module):
    if type(module) == nn.Linear:
        nn.init.normal_(module.weight, mean=0, std=0.01)
        nn.init.zeros_(module.bias)
net.apply(init_normal)
net[0].bias.data
# %% [init-constant]
def init_constant(module):
    if type(module) == nn.Linear:
        nn.init.constant_(module.weight, 1)
        nn.init.zeros_(module.bias)
net.apply(init_constant)
net[0].weight.data[0], net[0].bias.data[0]
# %% [init-xavier]
def init_xavier(module):
    if type(module) == nn.Linear:
        nn.init.xavier_uniform_(module.weight)
def init_42(module):
    if type(module) == nn.Linear:
        nn.init.constant_(module.weight, 42)
net[0].apply(init_xavier)
net[2].apply(init_42)
net[2].weight.data
# %% [init-custom]
def my_init(module):
    if type(module) == nn.Linear:
        print("Init", *[(name, param.shape)
                        for name, param in module.named_parameters()][0])
        nn.init.uniform_(module.weight, -10, 10)
        module.weight.data *= module.weight.data.abs() >= 5
net.apply(my_init)
net[0].weight.data[:] += 1
net[0].weight.data[0, 0] = 42
net[0].weight.data[0, 0]
# %% [lazy]
net = nn.Sequential(nn.LazyLinear(256), nn.ReLU(), nn.LazyLinear(10))
net[0].weight
# %% [lazy-shape]
net(torch.rand(2, 20))
net[0].weight.shape
# %% [apply-init]
class Tiny(d2l.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.LazyLinear(4), nn.ReLU(), nn.LazyLinear(1))

model = Tiny()
model.apply_init([torch.rand(3, 5)], init_constant)
model.net[0].weight.shape, model.net[0].weight.data.sum(), model.net[2].bias.data
# %% [centered]
class CenteredLayer(nn.Module):
    def forward(self, X):
        return X - X.mean()

CenteredLayer()(torch.tensor([1.0, 2, 3, 4, 5]))
# %% [my-linear]
class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units,))

    def forward(self, X):
        linear = torch.matmul(X, self.weight.data) + self.bias.data
        return F.relu(linear)

layer = MyLinear(5, 3)
layer.weight.shape, layer(torch.rand(2, 5)).shape, list(layer.state_dict())
# %% [save-tensor]
x = torch.arange(4)
torch.save(x, 'x-file')
x2 = torch.load('x-file')
x2
# %% [save-list]
y = torch.zeros(4)
torch.save([x, y], 'x-files')
x2, y2 = torch.load('x-files')
(x2, y2)
# %% [save-dict]
mydict = {'x': x, 'y': y}
torch.save(mydict, 'mydict')
mydict2 = torch.load('mydict')
mydict2
# %% [save-params]
class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.LazyLinear(256)
        self.output = nn.LazyLinear(10)

    def forward(self, x):
        return self.output(F.relu(self.hidden(x)))

net = MLP()
X = torch.randn(size=(2, 20))
Y = net(X)
torch.save(net.state_dict(), 'mlp.params')
clone = MLP()
clone.load_state_dict(torch.load('mlp.params'))
clone.eval()
# %% [clone-equal]
Y_clone = clone(X)
Y_clone == Y
# %% [devices]
d2l.num_gpus(), d2l.try_gpu(), d2l.try_all_gpus(), d2l.cpu(), torch.cuda.device_count()
