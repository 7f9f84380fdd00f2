# %%
%matplotlib inline
import random
import torch
from torch import nn
from torch.utils import data
from d2l import torch as d2l
# %% [synthetic]
true_w = torch.tensor([2, -3.4])
true_b = 4.2
features, labels = d2l.synthetic_data(true_w, true_b, 1000)
features.shape, labels.shape
# %% [linreg-scratch]
def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = list(range(num_examples))
    random.shuffle(indices)
    for i in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(indices[i: min(i + batch_size, num_examples)])
        yield features[batch_indices], labels[batch_indices]

w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
b = torch.zeros(1, requires_grad=True)
lr, num_epochs = 0.03, 3
for epoch in range(num_epochs):
    for X, y in data_iter(10, features, labels):
        l = d2l.squared_loss(d2l.linreg(X, w, b), y)
        l.sum().backward()
        d2l.sgd([w, b], lr, 10)
    with torch.no_grad():
        train_l = d2l.squared_loss(d2l.linreg(features, w, b), labels)
print('w error below 0.01:', bool(((true_w - w.reshape(true_w.shape)).abs() < 0.01).all()))
print('b error below 0.01:', abs(true_b - b.item()) < 0.01)
# %% [linreg-concise]
def load_array(data_arrays, batch_size, is_train=True):
    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)

data_iter = load_array((features, labels), 10)
net = nn.Sequential(nn.Linear(2, 1))
net[0].weight.data.normal_(0, 0.01)
net[0].bias.data.fill_(0)
loss = nn.MSELoss()
trainer = torch.optim.SGD(net.parameters(), lr=0.03)
for epoch in range(3):
    for X, y in data_iter:
        l = loss(net(X), y)
        trainer.zero_grad()
        l.backward()
        trainer.step()
net
# %% [fashion]
train_iter, test_iter = d2l.load_data_fashion_mnist(256)
X, y = next(iter(train_iter))
X.shape, X.dtype, y.shape, y.dtype
# %% [labels]
d2l.get_fashion_mnist_labels([0, 3, 9])
# %% [show-images]
d2l.show_images(X[:8].reshape(8, 28, 28), 2, 4, titles=d2l.get_fashion_mnist_labels(y[:8]));
# %% [small-iters]
def first(loader, n):
    X, y = next(iter(data.DataLoader(loader.dataset, batch_size=n)))
    return X, y

small_train = data.DataLoader(data.TensorDataset(*first(train_iter, 1024)), 256, shuffle=True)
small_test = data.DataLoader(data.TensorDataset(*first(test_iter, 512)), 256)
len(small_train), len(small_test)
# %% [train-ch3]
net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
def init_weights(m):
    if type(m) == nn.Linear:
        nn.init.normal_(m.weight, std=0.01)
net.apply(init_weights)
loss = nn.CrossEntropyLoss(reduction='none')
trainer = torch.optim.SGD(net.parameters(), lr=0.1)
num_epochs = 3
d2l.train_ch3(net, small_train, small_test, loss, num_epochs, trainer)
# %% [accuracy]
acc = d2l.evaluate_accuracy(net, small_test)
type(acc).__name__, 0.3 < acc <= 1.0
# %% [accumulator]
metric = d2l.Accumulator(2)
metric.add(3, 4.0)
metric.add(1, 1)
metric[0], metric[1]
# %% [predict]
d2l.predict_ch3(net, small_test, n=4)
