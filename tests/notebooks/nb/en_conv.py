# %%
%matplotlib inline
import torch
from torch import nn
from d2l import torch as d2l
# %% [corr2d]
d2l.corr2d(torch.arange(9.0).reshape(3, 3), torch.arange(4.0).reshape(2, 2))
# %% [lazy-kernel]
conv2d = nn.LazyConv2d(1, kernel_size=(1, 2), bias=False)
X = torch.ones((6, 8))
X[:, 2:6] = 0
K = torch.tensor([[1.0, -1.0]])
X4, Y4 = X.reshape((1, 1, 6, 8)), d2l.corr2d(X, K).reshape((1, 1, 6, 7))
for i in range(10):
    l = (conv2d(X4) - Y4) ** 2
    conv2d.zero_grad()
    l.sum().backward()
    conv2d.weight.data[:] -= 3e-2 * conv2d.weight.grad
conv2d.weight.shape, bool((conv2d.weight.data.reshape((1, 2)) - K).abs().max() < 0.2)
# %% [lazy-padding]
def comp_conv2d(conv2d, X):
    Y = conv2d(X.reshape((1, 1) + X.shape))
    return Y.reshape(Y.shape[2:])

X = torch.rand(size=(8, 8))
(comp_conv2d(nn.LazyConv2d(1, kernel_size=3, padding=1), X).shape,
 comp_conv2d(nn.LazyConv2d(1, kernel_size=(5, 3), padding=(2, 1)), X).shape,
 comp_conv2d(nn.LazyConv2d(1, kernel_size=3, padding=1, stride=2), X).shape,
 comp_conv2d(nn.LazyConv2d(1, kernel_size=(3, 5), padding=(0, 1), stride=(3, 4)), X).shape)
# %% [layer-summary]
model = d2l.LeNet()
model.layer_summary((1, 1, 28, 28))
# %% [small-data]
class SmallFashionMNIST(d2l.DataModule):
    """The first images of Fashion-MNIST, so that a training takes a moment."""
    def __init__(self, full, num_train=1024, num_val=512, batch_size=128):
        super().__init__()
        self.save_hyperparameters(ignore=['full'])
        def first(dataset, n):
            pairs = [dataset[i] for i in range(n)]
            return torch.stack([p[0] for p in pairs]), torch.tensor([p[1] for p in pairs])
        self.train_data, self.val_data = first(full.train, num_train), first(full.val, num_val)

    def get_dataloader(self, train):
        return self.get_tensorloader(self.train_data if train else self.val_data, train)

data = SmallFashionMNIST(d2l.FashionMNIST(batch_size=128))
data.train_data[0].shape
# %% [fit]
model = d2l.LeNet(lr=0.1)
model.apply_init([next(iter(data.get_dataloader(True)))[0]], d2l.init_cnn)
trainer = d2l.Trainer(max_epochs=2, num_gpus=1)
trainer.fit(model, data)
# %% [after-fit]
type(model.net[0]).__name__, model.net[0].weight.shape, model.net[-1].weight.shape
