# %%
%matplotlib inline
import time
import torch
from torch import nn
from torch.nn import functional as F
from d2l import torch as d2l

d2l.use_svg_display()
# %% [dataset]
data = d2l.FashionMNIST(resize=(32, 32))
len(data.train), len(data.val), data.train[0][0].shape
# %% [batch]
X, y = next(iter(data.train_dataloader()))
print(X.shape, X.dtype, y.shape, y.dtype)
# %% [labels]
data.text_labels([0, 1, 2, 9])
# %% [visualize]
batch = next(iter(data.val_dataloader()))
data.visualize(batch)
# %% [small-data]
class SmallFashionMNIST(d2l.DataModule):
    """The first images of Fashion-MNIST (28x28), so that a training takes a moment."""
    def __init__(self, full, num_train=1024, num_val=512, batch_size=256):
        super().__init__()
        self.save_hyperparameters(ignore=['full'])
        def stack(dataset, n):
            pairs = [dataset[i] for i in range(n)]
            return (torch.stack([p[0] for p in pairs]),
                    torch.tensor([p[1] for p in pairs]))
        self.X_train, self.y_train = stack(full.train, num_train)
        self.X_val, self.y_val = stack(full.val, num_val)

    def get_dataloader(self, train):
        tensors = (self.X_train, self.y_train) if train else (self.X_val, self.y_val)
        return self.get_tensorloader(tensors, train)

small = SmallFashionMNIST(d2l.FashionMNIST(batch_size=256))
small.X_train.shape, small.y_val.shape
# %% [classifier]
class Classifier(d2l.Module):
    def validation_step(self, batch):
        Y_hat = self(*batch[:-1])
        self.plot('loss', self.loss(Y_hat, batch[-1]), train=False)
        self.plot('acc', self.accuracy(Y_hat, batch[-1]), train=False)

@d2l.add_to_class(d2l.Module)
def configure_optimizers(self):
    return torch.optim.SGD(self.parameters(), lr=self.lr)

@d2l.add_to_class(Classifier)
def accuracy(self, Y_hat, Y, averaged=True):
    Y_hat = Y_hat.reshape((-1, Y_hat.shape[-1]))
    preds = Y_hat.argmax(axis=1).type(Y.dtype)
    compare = (preds == Y.reshape(-1)).type(torch.float32)
    return compare.mean() if averaged else compare
# %% [softmax]
X = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
X.sum(0, keepdims=True), X.sum(1, keepdims=True)
# %% [softmax-rows]
def softmax(X):
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdims=True)
    return X_exp / partition

X_prob = softmax(torch.rand((2, 5)))
X_prob.shape, bool(torch.allclose(X_prob.sum(1), torch.ones(2)))
# %% [cross-entropy]
y = torch.tensor([0, 2])
y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
def cross_entropy(y_hat, y):
    return -torch.log(y_hat[list(range(len(y_hat))), y]).mean()

y_hat[[0, 1], y], cross_entropy(y_hat, y)
# %% [scratch]
class SoftmaxRegressionScratch(d2l.Classifier):
    def __init__(self, num_inputs, num_outputs, lr, sigma=0.01):
        super().__init__()
        self.save_hyperparameters()
        self.W = torch.normal(0, sigma, size=(num_inputs, num_outputs), requires_grad=True)
        self.b = torch.zeros(num_outputs, requires_grad=True)

    def parameters(self):
        return [self.W, self.b]

    def forward(self, X):
        X = X.reshape((-1, self.W.shape[0]))
        return softmax(torch.matmul(X, self.W) + self.b)

    def loss(self, y_hat, y):
        return cross_entropy(y_hat, y)

model = SoftmaxRegressionScratch(num_inputs=784, num_outputs=10, lr=0.1)
trainer = d2l.Trainer(max_epochs=2)
trainer.fit(model, small)
# %% [predict]
X, y = next(iter(small.val_dataloader()))
preds = model(X).argmax(axis=1)
wrong = preds.type(y.dtype) != y
X, y, preds = X[wrong], y[wrong], preds[wrong]
labels = [a + '\n' + b for a, b in zip(data.text_labels(y), data.text_labels(preds))]
data.visualize([X, y], labels=labels)
# %% [concise]
class SoftmaxRegression(d2l.Classifier):
    def __init__(self, num_outputs, lr):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Flatten(), nn.LazyLinear(num_outputs))

    def forward(self, X):
        return self.net(X)

@d2l.add_to_class(d2l.Classifier)
def loss(self, Y_hat, Y, averaged=True):
    Y_hat = Y_hat.reshape((-1, Y_hat.shape[-1]))
    Y = Y.reshape((-1,))
    return F.cross_entropy(Y_hat, Y, reduction='mean' if averaged else 'none')

model = SoftmaxRegression(num_outputs=10, lr=0.1)
trainer = d2l.Trainer(max_epochs=2)
trainer.fit(model, small)
# %% [concise-net]
model.net
# %% [accuracy]
X, y = next(iter(small.val_dataloader()))
acc = model.accuracy(model(X), y)
acc.shape, acc.dtype, bool(0.3 < acc.item() <= 1.0)
