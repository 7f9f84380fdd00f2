# %%
%matplotlib inline
import torch
from torch import nn
from torch.utils import data
from d2l import torch as d2l
# %% [corr2d]
inputs = torch.arange(9.0).reshape(3, 3)
kernel = torch.arange(4.0).reshape(2, 2)
d2l.corr2d(inputs, kernel)
# %% [edge-image]
X = torch.ones((6, 8))
X[:, 2:6] = 0
X
# %% [edges]
K = torch.tensor([[1.0, -1.0]])
Y = d2l.corr2d(X, K)
Y
# %% [edges-transposed]
d2l.corr2d(X.t(), K)
# %% [learn-kernel]
conv2d = nn.Conv2d(1, 1, kernel_size=(1, 2), bias=False)
X4, Y4 = X.reshape((1, 1, 6, 8)), Y.reshape((1, 1, 6, 7))
for i in range(10):
    l = (conv2d(X4) - Y4) ** 2
    conv2d.zero_grad()
    l.sum().backward()
    conv2d.weight.data[:] -= 3e-2 * conv2d.weight.grad
    if (i + 1) % 2 == 0:
        print(f'epoch {i+1}, loss {l.sum():.3f}')
# %% [learned]
learned = conv2d.weight.data.reshape((1, 2))
learned.shape, bool((learned - K).abs().max() < 0.2)
# %% [pad-1]
def comp_conv2d(conv2d, X):
    Y = conv2d(X.reshape((1, 1) + X.shape))
    return Y.reshape(Y.shape[2:])

X = torch.rand(size=(8, 8))
comp_conv2d(nn.Conv2d(1, 1, kernel_size=3, padding=1), X).shape
# %% [pad-2]
comp_conv2d(nn.Conv2d(1, 1, kernel_size=(5, 3), padding=(2, 1)), X).shape
# %% [stride-1]
comp_conv2d(nn.Conv2d(1, 1, kernel_size=3, padding=1, stride=2), X).shape
# %% [stride-2]
comp_conv2d(nn.Conv2d(1, 1, kernel_size=(3, 5), padding=(0, 1), stride=(3, 4)), X).shape
# %% [multi-in]
def corr2d_multi_in(X, K):
    return sum(d2l.corr2d(x, k) for x, k in zip(X, K))

X = torch.stack([torch.arange(9.0).reshape(3, 3), torch.arange(1.0, 10.0).reshape(3, 3)])
K = torch.stack([torch.arange(4.0).reshape(2, 2), torch.arange(1.0, 5.0).reshape(2, 2)])
corr2d_multi_in(X, K)
# %% [kernel-stack]
def corr2d_multi_in_out(X, K):
    return torch.stack([corr2d_multi_in(X, k) for k in K], 0)

K = torch.stack((K, K + 1, K + 2), 0)
K.shape
# %% [multi-in-out]
corr2d_multi_in_out(X, K)
# %% [one-by-one]
def corr2d_multi_in_out_1x1(X, K):
    c_i, h, w = X.shape
    c_o = K.shape[0]
    Y = torch.matmul(K.reshape((c_o, c_i)), X.reshape((c_i, h * w)))
    return Y.reshape((c_o, h, w))

X = torch.normal(0, 1, (3, 3, 3))
K = torch.normal(0, 1, (2, 3, 1, 1))
Y1, Y2 = corr2d_multi_in_out_1x1(X, K), corr2d_multi_in_out(X, K)
float(torch.abs(Y1 - Y2).sum()) < 1e-6
# %% [pool-max]
def pool2d(X, pool_size, mode='max'):
    p_h, p_w = pool_size
    Y = torch.zeros((X.shape[0] - p_h + 1, X.shape[1] - p_w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            window = X[i: i + p_h, j: j + p_w]
            Y[i, j] = window.max() if mode == 'max' else window.mean()
    return Y

X = torch.arange(9.0).reshape(3, 3)
pool2d(X, (2, 2))
# %% [pool-avg]
pool2d(X, (2, 2), 'avg')
# %% [pool-input]
X = torch.arange(16, dtype=torch.float32).reshape((1, 1, 4, 4))
X
# %% [maxpool-default]
nn.MaxPool2d(3)(X)
# %% [maxpool-padding]
nn.MaxPool2d(3, padding=1, stride=2)(X)
# %% [maxpool-rect]
nn.MaxPool2d((2, 3), stride=(2, 3), padding=(0, 1))(X)
# %% [pool-channels-input]
X = torch.cat((X, X + 1), 1)
X
# %% [pool-channels]
nn.MaxPool2d(3, padding=1, stride=2)(X)
# %% [lenet-shapes]
net = nn.Sequential(
    nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),
    nn.AvgPool2d(kernel_size=2, stride=2),
    nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
    nn.AvgPool2d(kernel_size=2, stride=2),
    nn.Flatten(),
    nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
    nn.Linear(120, 84), nn.Sigmoid(),
    nn.Linear(84, 10))
X = torch.rand(size=(1, 1, 28, 28), dtype=torch.float32)
for layer in net:
    X = layer(X)
    print(layer.__class__.__name__,'output shape: \t',X.shape)
# %% [small-iters]
train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size=256)
small_train = data.DataLoader(data.Subset(train_iter.dataset, range(1024)), 256, shuffle=True)
small_test = data.DataLoader(data.Subset(test_iter.dataset, range(512)), 256)
len(small_train), len(small_test)
# %% [train-ch6]
d2l.train_ch6(net, small_train, small_test, 2, 0.9, d2l.try_gpu())
# %% [evaluate-gpu]
acc = d2l.evaluate_accuracy_gpu(net, small_test)
type(acc).__name__, 0 <= acc <= 1
